"""Progress from session logs: weekly totals, this week against last, and forgiving streaks.

Pure functions over plain values. Every date here is the user's LOCAL calendar date: a log's
`performed_on` is fixed when it is logged (`performed_on_for`), from the UTC instant and the
user's zone at that moment, so a session at 23:30 on a Sunday in Auckland (10:30 UTC, still
Sunday there) belongs to that Sunday's week. Weeks run Monday to Sunday (`week_bounds`).

The streak rule (forgiving, and the same for the current and the best streak):
- An *active day* has at least one logged session that was done (skips and undone logs do not
  count).
- A streak is a run of days from one active day to a later one in which every day is either
  active, a *rest day*, or *paused*.
- Rest days: within each calendar week (Monday-Sunday) a streak may contain up to
  `rest_days_allowed(days_per_week)` inactive days: 7 - days_per_week, but at least 1, because
  missing one day does not harm habit formation (Lally et al., Eur J Soc Psychol 2010,
  doi 10.1002/ejsp.674). A runner planning 3 days a week may rest 4 days of every week; one
  planning 7 may still miss one. With no plan we assume DEFAULT_DAYS_PER_WEEK. Scanning forward,
  the first inactive day beyond the allowance ends the streak.
- Paused days (an injury pause, /pause) without a session freeze the streak: they neither use
  rest allowance nor count towards its length, and the streak carries on after the pause. A
  session logged during a pause still counts.
- Today does not break a streak before it is over: an inactive today is left out.
- Length: the days from the streak's first active day to its last one, leaving out paused days.
  Rest days between sessions count; rest days after the last session do not (yet). A streak is
  "current" while it could still continue, i.e. the forward scan reached yesterday (or today)
  without breaking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.coach.schedule import local_date, week_bounds
from bot.coach.statuses import LogStatus

DEFAULT_DAYS_PER_WEEK = 4
MIN_REST_ALLOWANCE = 1
CHART_WEEKS = 8


@dataclass(frozen=True)
class LogFact:
    """What progress needs to know about one (not undone) log."""

    performed_on: date
    activity_id: str
    minutes: float | None
    status: LogStatus = "done"


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of local dates, e.g. an injury pause."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class WeekTotals:
    monday: date
    minutes_by_activity: dict[str, float] = field(default_factory=dict)
    sessions_by_activity: dict[str, int] = field(default_factory=dict)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def sessions(self) -> int:
        return sum(self.sessions_by_activity.values())

    @property
    def total_minutes(self) -> float:
        return sum(self.minutes_by_activity.values())


@dataclass(frozen=True)
class WeekComparison:
    this_week: WeekTotals
    last_week: WeekTotals

    @property
    def minutes_change(self) -> float:
        return self.this_week.total_minutes - self.last_week.total_minutes

    @property
    def activities(self) -> list[str]:
        """Activities done in either week, most minutes (this week, then last) first."""
        ids = set(self.this_week.sessions_by_activity) | set(self.last_week.sessions_by_activity)
        return sorted(
            ids,
            key=lambda a: (
                -self.this_week.minutes_by_activity.get(a, 0.0),
                -self.last_week.minutes_by_activity.get(a, 0.0),
                a,
            ),
        )


@dataclass(frozen=True)
class Streak:
    start: date
    end: date  # the last active day
    days: int  # days from start to end, paused days left out
    active_days: int


@dataclass(frozen=True)
class Streaks:
    current: Streak | None
    best: Streak | None


def performed_on_for(logged_at: datetime, zone: str, day_offset: int = 0) -> date:
    """The local date a session happened: the user's date when they logged it, minus the days
    back they said ("yesterday" = 1)."""
    return local_date(logged_at, zone) - timedelta(days=max(0, day_offset))


def _done(logs: Iterable[LogFact]) -> list[LogFact]:
    return [log for log in logs if log.status == "done"]


def week_totals(logs: Iterable[LogFact], monday: date) -> WeekTotals:
    """Minutes and sessions per activity in the week starting `monday` (done logs only)."""
    sunday = monday + timedelta(days=6)
    minutes: dict[str, float] = {}
    sessions: dict[str, int] = {}
    for log in _done(logs):
        if monday <= log.performed_on <= sunday:
            minutes[log.activity_id] = minutes.get(log.activity_id, 0.0) + (log.minutes or 0.0)
            sessions[log.activity_id] = sessions.get(log.activity_id, 0) + 1
    return WeekTotals(monday, minutes, sessions)


def compare_weeks(logs: Iterable[LogFact], today: date) -> WeekComparison:
    """This week (the one containing `today`, local) against the week before."""
    logs = list(logs)
    monday, _ = week_bounds(today)
    return WeekComparison(
        this_week=week_totals(logs, monday),
        last_week=week_totals(logs, monday - timedelta(days=7)),
    )


def weekly_series(logs: Iterable[LogFact], today: date, weeks: int = CHART_WEEKS
                  ) -> list[WeekTotals]:
    """The last `weeks` weeks, oldest first, ending with the week containing `today`."""
    logs = list(logs)
    monday, _ = week_bounds(today)
    return [week_totals(logs, monday - timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]


def rest_days_allowed(days_per_week: int | None) -> int:
    """Inactive days a streak may contain per calendar week (see the module docstring)."""
    planned = DEFAULT_DAYS_PER_WEEK if days_per_week is None else days_per_week
    planned = min(7, max(1, planned))
    return max(MIN_REST_ALLOWANCE, 7 - planned)


@dataclass
class _Chain:
    start: date
    end: date
    days: int
    active: int

    def freeze(self) -> Streak:
        return Streak(self.start, self.end, self.days, self.active)


def streaks(
    active_days: Iterable[date],
    today: date,
    *,
    days_per_week: int | None,
    pauses: Sequence[DateRange] = (),
) -> Streaks:
    """Current and best streak under the forgiving rule in the module docstring."""
    active = {day for day in active_days if day <= today}
    if not active:
        return Streaks(None, None)
    allowance = rest_days_allowed(days_per_week)
    last_day = today if today in active else today - timedelta(days=1)
    best: Streak | None = None
    chain: _Chain | None = None
    pending = 0  # paused-free rest days since the chain's last active day
    rest_used: dict[date, int] = {}  # Monday -> rest days used in that week by the chain
    day = min(active)
    while day <= last_day:
        if day in active:  # a session counts even during a pause
            if chain is None:
                chain, rest_used = _Chain(day, day, 1, 1), {}
            else:
                chain.days += pending + 1
                chain.end, chain.active = day, chain.active + 1
            pending = 0
        elif any(day in pause for pause in pauses):
            pass  # frozen: no allowance used, no length added
        elif chain is not None:
            monday = week_bounds(day)[0]
            if rest_used.get(monday, 0) < allowance:
                rest_used[monday] = rest_used.get(monday, 0) + 1
                pending += 1
            else:
                best = _longer(best, chain.freeze())
                chain, pending = None, 0
        day += timedelta(days=1)
    current = chain.freeze() if chain is not None else None
    return Streaks(current, _longer(best, current))


def _longer(a: Streak | None, b: Streak | None) -> Streak | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if (b.days, b.active_days) > (a.days, a.active_days) else a


def active_days_of(logs: Iterable[LogFact]) -> set[date]:
    return {log.performed_on for log in _done(logs)}


def pause_freeze(paused_until_local: date | None, paused_from_local: date | None,
                 active_days: Iterable[date], today: date) -> list[DateRange]:
    """The pause period to freeze, from what the users table knows.

    With a recorded start, the pause is exactly [start, end]. Without one (only `paused_until`
    is stored), the pause is taken to cover the inactive gap before its end: from the day after
    the last active day before the end, to the end (or today, if the pause is still running).
    That can only be generous, which is the side a streak should err on.
    """
    if paused_until_local is None:
        return []
    end = min(paused_until_local, today)
    if paused_from_local is not None:
        return [DateRange(paused_from_local, end)] if paused_from_local <= end else []
    before = [day for day in active_days if day <= end]
    start = max(before) + timedelta(days=1) if before else end
    return [DateRange(start, end)] if start <= end else []
