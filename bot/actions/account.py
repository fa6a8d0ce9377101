"""Pausing, resuming, stopping, exporting and deleting, and blocks seen from Telegram."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from bot.actions.actor import Actor, transaction
from bot.coach import pausing
from bot.coach.nudge_timing import upcoming_nudge
from bot.db.users import UserRecord
from bot.services import Services


def _next_due(services: Services, record: UserRecord,
              paused_until: datetime | None = None) -> datetime | None:
    return upcoming_nudge(
        services.clock.now(), record.timezone or services.settings.default_timezone,
        record.nudge_time, paused_until=paused_until, quiet_start=record.quiet_start,
        quiet_end=record.quiet_end, default_quiet=services.default_quiet,
        every_other_day_from=record.every_other_day_from)


@dataclass(frozen=True)
class Paused:
    days: int
    until: datetime


async def pause(services: Services, actor: Actor, days: int) -> Paused:
    now = services.clock.now()
    until = pausing.pause_until(now, days)
    due = _next_due(services, actor.user, paused_until=until)
    async with transaction(services, actor) as unit:
        await services.user_settings.update_schedule(
            actor.id, status="active", paused_from=now, paused_until=until, next_nudge_at=due,
            unit=unit)
    return Paused(days, until)


@dataclass(frozen=True)
class Resumed:
    next_nudge_at: datetime | None


async def resume(services: Services, actor: Actor) -> Resumed:
    # Resuming starts the cadence afresh (daily), so plan without the old every-other-day.
    due = _next_due(services, replace(actor.user, every_other_day_from=None))
    ended = pausing.pause_ended_by_resume(actor.user.paused_until, services.clock.now())
    async with transaction(services, actor) as unit:
        await services.user_settings.update_schedule(
            actor.id, status="active", paused_until=ended, next_nudge_at=due,
            reset_backoff=True, unit=unit)
    return Resumed(due)


async def stop(services: Services, actor: Actor) -> None:
    async with transaction(services, actor) as unit:
        await services.user_settings.update_schedule(
            actor.id, status="stopped", paused_until=None, next_nudge_at=None, unit=unit)


@dataclass(frozen=True)
class Export:
    data_json: bytes
    logs_csv: bytes


async def export(services: Services, actor: Actor) -> Export:
    async with transaction(services, actor) as unit:
        data = await services.privacy.export(actor.id, unit=unit)
        logs = await services.privacy.logs_csv(actor.id, unit=unit)
    return Export(json.dumps(data, indent=2, ensure_ascii=False).encode(), logs.encode())


async def delete_asked(services: Services, actor: Actor, message_id: int) -> None:
    """The /delete question was sent as `message_id`: only its button may delete."""
    async with transaction(services, actor) as unit:
        await services.users.ask_delete(actor.id, message_id, services.clock.now(), unit=unit)


DeleteOutcome = Literal["kept", "deleted", "expired"]


async def answer_delete(services: Services, actor: Actor, *, confirm: bool,
                        tapped_message_id: int) -> DeleteOutcome:
    async with transaction(services, actor) as unit:
        if not confirm:
            await services.users.forget_delete_question(actor.id, unit=unit)
            return "kept"
        if not pausing.delete_confirmed(actor.user.delete_asked_message_id,
                                        actor.user.delete_asked_at, tapped_message_id,
                                        services.clock.now()):
            return "expired"
        await services.privacy.delete_everything(actor.id, unit=unit)
    return "deleted"


async def blocked_or_unblocked(services: Services, actor: Actor, *, blocked: bool) -> None:
    """Telegram told us the user blocked (or unblocked) the bot."""
    record = actor.user
    async with transaction(services, actor) as unit:
        if blocked:
            status = pausing.status_after_block(record.status)
            if status is not None:
                await services.user_settings.update_schedule(
                    record.id, status=status, paused_until=record.paused_until,
                    next_nudge_at=None, unit=unit)
        elif pausing.restarts_after_unblock(record.status):
            due = _next_due(services, replace(record, every_other_day_from=None))
            await services.user_settings.update_schedule(
                record.id, status="active", paused_until=record.paused_until,
                next_nudge_at=due, reset_backoff=True, unit=unit)
