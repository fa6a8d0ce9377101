"""Weekly totals in the runner's local weeks, and forgiving streaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach.progress import (
    DateRange,
    LogFact,
    compare_weeks,
    pause_freeze,
    performed_on_for,
    rest_days_allowed,
    streaks,
    week_totals,
    weekly_series,
)

MON = date(2026, 3, 2)  # a Monday


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


# --- local dates and weeks -----------------------------------------------------------------------


def test_late_sunday_in_auckland_stays_in_that_week() -> None:
    # 23:30 on Sunday 8 March in Auckland (NZDT, UTC+13) is 10:30 UTC the same Sunday.
    logged_at = datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    day = performed_on_for(logged_at, "Pacific/Auckland")
    assert day == date(2026, 3, 8)
    logs = [LogFact(day, "swimming", 30)]
    # Seen on Monday 9 March, it is last week's swim, not this week's.
    weeks = compare_weeks(logs, today=date(2026, 3, 9))
    assert weeks.last_week.minutes_by_activity == {"swimming": 30}
    assert weeks.this_week.sessions == 0


def test_the_same_instant_falls_in_different_weeks_in_different_zones() -> None:
    instant = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Sunday night in London
    assert performed_on_for(instant, "Europe/London") == date(2026, 3, 8)
    assert performed_on_for(instant, "Pacific/Auckland") == date(2026, 3, 9)  # Monday there
    assert performed_on_for(instant, "America/Los_Angeles") == date(2026, 3, 8)
    london = compare_weeks([LogFact(performed_on_for(instant, "Europe/London"), "rowing", 20)],
                           today=date(2026, 3, 9))
    auckland = compare_weeks(
        [LogFact(performed_on_for(instant, "Pacific/Auckland"), "rowing", 20)],
        today=date(2026, 3, 9))
    assert london.last_week.total_minutes == 20 and london.this_week.total_minutes == 0
    assert auckland.this_week.total_minutes == 20 and auckland.last_week.total_minutes == 0


def test_just_after_midnight_on_a_dst_monday_is_the_new_week() -> None:
    # London springs forward on Sunday 29 March 2026; 00:30 BST Monday 30 March is 23:30 UTC
    # on the Sunday.
    logged_at = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert performed_on_for(logged_at, "Europe/London") == date(2026, 3, 30)
    assert performed_on_for(logged_at, "UTC") == date(2026, 3, 29)


def test_days_back_are_counted_from_the_local_date() -> None:
    logged_at = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # Tuesday 00:00 in Auckland
    assert performed_on_for(logged_at, "Pacific/Auckland", day_offset=1) == date(2026, 3, 2)
    assert performed_on_for(logged_at, "Pacific/Honolulu", day_offset=1) == date(2026, 3, 1)


def test_week_totals_count_minutes_and_sessions_per_activity() -> None:
    logs = [
        LogFact(d(0), "swimming", 30), LogFact(d(2), "swimming", 45),
        LogFact(d(3), "strength", None), LogFact(d(6), "turbo", 60),
        LogFact(d(4), "turbo", None, status="skipped"),  # skips are not sessions
        LogFact(d(7), "turbo", 50),  # next Monday
        LogFact(d(-1), "turbo", 50),  # the Sunday before
    ]
    week = week_totals(logs, MON)
    assert week.minutes_by_activity == {"swimming": 75, "strength": 0, "turbo": 60}
    assert week.sessions_by_activity == {"swimming": 2, "strength": 1, "turbo": 1}
    assert week.sessions == 4 and week.total_minutes == 135
    assert week.sunday == d(6)


def test_this_week_against_last_week() -> None:
    logs = [LogFact(d(-7), "swimming", 20), LogFact(d(-1), "rowing", 30),
            LogFact(d(1), "swimming", 40), LogFact(d(2), "swimming", 40)]
    weeks = compare_weeks(logs, today=d(3))
    assert weeks.this_week.monday == MON and weeks.last_week.monday == d(-7)
    assert weeks.this_week.sessions == 2 and weeks.last_week.sessions == 2
    assert weeks.minutes_change == 30
    assert weeks.activities == ["swimming", "rowing"]


def test_weekly_series_is_eight_mondays_oldest_first() -> None:
    logs = [LogFact(d(-49), "hiking", 120), LogFact(d(-56), "hiking", 999),
            LogFact(d(5), "core", 10)]
    series = weekly_series(logs, today=d(5))
    assert [w.monday for w in series] == [d(-7 * k) for k in range(7, -1, -1)]
    assert series[0].total_minutes == 120  # the week of d(-49); d(-56) is too old
    assert series[-1].minutes_by_activity == {"core": 10}


# --- streaks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("planned", "rest"), [(None, 3), (1, 6), (3, 4), (6, 1), (7, 1),
                                               (0, 6), (12, 1)])
def test_rest_days_follow_the_plan_and_one_miss_is_always_forgiven(planned: int | None,
                                                                   rest: int) -> None:
    assert rest_days_allowed(planned) == rest


def test_every_day_active() -> None:
    result = streaks([d(i) for i in range(5)], d(4), days_per_week=7)
    assert result.current is not None
    assert (result.current.start, result.current.end) == (d(0), d(4))
    assert result.current.days == 5 and result.current.active_days == 5


def test_today_not_done_yet_does_not_break_the_streak() -> None:
    result = streaks([d(0), d(1), d(2)], d(3), days_per_week=7)
    assert result.current is not None and result.current.days == 3


def test_one_missed_day_is_forgiven_even_when_planning_every_day() -> None:
    # Lally et al. 2010: one missed day did not harm habit formation.
    result = streaks([d(0), d(1), d(3), d(4)], d(4), days_per_week=7)
    assert result.current is not None
    assert result.current.days == 5 and result.current.active_days == 4


def test_more_rest_than_planned_in_a_week_breaks_the_streak() -> None:
    # Planning 5 days: 2 rest days a week. Mon, Thu and Fri active: Tue and Wed are the two
    # rest days. Then Sat, Sun and Mon... Sat and Sun would be rest days 3 and 4 of that week.
    active = [d(0), d(3), d(4), d(7)]
    result = streaks(active, d(7), days_per_week=5)
    assert result.current is not None
    assert result.current.start == d(7) and result.current.days == 1
    assert result.best is not None
    assert (result.best.start, result.best.end, result.best.days) == (d(0), d(4), 5)


def test_rest_allowance_is_per_calendar_week() -> None:
    # Planning 6 days (1 rest day a week): rest on Sunday d(6) and again on Monday d(7) is fine,
    # because they are in different weeks.
    active = [d(i) for i in range(6)] + [d(i) for i in range(8, 12)]
    result = streaks(active, d(11), days_per_week=6)
    assert result.current is not None and result.current.start == d(0)
    assert result.current.days == 12 and result.current.active_days == 10
    # Two rest days in one week break it.
    broken = streaks([d(0), d(1), d(4)], d(4), days_per_week=6)
    assert broken.current is not None and broken.current.start == d(4)


def test_rest_days_after_the_last_session_keep_it_alive_without_adding() -> None:
    result = streaks([d(0), d(1)], d(4), days_per_week=4)  # 3 rest days allowed
    assert result.current is not None and result.current.days == 2
    gone = streaks([d(0), d(1)], d(6), days_per_week=4)  # the 4th rest day breaks it
    assert gone.current is None
    assert gone.best is not None and gone.best.days == 2


def test_an_injury_pause_freezes_the_streak() -> None:
    active = [d(0), d(1), d(2), d(17), d(18)]
    pause = DateRange(d(3), d(16))
    result = streaks(active, d(18), days_per_week=7, pauses=[pause])
    assert result.current is not None
    assert result.current.start == d(0)
    # Paused days neither count nor break: 3 days before, 2 after.
    assert result.current.days == 5 and result.current.active_days == 5
    without = streaks(active, d(18), days_per_week=7)
    assert without.current is not None and without.current.start == d(17)


def test_a_running_pause_keeps_the_current_streak() -> None:
    active = [d(0), d(1), d(2)]
    pauses = pause_freeze(d(30), None, active, today=d(20))
    assert pauses == [DateRange(d(3), d(20))]
    result = streaks(active, d(20), days_per_week=7, pauses=pauses)
    assert result.current is not None and result.current.days == 3


def test_pause_with_a_known_start() -> None:
    assert pause_freeze(d(10), d(5), [d(0)], today=d(20)) == [DateRange(d(5), d(10))]
    assert pause_freeze(None, None, [d(0)], today=d(20)) == []
    assert pause_freeze(d(3), None, [d(3)], today=d(20)) == []


def test_no_logs_no_streak() -> None:
    result = streaks([], d(0), days_per_week=3)
    assert result.current is None and result.best is None


def test_future_dates_are_ignored() -> None:
    result = streaks([d(5)], d(0), days_per_week=3)
    assert result.current is None


@settings(max_examples=300, deadline=None)
@given(
    days=st.sets(st.integers(min_value=0, max_value=60), max_size=40),
    planned=st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
    today=st.integers(min_value=0, max_value=61),
    pause=st.one_of(st.none(), st.tuples(st.integers(0, 60), st.integers(0, 20))),
)
def test_streak_invariants(days: set[int], planned: int | None, today: int,
                           pause: tuple[int, int] | None) -> None:
    pauses = [DateRange(d(pause[0]), d(pause[0] + pause[1]))] if pause else []
    result = streaks([d(i) for i in days], d(today), days_per_week=planned, pauses=pauses)
    if result.current is not None:
        assert result.best is not None and result.best.days >= result.current.days
        assert result.current.end <= d(today)
    for streak in (result.current, result.best):
        if streak is not None:
            assert 1 <= streak.active_days <= streak.days
            assert streak.start in {d(i) for i in days} and streak.end in {d(i) for i in days}
    # Doing a session today never shortens the current streak.
    more = streaks([d(i) for i in days | {today}], d(today), days_per_week=planned, pauses=pauses)
    assert more.current is not None
    if result.current is not None:
        assert more.current.days >= result.current.days
