"""The sweep: one repeating job that claims due users into the nudge ledger.

There is never one scheduler job per user. `register_jobs` adds two global repeating jobs: the
sweep (every SWEEP_INTERVAL_SECONDS) and the sender (every second; it drains whatever is due).
Both are safe to run in several processes at once: the claims are row-locked (see
bot/db/nudges.py), so workers split the work.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.coach.nudge_policy import PlannedSessionLookup, make_chooser
from bot.db.nudges import ClaimedNudge
from bot.nudges.budget import NudgeSender
from bot.nudges.sender import run_sender
from bot.services import Services, services_of

__all__ = ["PlannedSessionLookup", "SweepReport", "make_chooser", "register_jobs", "run_sweep"]

log = logging.getLogger("bot.nudges.sweep")

# How many batches one sweep run claims at most before yielding to the next run.
MAX_BATCHES_PER_RUN = 20
SENDER_INTERVAL_SECONDS = 1.0


@dataclass
class SweepReport:
    claimed: list[ClaimedNudge] = field(default_factory=list)
    expired_sending: int = 0

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.claimed if c.outcome == outcome)


async def run_sweep(services: Services, now: datetime, *,
                    planned: PlannedSessionLookup | None = None,
                    batch_size: int | None = None,
                    max_batches: int = MAX_BATCHES_PER_RUN) -> SweepReport:
    """Claim everything due at `now`, batch by batch (each batch is one transaction)."""
    started = time.perf_counter()
    settings = services.settings
    repo = services.nudges
    # The planner override (tests, benches) replaces the chooser for this run only.
    choose = make_chooser(services.content, planned) if planned is not None else None
    size = batch_size or settings.sweep_batch_size
    grace = timedelta(hours=settings.nudge_grace_hours)
    report = SweepReport(expired_sending=await repo.expire_sending(now))
    for _ in range(max_batches):
        claimed = await repo.claim_due(now, size, grace, choose=choose)
        report.claimed += claimed
        if len(claimed) < size:
            break
    services.metrics.observe_sweep(time.perf_counter() - started)
    for claim in report.claimed:
        if claim.outcome == "skipped":
            services.metrics.nudge(claim.kind or "habit", "skipped")
    if report.claimed:
        log.info("sweep claimed %d users: %d to send, %d skipped", len(report.claimed),
                 report.count("pending"), report.count("skipped"))
    return report


async def _sweep_job(context: Any) -> None:
    services = services_of(context.application)
    await run_sweep(services, services.clock.now())


async def _sender_job(context: Any) -> None:
    services = services_of(context.application)
    await run_sender(context.application, services.clock.now(), sender=context.job.data)


def register_jobs(application: Any) -> None:
    """Add the two global nudge jobs; call from post_init. NUDGE_SENDER=false turns them off
    for this process (e.g. webhook workers that should only answer updates)."""
    services = services_of(application)
    settings = services.settings
    if not settings.nudge_sender:
        return
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("nudges need python-telegram-bot[job-queue] (APScheduler)")
    # max_instances=1 and coalesce: a slow run is never overlapped by the next one in this
    # process, and missed runs collapse into one.
    job_kwargs = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    queue.run_repeating(_sweep_job, interval=settings.sweep_interval_seconds, first=1.0,
                        name="nudge-sweep", job_kwargs=job_kwargs)
    # One rate budget for the process, built here once, so it spans the sender's job runs.
    sender = NudgeSender.on_clock(settings.send_rate_per_second, services.clock)
    queue.run_repeating(_sender_job, interval=SENDER_INTERVAL_SECONDS, first=2.0,
                        name="nudge-sender", job_kwargs=job_kwargs, data=sender)
