"""Answers to a daily nudge: Done, Snooze, Skip, and the answers to "Still want these?".

Each tap is one transaction: the ledger row is read and answered, and a Done's log and its
pain check are written with it. The handler renders the plain result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.actions.actor import Actor, transaction
from bot.actions.logbook import PainFollowUp, pain_follow_up
from bot.coach.log_rules import done_draft
from bot.coach.nudge_policy import NUDGE_KINDS
from bot.coach.schedule import QuietHours, SnoozeChoice, local_date, snooze_until
from bot.db.logs import LogRecord, NewLog
from bot.db.nudges import Delivery
from bot.db.unit import Unit
from bot.services import Services

Answer = Literal["d", "s30", "s2h", "sev", "sk", "keep", "eod", "pause"]
SNOOZES: dict[str, SnoozeChoice] = {"s30": "30m", "s2h": "2h", "sev": "evening"}
# What each answer to "Still want these?" stores on the ledger row.
BACKOFF_RESPONSES = {"keep": "keep", "eod": "every_other_day", "pause": "paused"}

Outcome = Literal[
    "expired",        # not theirs, unknown, or an answer this nudge does not take
    "already_done",   # Done was recorded before
    "done",           # logged now (`log`, for `performed_on`)
    "earlier_day",    # a snooze on an earlier day's nudge
    "too_late",       # a snooze that would reach tomorrow (`quiet` says why)
    "cannot_snooze",  # no longer snoozable
    "snoozed",        # back at `until`
    "skipped",        # skipped now
    "skipped_again",  # a second Skip
    "backoff",        # a back-off answer stored (`response`)
    "backoff_again",  # the same back-off answer again
]


@dataclass(frozen=True)
class NudgeTap:
    outcome: Outcome
    today: date | None = None
    log: LogRecord | None = None
    pain: PainFollowUp = field(default_factory=PainFollowUp)
    until: datetime | None = None
    quiet: QuietHours | None = None
    response: str | None = None

    @property
    def answered(self) -> bool:
        """Whether the message's buttons go (the same choice cannot be made twice)."""
        return self.outcome in ("done", "snoozed", "skipped", "backoff")


async def answer(services: Services, actor: Actor, *, delivery_id: int, action: str,
                 message_id: int) -> NudgeTap:
    now = services.clock.now()
    async with transaction(services, actor) as unit:
        delivery = await services.nudges.get(delivery_id, unit=unit)
        if delivery is None or delivery.user_id != actor.id:
            return NudgeTap("expired")
        if action == "d":
            return await _done(services, unit, actor, delivery, message_id, now)
        if action in SNOOZES:
            return await _snooze(services, unit, actor, delivery, SNOOZES[action], now)
        if action == "sk" and delivery.kind in NUDGE_KINDS:
            if delivery.response == "skipped":
                return NudgeTap("skipped_again")
            ok = await services.nudges.record_response(delivery.id, actor.id, "skipped", now,
                                                       unit=unit)
            return NudgeTap("skipped" if ok else "already_done")
        if action in BACKOFF_RESPONSES and delivery.kind == "backoff_ask":
            response = BACKOFF_RESPONSES[action]
            if delivery.response == response:
                return NudgeTap("backoff_again", response=response)  # changes nothing
            await _apply_backoff(services, unit, actor, action, now)
            await services.nudges.record_response(delivery.id, actor.id, response, now,
                                                  unit=unit)
            return NudgeTap("backoff", response=response)
    return NudgeTap("expired")


async def _apply_backoff(services: Services, unit: Unit, actor: Actor, action: str,
                         now: datetime) -> None:
    if action == "keep":
        await services.nudges.set_cadence(actor.id, None, unit=unit)
    elif action == "eod":
        await services.nudges.set_cadence(actor.id, actor.today(services, now), unit=unit)
    else:
        await services.nudges.pause_nudges(actor.id, unit=unit)


async def _done(services: Services, unit: Unit, actor: Actor, delivery: Delivery,
                message_id: int, now: datetime) -> NudgeTap:
    if delivery.response == "done":
        return NudgeTap("already_done")
    if delivery.kind not in NUDGE_KINDS:
        return NudgeTap("expired")
    locked = await services.nudges.take_for_done(delivery.id, actor.id, unit=unit)
    if locked is None or locked.response == "done":
        return NudgeTap("already_done")  # a second tap that waited for the first
    # The nudge's own local date: Done on yesterday's nudge logs yesterday's session, and
    # leaves today's nudge alone.
    draft = done_draft(services.content, delivery.content_id, delivery.local_date)
    new = NewLog(
        user_id=actor.id, source_message_id=message_id, performed_on=draft.performed_on,
        logged_at=now, activity_id=draft.activity_id, session_id=draft.session_id,
        minutes=draft.minutes, status="done", source="nudge", nudge_delivery_id=delivery.id)
    # Keyed by (user, message): a redelivered tap, or one whose log was undone, logs nothing.
    log, created = await services.logs.create(new, unit=unit)
    if not created:
        return NudgeTap("already_done")
    await services.nudges.mark_done(delivery.id, now, unit=unit)
    pain = await pain_follow_up(services, unit, log)
    return NudgeTap("done", today=actor.today(services, now), log=log, pain=pain)


async def _snooze(services: Services, unit: Unit, actor: Actor, delivery: Delivery,
                  choice: SnoozeChoice, now: datetime) -> NudgeTap:
    if delivery.response == "done":
        return NudgeTap("already_done")
    user, default = actor.user, services.default_quiet
    quiet = QuietHours(user.quiet_start or default.start, user.quiet_end or default.end)
    zone = actor.zone(services)
    if delivery.local_date != local_date(now, zone):
        return NudgeTap("earlier_day")
    until = snooze_until(now, zone, choice, quiet)
    if local_date(until, zone) != delivery.local_date:
        # It would come back tomorrow, next to tomorrow's own nudge: two in one morning. So the
        # snooze stops at the end of the day; the buttons stay for a Done later tonight.
        return NudgeTap("too_late", quiet=quiet)
    if not await services.nudges.record_snooze(delivery.id, actor.id, until, now, unit=unit):
        return NudgeTap("cannot_snooze")
    return NudgeTap("snoozed", until=until)
