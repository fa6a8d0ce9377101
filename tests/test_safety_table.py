"""The safety promise, checked by an independent witness over every option a runner can reach.

`tests/safety_witness.py` classifies every exercise, session, habit and activity by hand, from
what its text makes the runner do, and lists per condition and state the features the
guidelines rule out. Nothing here reads the pack's load tags or condition rules: the engine is
judged by a table it never sees.

The walk: a seeded sample of SAMPLE_SIZE profiles the onboarding and the logs can produce
(condition, status, pain 0-10, warning signs, clinician, onset, pain with daily life, recent
pain reports, every equipment subset, 10-120 minutes, 1-7 days). For each: the top pick, every
option "Another" cycles through, Shorter and Longer, the nearest fallback, the daily habit and
every habit it could progress to; for every WEEK_EVERY-th profile each day of /week, and for
every CONVERT_EVERY-th profile /convert of each of the WORKOUTS. It prints its counts and
fails on any contraindicated, infeasible or over-time option.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pytest

from bot.coach.nudge_choice import choose_nudge, frontier_habits, nudge_safety
from bot.coach.phases import phase_for
from bot.coach.profile import RED_FLAG_CONDITION, RED_FLAG_SCREEN, RED_FLAG_TEXT, RunnerProfile
from bot.coach.run_converter import RunWorkout, conversion, parse_run
from bot.coach.suggest import Constraints, PastSession, Suggestion, suggest
from bot.coach.week_plan import plan_week
from bot.content import ContentPack, Session
from tests import safety_witness as witness

# The size can be lowered while developing (CROSSCOACH_SAFETY_SAMPLE=5000); CI runs it whole.
SAMPLE_SIZE = int(os.environ.get("CROSSCOACH_SAFETY_SAMPLE", "200000"))
WEEK_EVERY = 10
CONVERT_EVERY = 10
SEED = 20261202
TODAY = date(2026, 12, 2)  # a Wednesday
PACE = 330  # 5:30/km, so distances convert without asking

WORKOUTS = (
    "6x800m with 90s jog", "tempo 20 min", "long run 1h45", "5k easy", "10k at 5:00/km",
    "8x400m w/ 200m jog", "hill repeats 8x60s", "recovery run 30 min", "half marathon",
    "fartlek 40 min", "3x2 miles at threshold with 3 min rest", "easy 45 min",
    "long run 2:30", "parkrun", "5x1k @ 4:00 w/ 2min rest", "progression run 50 min",
    "12x400 at 5k pace", "20 min tempo", "long run 18 miles", "easy run 8 km",
    "marathon",
)  # fmt: skip

Status = Literal["none", "injured", "returning"]
History = Literal["none", "calm", "rising", "past_stop", "warning_sign"]
HISTORIES: tuple[History, ...] = ("none", "calm", "rising", "past_stop", "warning_sign")
FLAG_SETS: tuple[tuple[str, ...], ...] = (
    (), (RED_FLAG_SCREEN,), (RED_FLAG_SCREEN, RED_FLAG_CONDITION), (RED_FLAG_TEXT,),
)
CLINICIAN = ("no", "seen", "cleared")
ONSET_DAYS = (None, 1, 5, 12, 20, 30, 90)
# The conditions whose own warning-sign list holds a sign that needs emergency care: cauda
# equina for the back, a blood clot for the calf. A yes to that list means no exercise at all.
EMERGENCY_LISTS = frozenset({"low_back_pain", "calf_strain"})


@dataclass(frozen=True)
class Case:
    condition: str | None
    status: Status
    pain: int | None
    flags: tuple[str, ...]
    clinician: str
    onset_days: int | None
    hurts_daily: bool
    history: History
    equipment: frozenset[str]
    minutes: int
    days: int


# ------------------------------------------------------------------- the witness's own reading


def witness_state(case: Case) -> str:
    """The state the guidelines put this runner in, written from the product's rules (not the
    engine's): warning signs and high pain first, then irritability and time, then clearance."""
    if case.condition is None and case.history in ("none", "calm"):
        return "none"
    cleared = case.clinician == "cleared"
    if case.flags and not cleared:
        if RED_FLAG_CONDITION in case.flags and case.condition in EMERGENCY_LISTS:
            return "emergency"
        return "protect"
    if (case.pain or 0) >= 5 or case.history in ("past_stop", "warning_sign"):
        return "protect"
    if case.condition is None or case.history == "rising":
        return "acute"
    if case.hurts_daily or (case.pain or 0) >= 4:
        return "acute"
    first_weeks = {"bone_stress_injury": 21, "achilles_midportion": 14,
                   "achilles_insertional": 14, "patellar_tendinopathy": 14}
    days = first_weeks.get(case.condition, 0)
    if days and not cleared and (case.onset_days is None or case.onset_days < days):
        return "acute"
    if case.status == "returning":
        if case.condition == "bone_stress_injury" and not cleared:
            return "settling"
        if case.clinician == "no":
            return "settling"
        return "returning"
    return "settling"


def witness_condition(case: Case) -> str | None:
    if case.condition is None and case.history not in ("none", "calm"):
        return "not_sure"  # pain without a named injury: the careful rules
    return case.condition


def session_features(pack: ContentPack, session: Session) -> frozenset[str]:
    if session.id.startswith("converted_"):
        raise AssertionError("use converted_features for /convert sessions")
    cached = _FEATURES.get(session.id)
    if cached is not None:
        return cached
    features = set(witness.SESSION_FEATURES[session.id])
    features |= witness.ACTIVITY_FEATURES[session.activity]
    for exercise_id in session.exercise_ids:
        features |= witness.EXERCISE_FEATURES[exercise_id]
    _FEATURES[session.id] = frozenset(features)
    return _FEATURES[session.id]


_FEATURES: dict[str, frozenset[str]] = {}


# --------------------------------------------------------------------------- the engine's side


def profile_of(pack: ContentPack, case: Case) -> RunnerProfile:
    """The profile the onboarding stores for these answers."""
    injured = case.status != "none"
    started = None if case.onset_days is None else TODAY - timedelta(days=case.onset_days)
    seen = case.clinician != "no"
    cleared = case.clinician == "cleared"
    phase = phase_for(pack, case.status, case.condition, pain=case.pain, started_on=started,
                      hurts_daily_life=case.hurts_daily, clinician_seen=seen,
                      clinician_cleared=cleared, today=TODAY) if injured else None
    return RunnerProfile(
        user_id=1, injury_status=case.status, condition_id=case.condition if injured else None,
        phase=phase, pain_today=case.pain if injured else None,
        clinician_seen=seen if injured else None, red_flags=case.flags if injured else (),
        equipment=case.equipment, minutes_per_session=case.minutes,
        days_per_week=case.days, run_pace_sec_per_km=PACE, injury_started_on=started,
        hurts_daily_life=case.hurts_daily if injured else None, clinician_cleared=cleared,
    )


def history_of(case: Case) -> list[PastSession]:
    yesterday, before = TODAY - timedelta(days=1), TODAY - timedelta(days=3)
    if case.history == "calm":
        return [PastSession(before, "swimming", None, 30, 3, 0),
                PastSession(yesterday, "swimming", None, 30, 3, 0)]
    if case.history == "rising":
        return [PastSession(before, "swimming", None, 30, 3, 1),
                PastSession(yesterday, "swimming", None, 30, 4, 3)]
    if case.history == "past_stop":
        return [PastSession(yesterday, "strength", None, 30, 6, 9)]
    if case.history == "warning_sign":
        return [PastSession(yesterday, "swimming", None, 30, 3, 2, red_flag=True)]
    return []


def random_case(rng: random.Random, pack: ContentPack, kit: list[str]) -> Case:
    condition: str | None = rng.choice([None, *witness.CONDITIONS_INJURED])
    status: Status = "none" if condition is None else rng.choice(("injured", "returning"))
    return Case(
        condition=condition, status=status,
        pain=None if status == "none" else rng.randint(0, 10),
        flags=() if status == "none" else rng.choice(FLAG_SETS),
        clinician=rng.choice(CLINICIAN), onset_days=rng.choice(ONSET_DAYS),
        hurts_daily=rng.random() < 0.4, history=rng.choice(HISTORIES),
        equipment=frozenset(k for k in kit if rng.random() < 0.5),
        minutes=rng.choice((10, 15, 20, 25, 30, 45, 60, 75, 90, 120)),
        days=rng.randint(1, 7),
    )


# ---------------------------------------------------------------------------------- the walk


@dataclass
class Tally:
    profiles: int = 0
    options: int = 0
    habits: int = 0
    week_days: int = 0
    conversions: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def bad(self, kind: str, where: str, case: Case, what: str) -> None:
        key = f"{kind}: {where}"
        self.problems[kind] += 1
        self.examples.setdefault(key, f"{what} for {case}")


def limit_of(case: Case) -> int:
    return 90 if case.minutes == 60 else case.minutes  # the "60+" choice means up to 90


def check_session(pack: ContentPack, tally: Tally, case: Case, session: Session,
                  where: str, features: frozenset[str] | None = None) -> None:
    tally.options += 1
    state, condition = witness_state(case), witness_condition(case)
    feats = features if features is not None else session_features(pack, session)
    found = witness.contraindications(feats, condition, state)
    if found:
        tally.bad("contraindicated", where, case, f"{session.id} {sorted(found)} in {state}")
    if not pack.session_equipment(session) <= case.equipment:
        tally.bad("infeasible", where, case, session.id)
    if session.minutes > limit_of(case):
        tally.bad("over-time", where, case, f"{session.id} {session.minutes} min")


def check_suggestions(pack: ContentPack, tally: Tally, case: Case, profile: RunnerProfile,
                      history: list[PastSession]) -> None:
    result = suggest(pack, profile, history, TODAY)
    reachable: list[tuple[str, Suggestion]] = [("Another", s) for s in result.ranked]
    if result.nearest is not None:
        reachable.append(("nearest", result.nearest))
    shown = result.top
    if shown is not None:
        for preference in ("shorter", "longer"):
            other = suggest(pack, profile, history, TODAY, Constraints(
                preference=preference, reference_minutes=shown.session.minutes,
                exclude_ids=frozenset({shown.session.id})))
            reachable += [(preference, s) for s in other.ranked]
            if other.nearest is not None:
                reachable.append((f"{preference} nearest", other.nearest))
    for where, option in reachable:
        check_session(pack, tally, case, option.session, where)


def check_habits(pack: ContentPack, tally: Tally, case: Case, profile: RunnerProfile,
                 history: list[PastSession]) -> None:
    condition, phase, mode = nudge_safety(pack, profile, history, TODAY)
    state, wcondition = witness_state(case), witness_condition(case)
    nudges = set()
    choice = choose_nudge(pack, user_id=1, today=TODAY, condition_id=condition, phase=phase,
                          mode=mode)
    if choice is not None and choice.kind == "habit":
        nudges.add(choice.content_id)
    # Every habit the runner could progress to: all levels counted as practised.
    practised = {n: 99 for n in pack.nudges}
    for counts in ({}, practised):
        nudges |= {n.id for n in frontier_habits(pack, condition, phase, counts, mode=mode)}
    for nudge_id in nudges:
        tally.habits += 1
        nudge = pack.nudges[nudge_id]
        feats = set(witness.NUDGE_FEATURES[nudge_id])
        if nudge.exercise:
            feats |= witness.EXERCISE_FEATURES[nudge.exercise]
        found = witness.contraindications(frozenset(feats), wcondition, state)
        if found:
            tally.bad("contraindicated", "habit", case, f"{nudge_id} {sorted(found)} in {state}")


def check_week(pack: ContentPack, tally: Tally, case: Case, profile: RunnerProfile,
               history: list[PastSession]) -> None:
    for day in plan_week(pack, profile, history, TODAY):
        tally.week_days += 1
        if day.suggestion is not None:
            check_session(pack, tally, case, day.suggestion.session, "/week")
        elif day.run_type is not None:
            found = witness.contraindications(witness.ACTIVITY_FEATURES["running"],
                                              witness_condition(case), witness_state(case))
            if found:
                tally.bad("contraindicated", "/week run", case, f"run {sorted(found)}")
            if (day.minutes or 0) > limit_of(case):
                tally.bad("over-time", "/week run", case, f"run {day.minutes} min")


def check_convert(pack: ContentPack, tally: Tally, case: Case, profile: RunnerProfile,
                  history: list[PastSession], runs: list[RunWorkout]) -> None:
    for run in runs:
        result = conversion(pack, profile, run, history, TODAY)
        for option in result.options:
            tally.conversions += 1
            feats = witness.converted_features(option.activity.id, option.session.intensity,
                                               option.minutes)
            check_session(pack, tally, case, option.session, "/convert", feats)
            if option.ready_made is not None:
                check_session(pack, tally, case, option.ready_made, "/convert ready-made")


def merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.profiles += tally.profiles
        total.options += tally.options
        total.habits += tally.habits
        total.week_days += tally.week_days
        total.conversions += tally.conversions
        total.problems.update(tally.problems)
        for key, example in tally.examples.items():
            total.examples.setdefault(key, example)
    return total


def _walk_chunk(args: tuple[ContentPack, int, int]) -> Tally:
    pack, size, seed = args
    return walk(pack, size, seed)


def walk_parallel(pack: ContentPack, size: int) -> Tally:
    """The walk split over the machine's cores (forked workers, one seed each)."""
    workers = max(1, min(os.cpu_count() or 1, 4))
    chunks = [(pack, size // workers + (1 if i < size % workers else 0), SEED + i)
              for i in range(workers)]
    if workers == 1:
        return _walk_chunk(chunks[0])
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return merge(pool.map(_walk_chunk, chunks))


def walk(pack: ContentPack, size: int, seed: int = SEED) -> Tally:
    rng = random.Random(seed)
    kit = sorted(e for e in pack.equipment if e != "nothing")
    runs = []
    for text in WORKOUTS:
        run = parse_run(text, PACE)
        assert isinstance(run, RunWorkout), text
        runs.append(run)
    tally = Tally()
    for i in range(size):
        case = random_case(rng, pack, kit)
        profile, history = profile_of(pack, case), history_of(case)
        tally.profiles += 1
        check_suggestions(pack, tally, case, profile, history)
        check_habits(pack, tally, case, profile, history)
        if i % WEEK_EVERY == 0:
            check_week(pack, tally, case, profile, history)
        if i % CONVERT_EVERY == 0:
            check_convert(pack, tally, case, profile, history, runs)
    return tally


# ----------------------------------------------------------------------------------- the tests


def test_every_pack_item_is_classified_by_hand(content: ContentPack) -> None:
    missing = witness.unclassified({
        "exercises": set(content.exercises), "sessions": set(content.sessions),
        "nudges": set(content.nudges), "activities": set(content.activities),
    })
    assert missing == [], f"classify these in tests/safety_witness.py: {missing}"


def test_every_condition_has_a_witness_row(content: ContentPack) -> None:
    assert set(content.conditions) == set(witness.CONDITIONS_INJURED)


@pytest.mark.parametrize("case", [
    # A sprain they could not walk on: no walking or standing anywhere.
    Case("ankle_sprain", "injured", 6, (RED_FLAG_SCREEN, RED_FLAG_CONDITION), "no", 1, True,
         "none", frozenset({"pool", "turbo_trainer", "elliptical", "dumbbells"}), 45, 4),
    # A fresh stress fracture with no pain today is still in its first weeks.
    Case("bone_stress_injury", "injured", 0, (), "no", 5, False, "none",
         frozenset({"pool", "road_bike", "step", "dumbbells"}), 60, 5),
    # Coming back from a stress fracture, 3/10, never seen: no games, no hops.
    Case("bone_stress_injury", "returning", 3, (), "no", 90, False, "none",
         frozenset({"step"}), 60, 5),
    # After a 9/10 session, the "gentlest" option is not split squats or calf raises.
    Case("calf_strain", "injured", 2, (), "seen", 12, False, "past_stop",
         frozenset({"dumbbells", "step", "resistance_band"}), 30, 3),
])
def test_profiles_the_review_found_unsafe(content: ContentPack, case: Case) -> None:
    tally = Tally()
    profile, history = profile_of(content, case), history_of(case)
    check_suggestions(content, tally, case, profile, history)
    check_habits(content, tally, case, profile, history)
    check_week(content, tally, case, profile, history)
    runs = [r for r in (parse_run(t, PACE) for t in WORKOUTS) if isinstance(r, RunWorkout)]
    check_convert(content, tally, case, profile, history, runs)
    assert not tally.problems, tally.examples


def test_the_witness_catches_an_unsafe_option(content: ContentPack) -> None:
    """The check can fail: a standing calf raise session offered to a runner who cannot bear
    weight is reported."""
    case = Case("ankle_sprain", "injured", 6, (RED_FLAG_SCREEN,), "no", 1, True, "none",
                frozenset(), 45, 3)
    standing = next(s for s in content.sessions.values()
                    if "standing" in session_features(content, s))
    tally = Tally()
    check_session(content, tally, case, standing, "planted")
    assert tally.problems["contraindicated"] == 1


def test_nothing_reachable_is_unsafe_infeasible_or_over_time(
        content: ContentPack, capsys: pytest.CaptureFixture[str]) -> None:
    tally = walk_parallel(content, SAMPLE_SIZE)
    with capsys.disabled():  # the counts belong in every test log, CI's included
        print(f"\nsafety table: {tally.profiles} profiles, {tally.options} options, "
              f"{tally.habits} habits, {tally.week_days} week days, "
              f"{tally.conversions} conversions; "
              f"{tally.problems['contraindicated']} contraindicated, "
              f"{tally.problems['infeasible']} infeasible, "
              f"{tally.problems['over-time']} over-time")
    assert not tally.problems, "\n".join(list(tally.examples.values())[:30])
