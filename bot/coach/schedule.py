"""Nudge timing: when the next daily nudge is due, quiet hours, snoozes, catch-up and back-off.

Pure functions over an injected "now". Every instant in and out is a UTC-aware datetime; local
wall-clock times are turned into instants through `zone_info` (zoneinfo, or a fixed "UTC+hh:mm"
offset), so DST changes are handled by the tz database rather than by arithmetic on offsets.

The two DST rules, applied everywhere a local wall time becomes an instant (`wall_to_utc`):
- a wall time that happens twice (clocks go back) means the first occurrence (fold=0);
- a wall time that never happens (clocks go forward) means the first valid instant after the gap,
  i.e. the moment the clocks jump: 02:30 in New York on 8 March 2026 becomes 03:00 EDT (07:00Z).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.coach.timezones import zone_info

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_CATCH_UP_GRACE",
    "EVENING",
    "BackoffAction",
    "BackoffCadence",
    "BackoffPolicy",
    "CatchUp",
    "LedgerDay",
    "QuietHours",
    "SnoozeChoice",
    "backoff_action",
    "backoff_cadence",
    "catch_up_decision",
    "ledger_dates_in_zone",
    "local_date",
    "next_nudge_at",
    "snooze_until",
    "wall_to_utc",
    "week_bounds",
]

SnoozeChoice = Literal["30m", "2h", "evening"]
CatchUp = Literal["send", "skip"]
BackoffAction = Literal["none", "ask_and_every_other_day", "pause"]
BackoffCadence = Literal["daily", "every_other_day", "paused"]

# "This evening" on the snooze keyboard.
EVENING = time(19, 0)
# The shortest snooze: "this evening" tapped at 18:55 means 19:25, not a nudge five minutes later.
_MIN_SNOOZE = timedelta(minutes=30)
_SNOOZE_DELAYS = {"30m": timedelta(minutes=30), "2h": timedelta(hours=2)}
DEFAULT_CATCH_UP_GRACE = timedelta(hours=3)
# next_nudge_at looks at most this many local dates ahead of its first candidate; the
# constraints (strictly after now, pause, every other day) are satisfied within 3.
_MAX_DAYS_AHEAD = 8


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours in which no nudge is sent. Default 21:30-07:00, which wraps midnight.

    The interval is half-open, [start, end): 21:30 is quiet, 07:00 is not. start == end means
    no quiet hours at all (rather than a silent day, which /pause is for).
    """

    start: time = time(21, 30)
    end: time = time(7, 0)

    def contains(self, local: time | datetime) -> bool:
        """True when the local wall-clock time (or the time part of a local datetime) is quiet."""
        wall = _wall(local.time() if isinstance(local, datetime) else local)
        start, end = _wall(self.start), _wall(self.end)
        if start == end:
            return False
        if start < end:
            return start <= wall < end
        return wall >= start or wall < end  # wraps midnight

    def next_allowed(self, local_dt: datetime) -> datetime:
        """The first local instant at or after `local_dt` outside quiet hours.

        Keeps local_dt's tzinfo. If the quiet end itself falls in a DST gap, the result is the
        first valid instant after the gap, as everywhere else in this module.
        """
        if not self.contains(local_dt):
            return local_dt
        day = local_dt.date()
        if _wall(self.start) > _wall(self.end) and local_dt.time() >= _wall(self.start):
            day += timedelta(days=1)  # 23:00 is quiet until tomorrow morning
        tz = local_dt.tzinfo
        if tz is None:
            return datetime.combine(day, _wall(self.end))
        return wall_to_utc(day, self.end, tz).astimezone(tz)


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """How many ignored nudges in a row change the cadence."""

    ask_after: int = 3
    pause_after: int = 7

    def __post_init__(self) -> None:
        if not 0 < self.ask_after < self.pause_after:
            raise ValueError("need 0 < ask_after < pause_after")


DEFAULT_BACKOFF = BackoffPolicy()


def wall_to_utc(day: date, wall: time, tz: tzinfo) -> datetime:
    """The UTC instant at which the clock in `tz` reads `wall` on `day` (DST rules: module doc)."""
    naive = datetime.combine(day, _wall(wall))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists; with fold=0 an ambiguous time is its first occurrence
    # In a gap, fold=0 reads the wall time with the offset from before the jump and fold=1 with
    # the offset after it; the jump lies between the two instants. Binary search to the second.
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo = min(first, other).replace(microsecond=0)  # tzdata transitions are on whole seconds
    after = max(first, other).astimezone(tz).utcoffset()
    low, high = 0, int((max(first, other) - lo).total_seconds()) + 1  # offsets from lo, in s
    while high - low > 1:
        mid = (low + high) // 2
        if (lo + timedelta(seconds=mid)).astimezone(tz).utcoffset() == after:
            high = mid
        else:
            low = mid
    return lo + timedelta(seconds=high)


def next_nudge_at(
    now_utc: datetime,
    zone: str,
    local_time: time,
    *,
    after_local_date: date | None = None,
    every_other_day_from: date | None = None,
    paused_until: datetime | None = None,
    quiet: QuietHours | None = None,
) -> datetime:
    """The next instant strictly after `now_utc` at which the local clock in `zone` reads
    `local_time`, as a UTC-aware datetime.

    after_local_date: only dates after it qualify. The sweep passes the local date of the nudge
        it just handled, so a nudge never comes twice on one local date, even across a DST fold
        or a catch-up that ran late.
    every_other_day_from: only dates an even number of days from it qualify (back-off cadence).
    paused_until: the result is not before this instant (/pause).
    quiet: a `local_time` inside quiet hours is moved to the quiet end (06:00 with the default
        21:30-07:00 becomes 07:00), so the nudge comes at the first allowed moment of that day's
        morning rather than being silently dropped. /settings should tell the user.
    """
    _require_aware(now_utc, "now_utc")
    if paused_until is not None:
        _require_aware(paused_until, "paused_until")
    tz = zone_info(zone)
    wall = _wall(local_time)
    if quiet is not None and quiet.contains(wall):
        wall = _wall(quiet.end)

    day = now_utc.astimezone(tz).date()
    if after_local_date is not None:
        day = max(day, after_local_date + timedelta(days=1))
    if paused_until is not None:
        day = max(day, paused_until.astimezone(tz).date())

    for _ in range(_MAX_DAYS_AHEAD):
        if every_other_day_from is None or (day - every_other_day_from).days % 2 == 0:
            instant = wall_to_utc(day, wall, tz)
            if instant > now_utc and (paused_until is None or instant >= paused_until):
                return instant
        day += timedelta(days=1)
    raise AssertionError("unreachable: a qualifying date always exists within a few days")


def snooze_until(
    now_utc: datetime, zone: str, choice: SnoozeChoice, quiet: QuietHours | None
) -> datetime:
    """When a snoozed nudge comes back, as a UTC-aware datetime.

    "30m" and "2h" are plain delays. "evening" is 19:00 local today, but never sooner than
    30 minutes from now: tapped at 18:50 it means 19:20, and tapped at 20:00 ("this evening"
    is still now) it means 20:30. A result inside quiet hours moves to the quiet end, which is
    the next morning for a snooze tapped late in the evening.
    """
    _require_aware(now_utc, "now_utc")
    tz = zone_info(zone)
    if choice in _SNOOZE_DELAYS:
        target = now_utc + _SNOOZE_DELAYS[choice]
    elif choice == "evening":
        today = now_utc.astimezone(tz).date()
        target = max(wall_to_utc(today, EVENING, tz), now_utc + _MIN_SNOOZE)
    else:
        raise ValueError(f"unknown snooze choice: {choice!r}")
    if quiet is not None:
        target = quiet.next_allowed(target.astimezone(tz)).astimezone(UTC)
    return target.astimezone(UTC)


def local_date(now_utc: datetime, zone: str) -> date:
    """The user's calendar date at `now_utc` (what "today" means for streaks and the ledger)."""
    _require_aware(now_utc, "now_utc")
    return now_utc.astimezone(zone_info(zone)).date()


@dataclass(frozen=True, slots=True)
class LedgerDay:
    """A nudge ledger row as far as its local date goes."""

    id: int
    kind: str
    local_date: date
    due_at: datetime


def ledger_dates_in_zone(rows: Sequence[LedgerDay], zone: str, *,
                         window: timedelta = timedelta(days=4)) -> dict[int, date]:
    """The new local date of each ledger row whose date changes when the user's zone becomes
    `zone`: the date, in the new zone, of the instant it fell due. After a move from Los Angeles
    to Tokyo, the nudge sent at 07:30 in LA (00:30 the next day in Tokyo) counts for that Tokyo
    date, so 07:30 in Tokyo the same day brings no second nudge; the other way round, a day
    is not skipped.

    Only rows that fell due within `window` of the latest one move; older rows keep their dates
    and no row may land on a date another row of its kind holds (the ledger's unique key), so
    the moved rows are given up on ({}) in the rare case two would collide.
    """
    _require_known_zone(zone)
    if not rows:
        return {}
    latest = max(r.due_at for r in rows)
    moving = [r for r in rows if latest - r.due_at <= window]
    fixed = [r for r in rows if latest - r.due_at > window]
    moved = {r.id: local_date(r.due_at, zone) for r in moving}
    taken = [(r.kind, r.local_date) for r in fixed] + [(r.kind, moved[r.id]) for r in moving]
    if len(set(taken)) != len(taken):
        return {}
    return {r.id: moved[r.id] for r in moving if moved[r.id] != r.local_date}


def week_bounds(day: date) -> tuple[date, date]:
    """The Monday and Sunday of the ISO week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def catch_up_decision(
    due_at: datetime,
    now_utc: datetime,
    grace: timedelta = DEFAULT_CATCH_UP_GRACE,
    *,
    zone: str | None = None,
    quiet: QuietHours | None = None,
) -> CatchUp:
    """Whether a nudge that fell due at `due_at` should still go out at `now_utc`.

    Late by less than `grace` (the usual case is seconds, a sweep interval): "send", once.
    Late by `grace` or more, e.g. after a long downtime: "skip"; the caller moves the row to its
    next occurrence, so a downtime never turns into a burst of stale nudges. With `zone` and
    `quiet` given, a late nudge that would now land in quiet hours is skipped too.
    """
    _require_aware(due_at, "due_at")
    _require_aware(now_utc, "now_utc")
    if now_utc - due_at >= grace:
        return "skip"
    if zone is not None and quiet is not None:
        local_now = now_utc.astimezone(zone_info(zone))
        if quiet.contains(local_now):
            return "skip"
    return "send"


def backoff_action(ignored_in_a_row: int, policy: BackoffPolicy = DEFAULT_BACKOFF) -> BackoffAction:
    """What to do now that the ignored count has just become `ignored_in_a_row`.

    "ask_and_every_other_day" exactly when the count reaches `ask_after` (ask "Still want
    these?" once, not on every later ignore); "pause" from `pause_after` on; else "none".
    Use `backoff_cadence` for the cadence that holds between those events.
    """
    if ignored_in_a_row >= policy.pause_after:
        return "pause"
    if ignored_in_a_row == policy.ask_after:
        return "ask_and_every_other_day"
    return "none"


def backoff_cadence(
    ignored_in_a_row: int, policy: BackoffPolicy = DEFAULT_BACKOFF
) -> BackoffCadence:
    """The nudge cadence for an ignored count: daily, every other day, or paused."""
    if ignored_in_a_row >= policy.pause_after:
        return "paused"
    if ignored_in_a_row >= policy.ask_after:
        return "every_other_day"
    return "daily"


def _wall(t: time) -> time:
    # Stored nudge times are naive wall-clock times; drop any tzinfo a caller attached so that
    # comparisons and combine() never mix naive and aware values.
    return t.replace(tzinfo=None, fold=0)


def _require_known_zone(zone: str) -> None:
    zone_info(zone)  # raises ValueError for a zone it cannot use


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime")
