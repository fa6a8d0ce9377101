"""Nudge timing: on time in the user's zone through DST, once a day, never at night."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach.schedule import (
    DEFAULT_CATCH_UP_GRACE,
    BackoffPolicy,
    QuietHours,
    backoff_action,
    backoff_cadence,
    catch_up_decision,
    local_date,
    next_nudge_at,
    snooze_until,
    wall_to_utc,
    week_bounds,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
AUCKLAND = "Pacific/Auckland"
SEVEN_THIRTY = time(7, 30)
QUIET = QuietHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily_chain(zone: str, at: time, start: datetime, days: int) -> list[datetime]:
    """The nudges a sweep would schedule, each handled on time, starting from `start`."""
    out = [next_nudge_at(start, zone, at)]
    for _ in range(days - 1):
        prev = out[-1]
        out.append(next_nudge_at(prev, zone, at, after_local_date=local_date(prev, zone)))
    return out


# --------------------------------------------------------------------- 07:30 through DST changes


def test_london_0730_across_march_clock_change() -> None:
    # BST starts 29 March 2026 at 01:00Z: 07:30 local moves from 07:30Z to 06:30Z.
    chain = daily_chain(LONDON, SEVEN_THIRTY, utc(2026, 3, 27, 0, 0), 4)
    assert chain == [
        utc(2026, 3, 27, 7, 30),
        utc(2026, 3, 28, 7, 30),
        utc(2026, 3, 29, 6, 30),
        utc(2026, 3, 30, 6, 30),
    ]


def test_london_0730_across_october_clock_change() -> None:
    # GMT resumes 25 October 2026 at 01:00Z: back to 07:30Z.
    chain = daily_chain(LONDON, SEVEN_THIRTY, utc(2026, 10, 23, 12, 0), 4)
    assert chain == [
        utc(2026, 10, 24, 6, 30),
        utc(2026, 10, 25, 7, 30),
        utc(2026, 10, 26, 7, 30),
        utc(2026, 10, 27, 7, 30),
    ]


def test_london_nudge_computed_the_evening_before_the_change() -> None:
    # /settings on Saturday evening before the change: Sunday's nudge is already in BST.
    assert next_nudge_at(utc(2026, 3, 28, 20, 0), LONDON, SEVEN_THIRTY) == utc(2026, 3, 29, 6, 30)
    assert next_nudge_at(utc(2026, 10, 24, 20, 0), LONDON, SEVEN_THIRTY) == utc(
        2026, 10, 25, 7, 30
    )


def test_new_york_0730_across_both_changes() -> None:
    # EDT from 8 March 2026 (UTC-4), EST again from 1 November 2026 (UTC-5).
    spring = daily_chain(NEW_YORK, SEVEN_THIRTY, utc(2026, 3, 7, 0, 0), 3)
    assert spring == [utc(2026, 3, 7, 12, 30), utc(2026, 3, 8, 11, 30), utc(2026, 3, 9, 11, 30)]
    autumn = daily_chain(NEW_YORK, SEVEN_THIRTY, utc(2026, 10, 31, 0, 0), 3)
    assert autumn == [utc(2026, 10, 31, 11, 30), utc(2026, 11, 1, 12, 30), utc(2026, 11, 2, 12, 30)]


@pytest.mark.parametrize("start", [utc(2026, 1, 10, 0, 0), utc(2026, 7, 10, 0, 0)])
def test_kolkata_0730_is_0200z_all_year(start: datetime) -> None:
    chain = daily_chain(KOLKATA, SEVEN_THIRTY, start, 3)
    assert [n.time() for n in chain] == [time(2, 0)] * 3
    assert [n.date() for n in chain] == [start.date() + timedelta(days=i) for i in range(3)]


def test_auckland_0730_when_dst_ends_5_april_2026() -> None:
    # NZDT (+13) ends 5 April 2026 03:00 local; NZST is +12. The UTC date is the day before.
    chain = daily_chain(AUCKLAND, SEVEN_THIRTY, utc(2026, 4, 3, 0, 0), 3)
    assert chain == [utc(2026, 4, 3, 18, 30), utc(2026, 4, 4, 19, 30), utc(2026, 4, 5, 19, 30)]
    assert [local_date(n, AUCKLAND) for n in chain] == [
        date(2026, 4, 4),
        date(2026, 4, 5),
        date(2026, 4, 6),
    ]


def test_auckland_0730_when_dst_starts_27_september_2026() -> None:
    chain = daily_chain(AUCKLAND, SEVEN_THIRTY, utc(2026, 9, 25, 0, 0), 3)
    assert chain == [utc(2026, 9, 25, 19, 30), utc(2026, 9, 26, 18, 30), utc(2026, 9, 27, 18, 30)]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("UTC+05:30", utc(2026, 2, 1, 2, 0)), ("Etc/GMT-2", utc(2026, 2, 1, 5, 30)), ("UTC", None)],
)
def test_fixed_offset_zones(zone: str, expected: datetime | None) -> None:
    got = next_nudge_at(utc(2026, 1, 31, 23, 0), zone, SEVEN_THIRTY)
    assert got == (expected or utc(2026, 2, 1, 7, 30))


# --------------------------------------------------------------------- DST gaps and folds


def test_new_york_0230_on_spring_forward_day_goes_to_end_of_gap() -> None:
    # 02:30 does not exist on 8 March 2026: clocks jump 02:00 EST -> 03:00 EDT (07:00Z).
    chain = daily_chain(NEW_YORK, time(2, 30), utc(2026, 3, 7, 0, 0), 3)
    assert chain == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]
    assert chain[1].astimezone(ZoneInfo(NEW_YORK)).time() == time(3, 0)


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected"),
    [
        (LONDON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(1, 0), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0)),
        (AUCKLAND, date(2026, 9, 27), time(2, 30), utc(2026, 9, 26, 14, 0)),
        # folds: the first occurrence (still on summer time)
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        (LONDON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),
        (AUCKLAND, date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 13, 30)),
    ],
)
def test_wall_to_utc_gaps_and_folds(zone: str, day: date, wall: time, expected: datetime) -> None:
    assert wall_to_utc(day, wall, ZoneInfo(zone)) == expected


def test_fold_time_is_not_sent_again_at_its_second_occurrence() -> None:
    # 01:30 happens twice in New York on 1 Nov 2026 (05:30Z EDT, 06:30Z EST). Asked at 05:45Z,
    # between the two, the next nudge is the next day's, not the second 01:30.
    got = next_nudge_at(utc(2026, 11, 1, 5, 45), NEW_YORK, time(1, 30))
    assert got == utc(2026, 11, 2, 6, 30)


# --------------------------------------------------------------------- options


def test_result_is_strictly_after_now() -> None:
    assert next_nudge_at(utc(2026, 1, 10, 7, 30), LONDON, SEVEN_THIRTY) == utc(2026, 1, 11, 7, 30)
    assert next_nudge_at(utc(2026, 1, 10, 7, 29), LONDON, SEVEN_THIRTY) == utc(2026, 1, 10, 7, 30)


def test_after_local_date_skips_today_once_handled() -> None:
    # Today's nudge was answered early (or already sent): the next one is tomorrow's.
    now = utc(2026, 1, 10, 6, 0)
    assert next_nudge_at(now, LONDON, SEVEN_THIRTY) == utc(2026, 1, 10, 7, 30)
    got = next_nudge_at(now, LONDON, SEVEN_THIRTY, after_local_date=date(2026, 1, 10))
    assert got == utc(2026, 1, 11, 7, 30)


def test_changing_the_time_after_todays_nudge_does_not_send_another_today() -> None:
    # Sent at 07:30 today; at 10:00 the user moves the nudge to 19:00 in /settings.
    now = utc(2026, 1, 10, 10, 0)
    got = next_nudge_at(now, LONDON, time(19, 0), after_local_date=date(2026, 1, 10))
    assert got == utc(2026, 1, 11, 19, 0)


def test_after_local_date_uses_the_users_date_not_utc() -> None:
    # 20:00Z on 10 Jan is already 11 Jan in Auckland; "after 11 Jan local" means 12 Jan local.
    got = next_nudge_at(
        utc(2026, 1, 10, 20, 0), AUCKLAND, SEVEN_THIRTY, after_local_date=date(2026, 1, 11)
    )
    assert local_date(got, AUCKLAND) == date(2026, 1, 12)
    assert got == utc(2026, 1, 11, 18, 30)


def test_every_other_day() -> None:
    anchor = date(2026, 3, 1)
    now = utc(2026, 3, 1, 12, 0)  # today's 07:30 has passed; 2 March is an odd day
    dates = []
    for _ in range(5):
        now = next_nudge_at(now, LONDON, SEVEN_THIRTY, every_other_day_from=anchor)
        dates.append(local_date(now, LONDON))
    assert dates == [date(2026, 3, d) for d in (3, 5, 7, 9, 11)]


def test_paused_until() -> None:
    now = utc(2026, 1, 10, 12, 0)
    later = next_nudge_at(now, LONDON, SEVEN_THIRTY, paused_until=utc(2026, 1, 15, 12, 0))
    assert later == utc(2026, 1, 16, 7, 30)
    early = next_nudge_at(now, LONDON, SEVEN_THIRTY, paused_until=utc(2026, 1, 15, 6, 0))
    assert early == utc(2026, 1, 15, 7, 30)
    exact = next_nudge_at(now, LONDON, SEVEN_THIRTY, paused_until=utc(2026, 1, 15, 7, 30))
    assert exact == utc(2026, 1, 15, 7, 30)
    past = next_nudge_at(now, LONDON, SEVEN_THIRTY, paused_until=utc(2026, 1, 1))
    assert past == utc(2026, 1, 11, 7, 30)


@pytest.mark.parametrize(
    ("chosen", "sent_at"),
    [
        (time(6, 0), time(7, 0)),
        (time(22, 0), time(7, 0)),
        (time(0, 15), time(7, 0)),
        (time(21, 29), time(21, 29)),
        (time(7, 0), time(7, 0)),
        (time(12, 0), time(12, 0)),
    ],
)
def test_nudge_time_in_quiet_hours_moves_to_quiet_end(chosen: time, sent_at: time) -> None:
    got = next_nudge_at(utc(2026, 1, 10, 0, 0), LONDON, chosen, quiet=QUIET)
    assert got.astimezone(ZoneInfo(LONDON)).time() == sent_at
    assert got.date() == date(2026, 1, 10)


def test_rejects_naive_now_and_unknown_zone() -> None:
    with pytest.raises(ValueError):
        next_nudge_at(datetime(2026, 1, 1, 12, 0), LONDON, SEVEN_THIRTY)
    with pytest.raises(ValueError):
        next_nudge_at(utc(2026, 1, 1, 12, 0), "Mars/Olympus_Mons", SEVEN_THIRTY)


# --------------------------------------------------------------------- exactly one per local day


@dataclass
class Sweep:
    """A minimal model of the DB sweep: one user row with next_nudge_at, walked by a clock."""

    zone: str
    at: time
    due: datetime
    sent: list[datetime] = field(default_factory=list)
    lateness: list[timedelta] = field(default_factory=list)

    def tick(self, clock: datetime) -> None:
        while self.due <= clock:
            self.sent.append(self.due)
            self.lateness.append(clock - self.due)
            handled = local_date(self.due, self.zone)
            self.due = next_nudge_at(clock, self.zone, self.at, after_local_date=handled)


WALK_CASES = [
    (LONDON, SEVEN_THIRTY),
    (LONDON, time(1, 30)),  # gap in March, fold in October
    (NEW_YORK, SEVEN_THIRTY),
    (NEW_YORK, time(2, 30)),  # gap in March
    (NEW_YORK, time(1, 30)),  # fold in November
    (KOLKATA, SEVEN_THIRTY),
    (AUCKLAND, SEVEN_THIRTY),
    (AUCKLAND, time(2, 30)),  # gap in September, fold in April
    ("America/Santiago", time(0, 0)),  # DST changes at midnight
]


@pytest.mark.parametrize(("zone", "at"), WALK_CASES)
def test_exactly_one_nudge_per_local_date_over_400_days(zone: str, at: time) -> None:
    start = utc(2026, 1, 1, 0, 0)
    sweep = Sweep(zone, at, next_nudge_at(start, zone, at))
    clock = start
    for _ in range(400 * 24):
        clock += timedelta(hours=1)
        sweep.tick(clock)

    tz = ZoneInfo(zone)
    dates = [local_date(s, zone) for s in sweep.sent]
    assert len(dates) == len(set(dates)), "two nudges on one local date"
    first = dates[0]
    assert dates == [first + timedelta(days=i) for i in range(len(dates))], "a local date missed"
    assert len(dates) >= 399
    for sent in sweep.sent:
        wall = sent.astimezone(tz).time()
        if wall != at:
            # Only on a spring-forward day, when `at` does not exist: then the nudge comes at
            # the moment the clocks jump, so one second earlier was still the old offset.
            local = sent.astimezone(tz)
            before = (sent - timedelta(seconds=1)).astimezone(tz)
            assert before.utcoffset() != local.utcoffset(), sent
            wanted = datetime.combine(local.date(), at)
            assert before.replace(tzinfo=None) < wanted < local.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("zone", "at", "around"),
    [
        (NEW_YORK, time(2, 30), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, time(1, 30), utc(2026, 11, 1, 6, 0)),
        (LONDON, time(1, 30), utc(2026, 10, 25, 1, 0)),
        (AUCKLAND, time(2, 30), utc(2026, 4, 4, 14, 0)),
    ],
)
def test_minute_by_minute_around_a_clock_change(zone: str, at: time, around: datetime) -> None:
    start = around - timedelta(days=2)
    sweep = Sweep(zone, at, next_nudge_at(start, zone, at))
    clock = start
    while clock < around + timedelta(days=2):
        clock += timedelta(minutes=1)
        sweep.tick(clock)
    dates = [local_date(s, zone) for s in sweep.sent]
    assert len(dates) >= 3
    assert dates == [dates[0] + timedelta(days=i) for i in range(len(dates))]
    assert dates.count(local_date(around, zone)) == 1  # the day the clocks change
    # Each nudge went out within a minute of falling due: none was scheduled in the past.
    assert max(sweep.lateness) < timedelta(minutes=1)


def test_every_other_day_walk_never_sends_on_consecutive_days() -> None:
    anchor = date(2026, 1, 1)
    start = utc(2026, 1, 1, 0, 0)
    due = next_nudge_at(start, NEW_YORK, SEVEN_THIRTY, every_other_day_from=anchor)
    sent = []
    clock = start
    for _ in range(120 * 24):
        clock += timedelta(hours=1)
        while due <= clock:
            sent.append(local_date(due, NEW_YORK))
            due = next_nudge_at(
                clock,
                NEW_YORK,
                SEVEN_THIRTY,
                after_local_date=sent[-1],
                every_other_day_from=anchor,
            )
    gaps = {(b - a).days for a, b in itertools.pairwise(sent)}
    assert gaps == {2}
    assert all((d - anchor).days % 2 == 0 for d in sent)


ZONES = [LONDON, NEW_YORK, KOLKATA, AUCKLAND, "America/Santiago", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1)),
    zone=st.sampled_from(ZONES),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_next_nudge_is_the_first_qualifying_instant(now: datetime, zone: str, at: time) -> None:
    now = now.replace(tzinfo=UTC)
    got = next_nudge_at(now, zone, at)
    assert got.tzinfo is not None
    assert now < got <= now + timedelta(hours=49)
    tz = ZoneInfo(zone)
    # No earlier local date qualifies: yesterday's and today's instants are not after now
    # unless `got` is today's.
    got_date = got.astimezone(tz).date()
    earlier = wall_to_utc(got_date - timedelta(days=1), at, tz)
    assert earlier <= now


# --------------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("wall", "quiet"),
    [
        (time(21, 29), False),
        (time(21, 30), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(3, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_default_quiet_hours_wrap_midnight(wall: time, quiet: bool) -> None:
    assert QUIET.contains(wall) is quiet
    assert QUIET.contains(datetime.combine(date(2026, 1, 1), wall)) is quiet


def test_quiet_hours_within_a_day_and_disabled() -> None:
    siesta = QuietHours(time(13, 0), time(15, 0))
    assert siesta.contains(time(14, 0))
    assert not siesta.contains(time(15, 0))
    assert not siesta.contains(time(23, 0))
    off = QuietHours(time(0, 0), time(0, 0))
    assert not any(off.contains(time(h, 0)) for h in range(24))


def test_next_allowed() -> None:
    day = date(2026, 1, 10)
    at = lambda h, m, d=day: datetime.combine(d, time(h, m))  # noqa: E731
    assert QUIET.next_allowed(at(23, 0)) == at(7, 0, day + timedelta(days=1))
    assert QUIET.next_allowed(at(21, 30)) == at(7, 0, day + timedelta(days=1))
    assert QUIET.next_allowed(at(5, 0)) == at(7, 0)
    assert QUIET.next_allowed(at(12, 0)) == at(12, 0)
    assert QUIET.next_allowed(at(7, 0)) == at(7, 0)


def test_next_allowed_across_a_clock_change_is_local_0700() -> None:
    tz = ZoneInfo(LONDON)
    late = datetime(2026, 3, 28, 23, 0, tzinfo=tz)  # GMT; the clocks go forward overnight
    morning = QUIET.next_allowed(late)
    assert morning.astimezone(UTC) == utc(2026, 3, 29, 6, 0)
    assert morning.time() == time(7, 0)


# --------------------------------------------------------------------- snooze


@pytest.mark.parametrize(
    ("now", "choice", "expected"),
    [
        # London in January (UTC+0), so local = UTC
        (utc(2026, 1, 10, 10, 0), "30m", utc(2026, 1, 10, 10, 30)),
        (utc(2026, 1, 10, 10, 0), "2h", utc(2026, 1, 10, 12, 0)),
        (utc(2026, 1, 10, 10, 0), "evening", utc(2026, 1, 10, 19, 0)),
        (utc(2026, 1, 10, 18, 50), "evening", utc(2026, 1, 10, 19, 20)),
        (utc(2026, 1, 10, 20, 0), "evening", utc(2026, 1, 10, 20, 30)),
        # landing in quiet hours: next morning at 07:00
        (utc(2026, 1, 10, 20, 0), "2h", utc(2026, 1, 11, 7, 0)),
        (utc(2026, 1, 10, 21, 15), "30m", utc(2026, 1, 11, 7, 0)),
        (utc(2026, 1, 10, 21, 15), "evening", utc(2026, 1, 11, 7, 0)),
        (utc(2026, 1, 10, 2, 0), "30m", utc(2026, 1, 10, 7, 0)),
        (utc(2026, 1, 10, 21, 0), "30m", utc(2026, 1, 11, 7, 0)),  # 21:30 itself is quiet
        (utc(2026, 1, 10, 20, 59), "30m", utc(2026, 1, 10, 21, 29)),
    ],
)
def test_snooze_london_winter(now: datetime, choice: str, expected: datetime) -> None:
    assert snooze_until(now, LONDON, choice, QUIET) == expected  # type: ignore[arg-type]


def test_snooze_evening_is_local() -> None:
    # 19:00 in Kolkata is 13:30Z; in London summer it is 18:00Z.
    assert snooze_until(utc(2026, 6, 1, 4, 0), KOLKATA, "evening", QUIET) == utc(2026, 6, 1, 13, 30)
    assert snooze_until(utc(2026, 6, 1, 8, 0), LONDON, "evening", QUIET) == utc(2026, 6, 1, 18, 0)


def test_snooze_without_quiet_hours_is_not_moved() -> None:
    assert snooze_until(utc(2026, 1, 10, 21, 15), LONDON, "30m", None) == utc(2026, 1, 10, 21, 45)


def test_snooze_rejects_unknown_choice() -> None:
    with pytest.raises(ValueError):
        snooze_until(utc(2026, 1, 10, 10, 0), LONDON, "tomorrow", QUIET)  # type: ignore[arg-type]


# --------------------------------------------------------------------- catch-up after downtime


@pytest.mark.parametrize(
    ("late_by", "decision"),
    [
        (timedelta(0), "send"),
        (timedelta(seconds=30), "send"),
        (timedelta(hours=2), "send"),
        (timedelta(hours=2, minutes=59), "send"),
        (timedelta(hours=3), "skip"),
        (timedelta(hours=10), "skip"),
        (timedelta(days=3), "skip"),
    ],
)
def test_catch_up_decision(late_by: timedelta, decision: str) -> None:
    due = utc(2026, 1, 10, 7, 30)
    assert catch_up_decision(due, due + late_by) == decision
    assert timedelta(hours=3) == DEFAULT_CATCH_UP_GRACE


def test_catch_up_grace_is_configurable() -> None:
    due = utc(2026, 1, 10, 7, 30)
    assert catch_up_decision(due, due + timedelta(hours=2), timedelta(hours=1)) == "skip"
    assert catch_up_decision(due, due + timedelta(hours=10), timedelta(hours=12)) == "send"


def test_late_nudge_that_would_land_in_quiet_hours_is_skipped() -> None:
    due = utc(2026, 1, 10, 21, 0)  # chosen 21:00 London; the bot was down until 22:00
    now = utc(2026, 1, 10, 22, 0)
    assert catch_up_decision(due, now) == "send"
    assert catch_up_decision(due, now, zone=LONDON, quiet=QUIET) == "skip"


def simulate_downtime(down_from: datetime, down_until: datetime) -> list[tuple[date, str]]:
    """A sweep every minute, except while the bot is down; returns (local date, decision)."""
    zone = LONDON
    due = next_nudge_at(utc(2026, 1, 9, 12, 0), zone, SEVEN_THIRTY)
    outcomes: list[tuple[date, str]] = []
    clock = utc(2026, 1, 9, 12, 0)
    while clock < utc(2026, 1, 13, 0, 0):
        clock += timedelta(minutes=1)
        if down_from <= clock < down_until:
            continue
        while due <= clock:
            outcomes.append((local_date(due, zone), catch_up_decision(due, clock)))
            due = next_nudge_at(
                clock, zone, SEVEN_THIRTY, after_local_date=local_date(due, zone)
            )
    return outcomes


def test_two_hour_downtime_sends_the_missed_nudge_once() -> None:
    outcomes = simulate_downtime(utc(2026, 1, 10, 7, 0), utc(2026, 1, 10, 9, 0))
    assert outcomes == [
        (date(2026, 1, 10), "send"),  # late, once
        (date(2026, 1, 11), "send"),
        (date(2026, 1, 12), "send"),
    ]


def test_ten_hour_downtime_skips_the_stale_nudge() -> None:
    outcomes = simulate_downtime(utc(2026, 1, 10, 6, 0), utc(2026, 1, 10, 16, 0))
    assert outcomes == [
        (date(2026, 1, 10), "skip"),
        (date(2026, 1, 11), "send"),
        (date(2026, 1, 12), "send"),
    ]


def test_multi_day_downtime_is_not_a_burst() -> None:
    outcomes = simulate_downtime(utc(2026, 1, 9, 13, 0), utc(2026, 1, 12, 12, 0))
    # Down from Friday afternoon to Monday noon: the one overdue row is skipped once, and the
    # missed Saturday/Sunday/Monday nudges are never sent; the next one is Tuesday's.
    assert outcomes == [(date(2026, 1, 10), "skip")]


# --------------------------------------------------------------------- back-off


@pytest.mark.parametrize(
    ("ignored", "action", "cadence"),
    [
        (0, "none", "daily"),
        (1, "none", "daily"),
        (2, "none", "daily"),
        (3, "ask_and_every_other_day", "every_other_day"),
        (4, "none", "every_other_day"),
        (6, "none", "every_other_day"),
        (7, "pause", "paused"),
        (8, "pause", "paused"),
    ],
)
def test_backoff_thresholds(ignored: int, action: str, cadence: str) -> None:
    assert backoff_action(ignored) == action
    assert backoff_cadence(ignored) == cadence


def test_backoff_asks_once_then_pauses_once_over_a_run_of_ignores() -> None:
    actions = [backoff_action(n) for n in range(1, 8)]
    assert actions.count("ask_and_every_other_day") == 1
    assert actions[-1] == "pause"
    assert actions.index("ask_and_every_other_day") == 2  # the third ignored nudge


def test_custom_backoff_policy() -> None:
    policy = BackoffPolicy(ask_after=2, pause_after=4)
    assert [backoff_action(n, policy) for n in range(5)] == [
        "none",
        "none",
        "ask_and_every_other_day",
        "none",
        "pause",
    ]
    with pytest.raises(ValueError):
        BackoffPolicy(ask_after=5, pause_after=5)


# --------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (utc(2026, 3, 29, 0, 30), LONDON, date(2026, 3, 29)),
        (utc(2026, 3, 1, 3, 0), NEW_YORK, date(2026, 2, 28)),
        (utc(2026, 1, 1, 11, 0), AUCKLAND, date(2026, 1, 2)),
        (utc(2026, 1, 1, 18, 29), KOLKATA, date(2026, 1, 1)),
        (utc(2026, 1, 1, 18, 30), KOLKATA, date(2026, 1, 2)),
    ],
)
def test_local_date(now: datetime, zone: str, expected: date) -> None:
    assert local_date(now, zone) == expected


@pytest.mark.parametrize(
    ("day", "monday", "sunday"),
    [
        (date(2026, 3, 11), date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 3, 15), date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_week_bounds(day: date, monday: date, sunday: date) -> None:
    assert week_bounds(day) == (monday, sunday)
