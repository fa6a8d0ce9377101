"""Prometheus metrics for one worker process, served by `GET /metrics` in webhook mode.

Each `Metrics` owns its own CollectorRegistry rather than prometheus_client's global one: tests
and benches build several Applications in one process, and the global registry refuses a second
metric of the same name. Nothing is created at import time.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# The nudge outcomes the sender records (DESIGN.md, "Nudges"). A closed set keeps the label
# cardinality bounded; anything else is a programming error.
NUDGE_OUTCOMES = frozenset({"sent", "blocked", "failed", "retry", "unknown", "skipped"})

# Reasons the webhook refuses or drops a request without processing it.
REJECT_REASONS = frozenset({"forbidden", "malformed", "duplicate", "busy"})

# Handlers mostly hit the database once or twice and call the Bot API; the interesting range is
# a few milliseconds to a few seconds (a slow Telegram answer).
_LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SWEEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """Counters and histograms of one process; cheap to build, safe to build many times."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._updates = Counter(
            "updates_processed", "Telegram updates processed by the application",
            registry=self.registry,
        )
        self._latency = Histogram(
            "handler_latency_seconds", "Time to process one update, handlers included",
            buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self._nudges = Counter(
            "nudges", "Nudge deliveries by kind and outcome", ["kind", "outcome"],
            registry=self.registry,
        )
        self._sweep = Histogram(
            "sweep_duration_seconds", "Time one nudge sweep took",
            buckets=_SWEEP_BUCKETS, registry=self.registry,
        )
        self._rejected = Counter(
            "webhook_rejected", "Webhook requests refused or dropped unprocessed", ["reason"],
            registry=self.registry,
        )

    def observe_update(self, seconds: float) -> None:
        """One update went through the application in `seconds`."""
        self._updates.inc()
        self._latency.observe(seconds)

    def nudge(self, kind: str, outcome: str) -> None:
        if outcome not in NUDGE_OUTCOMES:
            raise ValueError(f"unknown nudge outcome {outcome!r}; use one of "
                             f"{sorted(NUDGE_OUTCOMES)}")
        self._nudges.labels(kind=kind, outcome=outcome).inc()

    def observe_sweep(self, seconds: float) -> None:
        self._sweep.observe(seconds)

    def reject(self, reason: str) -> None:
        if reason not in REJECT_REASONS:
            raise ValueError(f"unknown reject reason {reason!r}")
        self._rejected.labels(reason=reason).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric in this registry."""
        return generate_latest(self.registry)
