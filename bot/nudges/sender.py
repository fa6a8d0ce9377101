"""The sender: delivers pending ledger rows within a global rate budget, one row at a time.

Policy per Telegram answer (docs/nudges.md):
- ok: 'sent', with the Telegram message id;
- 429 RetryAfter: the row waits `retry_after` (not_before) and goes out once later; the whole
  sender holds for that long too, since 429 means the bot as a whole is too fast;
- 403 Forbidden, 400 "chat not found": the user is marked blocked and never retried;
- read timeout: ambiguous (Telegram may have delivered it), so 'unknown' and never resent;
  a connect or pool timeout means the request never left, so it is retried;
- other network errors (5xx, connection failures): retried with back-off, up to MAX_ATTEMPTS;
- other 400s: 'failed' (retrying the same request gives the same answer).

Each row is claimed (pending -> sending) just before its own send_message, after the rate
budget allowed it, so a kill, an out-of-memory kill, a database error or a cancelled task leaves
at most that one message ambiguous; every row not yet attempted is still 'pending'.

Shutdown: once the application stops running, the sender goes on for at most DRAIN_SECONDS
(well inside systemd's TimeoutStopSec of 30 s, with the one send in flight) and leaves the rest
pending for the next start.

All time comes from one time source: the limiter's `now`/`sleep`. Tests and benches build it on
the injected FakeClock (sleeping advances the fake clock); production on the system clock and
asyncio.sleep. Nothing here blocks on real time unless that is what the time source does.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clock import Clock
from bot.db.nudges import NudgeRepository, PendingDelivery
from bot.nudges.budget import NudgeSender, TokenBucket, clock_time_source
from bot.services import Services, services_of
from bot.telegram.views.nudges import render_nudge

__all__ = ["MAX_ATTEMPTS", "NudgeSender", "SendReport", "TokenBucket", "clock_time_source",
           "deliver", "run_sender"]

log = logging.getLogger("bot.nudges.sender")

MAX_ATTEMPTS = 5
# Back-off for retryable network errors: 10 s, 20 s, 40 s, 80 s.
RETRY_BASE = timedelta(seconds=10)
# How long the sender keeps sending once shutdown began. Plus one send in flight (PTB's
# timeouts, about 5 s each way) this stays well below the documented TimeoutStopSec=30.
DRAIN_SECONDS = 10.0


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    outcomes: list[tuple[int, str]] = field(default_factory=list)


async def deliver(state: NudgeSender, bot: Bot, services: Services, *, chunk: int,
                  max_rows: int | None = None,
                  stopping: Callable[[], bool] = lambda: False) -> SendReport:
    """Send due rows until none is due (or `max_rows` were handled). Once `stopping()` is
    true, go on for at most DRAIN_SECONDS, then leave the rest pending."""
    repo, clock, limiter = services.nudges, services.clock, state.limiter
    report = SendReport()
    handled = 0
    waited_out_hold = False
    drain_until: float | None = None

    def out_of_time() -> bool:
        nonlocal drain_until
        if drain_until is None and stopping():
            drain_until = limiter.now() + DRAIN_SECONDS
            log.info("Shutting down: sending nudges for at most %gs more", DRAIN_SECONDS)
        return drain_until is not None and limiter.now() >= drain_until

    while (max_rows is None or handled < max_rows) and not out_of_time():
        size = chunk if max_rows is None else min(chunk, max_rows - handled)
        batch = await repo.pending_deliveries(clock.now(), size)
        if not batch:
            held = limiter.held_for()
            if held <= 0 or waited_out_hold or drain_until is not None:
                break
            # A 429 put rows back for `retry_after`: wait it out (the whole bot must pause
            # anyway) and send them in this run, once.
            waited_out_hold = True
            await limiter.sleep(held)
            continue
        for delivery in batch:
            if out_of_time():
                break
            await _one(state, bot, services, delivery, report)
        handled += len(batch)
    return report


async def _one(state: NudgeSender, bot: Bot, services: Services, delivery: PendingDelivery,
               report: SendReport) -> None:
    repo, clock = services.nudges, services.clock
    rendered = render_nudge(services.content, delivery.id, delivery.kind, delivery.content_id,
                            default_zone=services.settings.default_timezone)
    if rendered is None:
        await repo.mark_failed(delivery.id, f"content {delivery.content_id!r} not found")
        report.failed += 1
        report.outcomes.append((delivery.id, "failed"))
        services.metrics.nudge(delivery.kind, "failed")
        return
    text, keyboard = rendered
    await state.wait_turn(delivery.chat_id)
    # Claimed only now, right before its own send: every row not yet sent stays pending.
    if not await repo.start_sending(delivery.id, clock.now()):
        return  # another sender took it, or the user answered or paused meanwhile
    state.sending_to(delivery.chat_id)
    outcome = await _send(state.limiter, bot, repo, clock, delivery, text, keyboard)
    report.outcomes.append((delivery.id, outcome))
    setattr(report, outcome, getattr(report, outcome) + 1)
    services.metrics.nudge(delivery.kind, "retry" if outcome == "retried" else outcome)


async def _send(limiter: TokenBucket, bot: Bot, repo: NudgeRepository, clock: Clock,
                delivery: PendingDelivery, text: str, keyboard: Any) -> str:
    try:
        message = await bot.send_message(delivery.chat_id, text, reply_markup=keyboard,
                                         parse_mode=ParseMode.HTML)
    except RetryAfter as exc:
        seconds = _retry_seconds(exc)
        limiter.hold(seconds)
        await repo.mark_retry(delivery.id, clock.now() + timedelta(seconds=seconds),
                              f"429 retry after {seconds:g}s")
        return "retried"
    except Forbidden as exc:
        await repo.mark_blocked(delivery.id, delivery.user_id, f"403 {exc.message}")
        return "blocked"
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            await repo.mark_blocked(delivery.id, delivery.user_id, f"400 {exc.message}")
            return "blocked"
        await repo.mark_failed(delivery.id, f"400 {exc.message}")
        return "failed"
    except TimedOut as exc:
        if _never_left(exc):
            return await _retry_or_fail(repo, clock, delivery, f"timeout: {exc}")
        # Ambiguous: Telegram may have delivered it. Never resend (no double nudge).
        await repo.mark_unknown(delivery.id, "read timeout: delivery unknown, not resent")
        return "unknown"
    except NetworkError as exc:
        return await _retry_or_fail(repo, clock, delivery, f"network: {exc.message}")
    await repo.mark_sent(delivery.id, message.message_id, clock.now())
    return "sent"


async def _retry_or_fail(repo: NudgeRepository, clock: Clock, delivery: PendingDelivery,
                         error: str) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        await repo.mark_failed(delivery.id, f"gave up after {delivery.attempts}: {error}")
        return "failed"
    delay = RETRY_BASE * (2 ** (delivery.attempts - 1))
    await repo.mark_retry(delivery.id, clock.now() + delay, error)
    return "retried"


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; accept both
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _never_left(exc: TimedOut) -> bool:
    """A pool or connect timeout: the request was never sent, so a retry cannot duplicate."""
    if "pool timeout" in str(exc).lower():
        return True
    cause = exc.__cause__
    return cause is not None and type(cause).__name__ in ("ConnectTimeout", "PoolTimeout")


async def run_sender(application: Any, now: datetime | None = None, *,
                     sender: NudgeSender | None = None,
                     limiter: TokenBucket | None = None, bot: Bot | None = None,
                     max_rows: int | None = None,
                     stopping: Callable[[], bool] | None = None) -> SendReport:
    """Deliver every ledger row due at `now` (and any that fall due while sending).

    `now` only documents the caller's instant; each decision reads the injected clock, which a
    FakeClock-based limiter moves forward as it "sleeps". `bot` defaults to application.bot
    (tests of thousands of messages pass one without PTB's real-time AIORateLimiter).
    `stopping` says when shutdown began; by default, when a running application stops.
    """
    services = services_of(application)
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if sender is not None:
        state = sender  # the process's budget, built once by `register_jobs`
    elif limiter is not None:
        state = NudgeSender(limiter)  # a budget of the caller's (tests, benches)
    else:
        state = NudgeSender.on_clock(services.settings.send_rate_per_second, services.clock)
    chunk = max(1, int(services.settings.send_rate_per_second * 2))
    if stopping is None:
        # Application.stop() clears `running` before it waits for the running jobs.
        was_running = bool(getattr(application, "running", False))

        def stopping() -> bool:
            return was_running and not application.running

    report = await deliver(state, bot or application.bot, services, chunk=chunk,
                           max_rows=max_rows, stopping=stopping)
    if report.sent or report.retried or report.blocked or report.failed or report.unknown:
        log.info("nudges sent=%d retried=%d blocked=%d failed=%d unknown=%d at %s",
                 report.sent, report.retried, report.blocked, report.failed, report.unknown,
                 (now or services.clock.now()).astimezone(UTC).isoformat())
    return report
