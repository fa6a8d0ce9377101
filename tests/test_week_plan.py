"""The 7-day plan: the runner's days and minutes, hard days apart, long day at the weekend."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.profile import MINUTE_CHOICES, RunnerProfile
from bot.coach.safety import assess_session
from bot.coach.suggest import PastSession, time_limit
from bot.coach.week_plan import PlannedDay, plan_week
from bot.content import PHASES, ContentPack

MONDAY = date(2026, 3, 2)
BROAD = frozenset({"road_bike", "turbo_trainer", "pool", "elliptical", "kettlebell",
                   "resistance_band"})


def _check(content: ContentPack, profile: RunnerProfile, days: list[PlannedDay],
           start: date) -> None:
    assert [d.day for d in days] == [start + timedelta(days=i) for i in range(7)]
    wanted = max(1, min(7, profile.days_per_week or 3))
    assert sum(not d.rest for d in days) == wanted
    for before, after in pairwise(days):
        assert not (before.hard and after.hard), (before.label, after.label)
    limit = time_limit(profile.minutes_per_session) or 90
    have = set(profile.equipment) | {"nothing"}
    for day in days:
        if profile.injury_status != "none":
            assert not day.is_run, "running days only when not injured"
        if day.suggestion is None:
            continue
        session = day.suggestion.session
        assert session.minutes <= limit
        assert content.session_equipment(session) <= have
        if profile.condition_id:
            verdict = assess_session(content, session, profile.condition_id, profile.phase)
            assert verdict.verdict != "avoid", session.id
            # A caution note asks for easy work: never a hard session under one.
            assert not (verdict.verdict == "caution" and day.hard), session.id


def test_four_days_for_a_healthy_runner(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45,
                            days_per_week=4)
    days = plan_week(content, profile, [], MONDAY)
    _check(content, profile, days, MONDAY)
    long_day = next(d for d in days if d.role == "long")
    assert long_day.day.weekday() == 6  # Sunday
    assert long_day.run_type == "long"  # not injured: the long run stays a run
    assert sum(d.hard for d in days) == 2
    assert any(d.role == "strength" for d in days)
    assert [d.label for d in days if d.rest] == ["Rest"] * 3


def test_an_injured_runner_gets_no_running_days(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, injury_status="injured", condition_id="shin_splints",
                            phase="settling", equipment=BROAD, minutes_per_session=60,
                            days_per_week=5)
    days = plan_week(content, profile, [], MONDAY)
    _check(content, profile, days, MONDAY)
    long_day = next(d for d in days if d.role == "long")
    assert long_day.day.weekday() in (5, 6)
    assert long_day.suggestion is not None
    assert long_day.suggestion.session.minutes >= 60  # the longest that fits, up to 90
    sessions = [d.suggestion.session.id for d in days if d.suggestion]
    assert len(set(sessions)) == len(sessions)  # a varied week


def test_week_starting_midweek_keeps_the_weekend_long_day(content: ContentPack) -> None:
    thursday = MONDAY + timedelta(days=3)
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=30,
                            days_per_week=3)
    days = plan_week(content, profile, [], thursday)
    _check(content, profile, days, thursday)
    assert next(d for d in days if d.role == "long").day.weekday() == 6


def test_no_hard_day_right_after_a_hard_session(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, injury_status="injured", condition_id="calf_strain",
                            phase="returning", equipment=BROAD, minutes_per_session=45,
                            days_per_week=7)
    yesterday = PastSession(MONDAY - timedelta(days=1), "turbo", "turbo_tempo", 45, 8, 0)
    days = plan_week(content, profile, [yesterday], MONDAY)
    _check(content, profile, days, MONDAY)
    assert not days[0].hard


def test_pain_or_red_flags_mean_a_gentle_week(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, red_flags=("night_pain",), equipment=BROAD,
                            minutes_per_session=45, days_per_week=4)
    days = plan_week(content, profile, [], MONDAY)
    assert not any(d.hard or d.is_run or d.role == "long" for d in days)
    assert all(d.suggestion.see_clinician for d in days if d.suggestion)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_plan_keeps_the_rules(content: ContentPack, data: st.DataObject) -> None:
    condition = data.draw(st.sampled_from([None, *content.conditions]))
    phase = data.draw(st.sampled_from(PHASES)) if condition else None
    profile = RunnerProfile(
        user_id=1, injury_status="injured" if condition else "none", condition_id=condition,
        phase=phase, equipment=data.draw(st.frozensets(st.sampled_from(sorted(BROAD)))),
        minutes_per_session=data.draw(st.sampled_from([None, *MINUTE_CHOICES])),
        days_per_week=data.draw(st.sampled_from([None, 1, 2, 3, 4, 5, 6, 7])),
    )
    start = MONDAY + timedelta(days=data.draw(st.integers(0, 6)))
    days = plan_week(content, profile, [], start)
    _check(content, profile, days, start)
    weekend_training = [d for d in days if not d.rest and d.day.weekday() >= 5]
    long_days = [d for d in days if d.role == "long"]
    if long_days and weekend_training:
        assert long_days[0].day.weekday() >= 5


def test_legs_must_rest_and_no_kit_still_gets_cardio_days(content: ContentPack) -> None:
    # Acute bone stress, nothing at home: the easy and long days are arm cardio, not more
    # floor strength, and nothing puts weight through the legs.
    profile = RunnerProfile(user_id=1, injury_status="injured",
                            condition_id="bone_stress_injury", phase="acute",
                            minutes_per_session=30, days_per_week=4)
    days = plan_week(content, profile, [], MONDAY)
    _check(content, profile, days, MONDAY)
    long_day = next(d for d in days if d.role == "long")
    assert long_day.suggestion is not None
    assert content.activities[long_day.suggestion.session.activity].kind == "aerobic"
    for day in days:
        if day.suggestion is not None:
            tags = content.session_load_tags(day.suggestion.session)
            assert not tags & {"weight_bearing", "impact", "single_leg_load"}, day.label


def test_a_short_long_day_is_still_a_long_session(content: ContentPack) -> None:
    # 45 minutes a session: the long day is an unbroken long session that fits, not an
    # easy filler.
    profile = RunnerProfile(user_id=1, injury_status="injured", condition_id="shin_splints",
                            phase="settling", equipment=frozenset({"elliptical", "pool"}),
                            minutes_per_session=45, days_per_week=3)
    days = plan_week(content, profile, [], MONDAY)
    _check(content, profile, days, MONDAY)
    long_day = next(d for d in days if d.role == "long")
    assert long_day.suggestion is not None
    assert long_day.suggestion.session.intensity == "long"
    assert long_day.suggestion.session.minutes == 45
