"""The sweep: one repeating job that claims due users into the nudge ledger.

There is never one scheduler job per user. `register_jobs` adds two global repeating jobs: the
sweep (every SWEEP_INTERVAL_SECONDS) and the sender (every second; it drains whatever is due).
Both are safe to run in several processes at once: the claims are row-locked (see
bot/db/nudges.py), so workers split the work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.coach.nudge_choice import (
    PLAN_HISTORY_DAYS,
    NudgeChoice,
    choose_nudge,
    nudge_safety,
    planned_session_for,
)
from bot.coach.safety import Mode
from bot.coach.schedule import QuietHours
from bot.content import ContentPack
from bot.db.nudges import ChoiceInput, ClaimedNudge, NudgeRepository
from bot.services import Services, services_of

log = logging.getLogger("bot.nudges.sweep")

# How many batches one sweep run claims at most before yielding to the next run.
MAX_BATCHES_PER_RUN = 20
SENDER_INTERVAL_SECONDS = 1.0

# An override for the week planner: (user id, local date) -> the session id planned for that
# day, or None. It runs inside the claim transaction, so it must be a fast, synchronous lookup.
# Without it the chooser follows /week itself (`planned_session_for`, about 1 ms a user).
PlannedSessionLookup = Callable[[int, date], str | None]


def make_chooser(pack: ContentPack, planned: PlannedSessionLookup | None = None
                 ) -> Callable[[ChoiceInput], NudgeChoice | None]:
    def choose(data: ChoiceInput) -> NudgeChoice | None:
        condition, phase = data.condition_id, data.phase
        mode: Mode = "normal"
        if data.profile is not None:
            condition, phase, mode = nudge_safety(pack, data.profile, data.history, data.today)
        if planned is not None:
            planned_id = planned(data.user_id, data.today)
        else:
            planned_id = planned_session_for(pack, data.profile, data.history, data.today)
        return choose_nudge(pack, user_id=data.user_id, today=data.today,
                            condition_id=condition, phase=phase,
                            recent=data.recent, done_counts=data.done_counts,
                            planned_session_id=planned_id, mode=mode)
    return choose


def sweep_repository(services: Services, planned: PlannedSessionLookup | None = None
                     ) -> NudgeRepository:
    settings = services.settings
    return NudgeRepository(
        services.db, default_timezone=settings.default_timezone,
        default_quiet=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end),
        choose=make_chooser(services.content, planned), history_days=PLAN_HISTORY_DAYS)


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
    repo = sweep_repository(services, planned)
    size = batch_size or settings.sweep_batch_size
    grace = timedelta(hours=settings.nudge_grace_hours)
    report = SweepReport(expired_sending=await repo.expire_sending(now))
    for _ in range(max_batches):
        claimed = await repo.claim_due(now, size, grace)
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
    from bot.nudges.sender import run_sender  # the sender pulls in Telegram rendering

    services = services_of(context.application)
    await run_sender(context.application, services.clock.now())


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
    queue.run_repeating(_sender_job, interval=SENDER_INTERVAL_SECONDS, first=2.0,
                        name="nudge-sender", job_kwargs=job_kwargs)
