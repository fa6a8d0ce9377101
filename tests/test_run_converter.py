"""Reading a planned run and giving the same workout on the activities a runner can do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.profile import RunnerProfile
from bot.coach.run_converter import (
    COULD_NOT_READ,
    DEFAULT_PACE_SEC_PER_KM,
    RunWorkout,
    UnreadableRun,
    conversion,
    convert,
    format_pace,
    parse_pace,
    parse_run,
)
from bot.coach.safety import assess_session
from bot.coach.suggest import PastSession
from bot.content import PHASES, ContentPack

EVERYTHING = frozenset({"road_bike", "turbo_trainer", "mountain_bike", "pool", "elliptical",
                        "ski_machine", "rowing_machine"})

# (phrase, type, reps, work seconds, recovery seconds, total minutes, rpe, needs_pace)
# with the user's usual pace 5:00/km unless the phrase gives one.
PHRASES = [
    ("6x800m with 90s jog", "intervals", 6, 210, 90, 45, 8, False),  # 800 m at 4:15/km
    ("tempo 20 min", "tempo", 1, 1200, 0, 35, 7, False),
    ("8 x 60s hills", "hills", 8, 60, 60, 31, 8, False),
    ("long run 1h45", "long", 1, 6300, 0, 105, 4, False),
    ("easy 40 min", "easy", 1, 2400, 0, 40, 3, False),
    ("10k at 5:00/km", "easy", 1, 3000, 0, 50, 3, False),
    ("5k easy", "easy", 1, 1500, 0, 25, 3, False),
    ("3x10 min at threshold", "tempo", 3, 600, 120, 51, 7, False),
    ("fartlek 30 min", "intervals", 7, 60, 60, 30, 7, False),
    ("recovery jog 25 min", "recovery", 1, 1500, 0, 25, 2, False),
    ("hill repeats 6x2min", "hills", 6, 120, 120, 39, 8, False),
    ("half marathon pace 2x15min", "tempo", 2, 900, 180, 51, 7, False),
    ("Long run 1:45", "long", 1, 6300, 0, 105, 4, False),
    ("90 min long run", "long", 1, 5400, 0, 90, 4, False),
    ("5 x 1k at 5k pace with 2 min rest", "intervals", 5, 255, 120, 47, 8, False),
    ("4 x 1 mile, 3 min recovery", "intervals", 4, 405, 180, 54, 8, False),
    ("6 × 3' / 2'", "intervals", 6, 180, 120, 45, 8, False),
    ("marathon pace 40 min", "tempo", 1, 2400, 0, 55, 6, False),
    ("easy 100 min", "long", 1, 6000, 0, 100, 4, False),
    ("intervals 40 min", "intervals", 5, 180, 120, 40, 8, False),
]


@pytest.mark.parametrize(("phrase", "kind", "reps", "work", "rest", "total", "rpe", "ask"),
                         PHRASES)
def test_run_phrasings(phrase: str, kind: str, reps: int, work: int, rest: int, total: int,
                       rpe: int, ask: bool) -> None:
    run = parse_run(phrase, pace_sec_per_km=300)
    assert isinstance(run, RunWorkout), phrase
    assert (run.type, run.reps, run.work_seconds, run.recovery_seconds, run.total_minutes,
            run.rpe, run.needs_pace) == (kind, reps, work, rest, total, rpe, ask)


@pytest.mark.parametrize("nonsense", ["asdf", "", "   ", "tempo", "run", "hello coach",
                                      "🏃", "x" * 5000, "99 x 800m", "0 x 400m",
                                      "fartlek 5 min"])
def test_nonsense_gets_an_example(nonsense: str) -> None:
    result = parse_run(nonsense)
    assert isinstance(result, UnreadableRun)
    assert result.message.startswith("I couldn't read that run; try e.g. ")
    assert result.message == COULD_NOT_READ


def test_distance_without_a_pace_asks_for_one() -> None:
    run = parse_run("5k easy")
    assert isinstance(run, RunWorkout)
    assert run.needs_pace
    assert run.total_minutes == 5 * DEFAULT_PACE_SEC_PER_KM // 60  # 6:00/km assumed: 30 min
    with_pace = parse_run("5k easy", pace_sec_per_km=330)
    assert isinstance(with_pace, RunWorkout) and not with_pace.needs_pace
    assert with_pace.total_minutes == 28  # 27.5 minutes, rounded up
    time_only = parse_run("tempo 20 min")
    assert isinstance(time_only, RunWorkout) and not time_only.needs_pace


def test_a_written_pace_wins_and_can_make_it_tempo() -> None:
    run = parse_run("10k at 5:00/km", pace_sec_per_km=345)
    assert isinstance(run, RunWorkout)
    # 50 minutes at tempo, with a warm-up and cool-down around it like any tempo run.
    assert (run.type, run.work_seconds, run.total_minutes, run.needs_pace) == (
        "tempo", 3000, 65, False)
    per_mile = parse_run("6 miles at 8:00/mi")
    assert isinstance(per_mile, RunWorkout) and per_mile.total_minutes == 48


@pytest.mark.parametrize(("text", "seconds"), [
    ("5:30", 330), ("5:30/km", 330), ("5.30 min/km", 330), ("9:00/mi", 336),
    ("9 min/mile", 336), ("6 minutes per km", 360), ("abc", None), ("0:40/km", None),
    ("5:75", None),
])
def test_usual_pace(text: str, seconds: int | None) -> None:
    assert parse_pace(text) == seconds


def test_format_pace() -> None:
    assert format_pace(330) == "5:30/km"


# ------------------------------------------------------------------------------- converting


def _run(text: str) -> RunWorkout:
    run = parse_run(text, pace_sec_per_km=300)
    assert isinstance(run, RunWorkout)
    return run


def test_intervals_stay_intervals_with_the_same_reps_and_rest(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=EVERYTHING)
    run = _run("6x800m with 90s jog")
    options = convert(content, profile, run)
    assert {o.activity.id for o in options} >= {"turbo", "pool_running", "elliptical", "rowing"}
    for option in options:
        (main,) = option.session.main
        assert (main.repeats, main.work_seconds, main.recovery_seconds) == (6, 210, 90)
        assert main.rpe == 8 and option.rpe == 8
        assert option.session.intensity == "intervals"
        assert option.minutes % 5 == 0 and option.minutes >= run.total_minutes
        assert option.minutes == 45
        assert abs(option.session.block_minutes - option.minutes) < 1
    assert "walking" not in {o.activity.id for o in options}  # no interval walking


def test_the_long_run_stays_long(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=EVERYTHING)
    options = {o.activity.id: o for o in convert(content, profile, _run("long run 1h45"))}
    assert options["road_bike"].session.intensity == "long"
    assert options["road_bike"].minutes == 105
    assert options["hiking"].minutes == 160  # 1.5 x 105 on foot, per the walking note
    assert options["road_bike"].ready_made is not None
    assert options["road_bike"].ready_made.id == "road_long_ride"


def test_notes_say_how_each_activity_differs(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=EVERYTHING)
    options = {o.activity.id: o for o in convert(content, profile, _run("tempo 20 min"))}
    assert "10-15 beats per minute lower" in options["pool_running"].note
    assert "not a like-for-like match for running muscles" in options["road_bike"].relevance
    assert list(options)[:2] == ["pool_running", "elliptical"]  # closest to running first


def test_only_the_users_equipment_and_safe_activities(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, injury_status="injured",
                            condition_id="bone_stress_injury", phase="acute",
                            equipment=frozenset({"pool", "elliptical"}))
    ids = [o.activity.id for o in convert(content, profile, _run("easy 40 min"))]
    assert "pool_running" in ids and "swimming" in ids
    assert "elliptical" not in ids and "walking" not in ids  # weight-bearing: avoided
    assert "turbo" not in ids  # no turbo trainer


def test_hill_reps_on_a_bike_are_checked_as_knee_load(content: ContentPack) -> None:
    options = convert(content, RunnerProfile(user_id=1, equipment=EVERYTHING),
                      _run("hill repeats 6x2min"))
    by_id = {o.activity.id: o.session for o in options}
    assert "knee_load" in by_id["turbo"].load_tags
    assert "hills" in by_id["walking"].load_tags


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_conversions_never_break_an_avoid_rule_or_need_missing_kit(
        content: ContentPack, data: st.DataObject) -> None:
    condition = data.draw(st.sampled_from([None, *content.conditions]))
    phase = data.draw(st.sampled_from(PHASES)) if condition else None
    equipment = data.draw(st.frozensets(st.sampled_from(sorted(content.equipment))))
    phrase = data.draw(st.sampled_from([p[0] for p in PHRASES]))
    red_flags = data.draw(st.sampled_from([(), ("night_pain",)]))
    profile = RunnerProfile(user_id=1, injury_status="injured" if condition else "none",
                            condition_id=condition, phase=phase, equipment=equipment,
                            red_flags=red_flags)
    run = _run(phrase)
    for option in convert(content, profile, run):
        assert set(option.activity.equipment) - {"nothing"} <= equipment
        mode = "protect" if red_flags else "normal"
        careful_phase = "acute" if red_flags else phase
        verdict = assess_session(content, option.session, condition, careful_phase, mode=mode)
        assert verdict.verdict != "avoid"
        if red_flags:  # stepped down: easy work only, and short
            assert option.session.intensity == "easy" and option.minutes <= 30
        else:
            assert option.session.intensity == run.type
        if option.ready_made is not None:
            assert content.session_equipment(option.ready_made) <= equipment | {"nothing"}
            assert assess_session(content, option.ready_made, condition, careful_phase,
                                  mode=mode).allowed


def test_arm_cardio_only_stands_in_for_easy_runs_and_stays_short(
        content: ContentPack) -> None:
    # Acute bone stress with no kit: arm cardio is the only stand-in, and only for easy runs.
    profile = RunnerProfile(user_id=1, injury_status="injured",
                            condition_id="bone_stress_injury", phase="acute")
    (easy,) = convert(content, profile, _run("easy 40 min"))
    assert easy.activity.id == "seated_cardio"
    assert easy.minutes == 30  # capped: the shoulders give out long before the heart
    assert "Cut to 30 min" in easy.note and "heart rate" in easy.note
    assert easy.ready_made is not None and easy.ready_made.activity == "seated_cardio"
    (recovery,) = convert(content, profile, _run("recovery jog 20 min"))
    assert recovery.minutes == 20 and "Cut to" not in recovery.note
    for hard in ("6x800m with 90s jog", "tempo 20 min", "long run 1h45", "8 x 60s hills"):
        assert convert(content, profile, _run(hard)) == [], hard


@pytest.mark.parametrize("minutes", [20, 30, 45])
def test_a_converted_run_never_exceeds_the_runners_time(content: ContentPack,
                                                         minutes: int) -> None:
    profile = RunnerProfile(user_id=1, equipment=EVERYTHING, minutes_per_session=minutes)
    for phrase in ("long run 1h45", "6x800m with 90s jog", "marathon", "easy 40 min"):
        options = convert(content, profile, _run(phrase))
        assert options, phrase
        for option in options:
            assert option.minutes <= minutes, (phrase, option.activity.id, option.minutes)
            assert option.session.block_minutes <= minutes + 1
            if option.ready_made is not None:
                assert option.ready_made.minutes <= minutes
        cut = [o for o in options if f"to fit your {minutes} minutes" in o.note]
        if _run(phrase).total_minutes > minutes:
            assert cut, phrase  # the runner is told the version was cut to fit


def test_converted_walks_and_hikes_carry_their_load(content: ContentPack) -> None:
    healthy = RunnerProfile(user_id=1, minutes_per_session=120)
    options = {o.activity.id: o for o in convert(content, healthy, _run("long run 2:30"))}
    assert options["hiking"].minutes <= 180 and options["walking"].minutes <= 120
    hike_tags = content.session_load_tags(options["hiking"].session)
    assert {"hills", "downhill", "uneven_ground", "long_duration"} <= hike_tags
    # A fresh stress fracture gets neither, whatever the time.
    fracture = RunnerProfile(user_id=1, injury_status="injured", phase="acute",
                             condition_id="bone_stress_injury", minutes_per_session=120)
    assert {"walking", "hiking"}.isdisjoint(
        o.activity.id for o in convert(content, fracture, _run("long run 2:30")))


def test_a_warning_sign_converts_to_work_that_spares_the_area_or_rest(
        content: ContentPack) -> None:
    sprain = RunnerProfile(user_id=1, injury_status="injured", condition_id="ankle_sprain",
                           phase="acute", red_flags=("screen",), minutes_per_session=45,
                           equipment=EVERYTHING)
    result = conversion(content, sprain, _run("long run 1h45"), [], date(2026, 3, 5))
    assert result.mode == "protect" and result.urgency == "same_day"
    for option in result.options:
        assert option.activity.id not in {"walking", "hiking", "elliptical", "ski_erg",
                                          "running", "rowing"}
        assert not content.session_load_tags(option.session) & {"weight_bearing", "impact"}
    back = RunnerProfile(user_id=1, injury_status="injured", condition_id="low_back_pain",
                         phase="acute", red_flags=("condition",), equipment=EVERYTHING)
    emergency = conversion(content, back, _run("easy 40 min"), [], date(2026, 3, 5))
    assert emergency.mode == "emergency" and emergency.options == []


def test_after_high_pain_the_run_steps_down_to_easy_work(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=EVERYTHING)
    today = date(2026, 3, 5)
    sore = [PastSession(today - timedelta(days=1), "swimming", None, 30, 4, 4)]
    for phrase in ("6x800m with 90s jog", "long run 1h45", "tempo 20 min", "easy 40 min"):
        plain = conversion(content, profile, _run(phrase), [], today)
        assert plain.stepped_down_because is None and not plain.see_clinician
        assert plain.run == _run(phrase)
        careful = conversion(content, profile, _run(phrase), sore, today)
        assert careful.stepped_down_because == "you reported pain of 4/10"
        assert careful.see_clinician
        assert careful.run.type == "easy" and careful.run.total_minutes <= 30
        assert careful.options
        for option in careful.options:
            assert option.session.intensity == "easy" and option.minutes <= 30
            # The most careful rules apply: "not sure", acute.
            assert assess_session(content, option.session, "not_sure", "acute").allowed
