"""Reading the log back: /history pages, /stats, and the log an Edit button is on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.actions.actor import Actor
from bot.coach.progress import (
    CHART_WEEKS,
    Streaks,
    WeekComparison,
    WeekTotals,
    compare_weeks,
    pause_freeze,
    rest_days_allowed,
    streaks,
    weekly_series,
)
from bot.coach.schedule import local_date, week_bounds
from bot.db.logs import LogRecord
from bot.services import Services


@dataclass(frozen=True)
class HistoryPage:
    logs: list[LogRecord]
    total: int
    offset: int
    today: date


async def history_page(services: Services, actor: Actor, offset: int, limit: int
                       ) -> HistoryPage:
    offset = max(0, offset)
    async with services.db.reading() as unit:
        logs, total = await services.logs.history(actor.id, offset=offset, limit=limit,
                                                  unit=unit)
    return HistoryPage(logs, total, offset, actor.today(services))


@dataclass(frozen=True)
class Stats:
    comparison: WeekComparison
    streak: Streaks
    rest_days: int
    series: list[WeekTotals]


async def stats(services: Services, actor: Actor) -> Stats:
    zone = actor.zone(services)
    today = actor.today(services)
    monday, _ = week_bounds(today)
    async with services.db.reading() as unit:
        facts = await services.logs.facts_since(
            actor.id, monday - timedelta(weeks=CHART_WEEKS - 1), unit=unit)
        profile = await services.profiles.get(actor.id, unit=unit)
        active = await services.logs.active_days(actor.id, unit=unit)
    days_per_week = profile.days_per_week if profile is not None else None
    record = actor.user
    pauses = pause_freeze(
        local_date(record.paused_until, zone) if record.paused_until else None,
        local_date(record.paused_from, zone) if record.paused_from else None, active, today)
    return Stats(compare_weeks(facts, today),
                 streaks(active, today, days_per_week=days_per_week, pauses=pauses),
                 rest_days_allowed(days_per_week), weekly_series(facts, today))


async def live_log(services: Services, actor: Actor, log_id: int) -> LogRecord | None:
    """The log an Edit button is on (None when it is not this user's)."""
    async with services.db.reading() as unit:
        return await services.logs.get(actor.id, log_id, unit=unit)
