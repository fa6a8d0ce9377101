"""Session suggestions: hard filters that never bend, and a ranking a runner would agree with."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.profile import MINUTE_CHOICES, RunnerProfile
from bot.coach.safety import assess_session
from bot.coach.suggest import (
    OPEN_ENDED_LIMIT,
    Constraints,
    PastSession,
    Suggestion,
    Suggestions,
    explain,
    is_gentle,
    suggest,
    time_limit,
)
from bot.content import PHASES, ContentPack

THURSDAY = date(2026, 3, 5)
BROAD = frozenset({"road_bike", "turbo_trainer", "pool", "elliptical", "rowing_machine",
                   "kettlebell", "dumbbells", "resistance_band", "mat", "step"})


def _injured(condition: str, phase: str, **fields: object) -> RunnerProfile:
    return RunnerProfile(user_id=1, injury_status="injured", condition_id=condition,
                         phase=phase, **fields)  # type: ignore[arg-type]


def _needs(pack: ContentPack, suggestion: Suggestion) -> set[str]:
    return pack.session_equipment(suggestion.session)


def _check_safe(pack: ContentPack, profile: RunnerProfile, result: Suggestions,
                limit: int | None) -> None:
    """What the user would be hurt or annoyed by: an avoided activity, missing kit, no answer."""
    have = set(profile.equipment) | {"nothing"}
    shown = list(result.ranked) + ([result.nearest] if result.nearest else [])
    for option in shown:
        verdict = assess_session(pack, option.session, profile.condition_id, profile.phase)
        if profile.injury_status != "none":
            assert verdict.verdict != "avoid", (option.session.id, profile)
        assert _needs(pack, option) <= have, (option.session.id, profile.equipment)
        assert option.reason and option.reason.endswith(".")
    for option in shown:
        if limit is not None:  # nothing reachable is ever longer than the runner's time
            assert option.session.minutes <= limit
    if not result.ranked:
        assert result.message


# --------------------------------------------------------------------------- hard filters


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_suggestion_breaks_an_avoid_rule_or_needs_missing_kit(content: ContentPack,
                                                                  data: st.DataObject) -> None:
    condition = data.draw(st.sampled_from([None, *content.conditions]), label="condition")
    phase = data.draw(st.sampled_from(PHASES), label="phase") if condition else None
    equipment = data.draw(st.frozensets(st.sampled_from(sorted(content.equipment))),
                          label="equipment")
    minutes = data.draw(st.sampled_from([None, *MINUTE_CHOICES, 5, 10, 20]), label="minutes")
    red_flags = data.draw(st.sampled_from([(), ("night_pain",)]), label="red_flags")
    pain = data.draw(st.sampled_from([None, 0, 3, 6]), label="pain")
    profile = RunnerProfile(
        user_id=1, injury_status="injured" if condition else "none", condition_id=condition,
        phase=phase, equipment=equipment, minutes_per_session=minutes, red_flags=red_flags,
    )
    history = [] if pain is None else [
        PastSession(THURSDAY - timedelta(days=1), "turbo", "turbo_easy_spin", 30, 4, pain)
    ]
    result = suggest(content, profile, history, THURSDAY)
    _check_safe(content, profile, result, time_limit(minutes))
    if red_flags or (pain is not None and pain >= 5):
        assert result.see_clinician
        assert all(is_gentle(content, s.session) for s in result.ranked)


def test_every_condition_phase_and_time_without_kit_or_with_all_of_it(
        content: ContentPack) -> None:
    everything = frozenset(content.equipment)
    for condition in [None, *content.conditions]:
        for phase in (PHASES if condition else (None,)):
            for minutes in (None, *MINUTE_CHOICES):
                for equipment in (frozenset(), everything):
                    profile = RunnerProfile(
                        user_id=1, injury_status="injured" if condition else "none",
                        condition_id=condition, phase=phase, equipment=equipment,
                        minutes_per_session=minutes)
                    result = suggest(content, profile, [], THURSDAY)
                    _check_safe(content, profile, result, time_limit(minutes))


def test_sixty_minutes_means_an_hour_or_more(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=60)
    result = suggest(content, profile, [], THURSDAY)
    longest = max(s.session.minutes for s in result.ranked)
    assert 60 < longest <= OPEN_ENDED_LIMIT


def test_equipment_of_exercises_counts(content: ContentPack) -> None:
    # lower_body_l3 needs dumbbells and a kettlebell through its exercises, not its activity.
    assert content.session_equipment(content.sessions["lower_body_l3"])
    bare = RunnerProfile(user_id=1, minutes_per_session=60)
    ids = {s.session.id for s in suggest(content, bare, [], THURSDAY).ranked}
    assert "lower_body_l3" not in ids
    assert "lower_body_l1" in ids


def test_when_nothing_fits_the_time_nothing_longer_is_offered(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, minutes_per_session=15)
    result = suggest(content, profile, [], THURSDAY, Constraints(max_minutes=5))
    assert result.ranked == ()
    assert result.nearest is None
    assert result.message is not None
    assert result.message.startswith("Nothing safe fits 5 minutes")


def test_when_the_kit_rules_everything_out_the_nearest_still_fits_the_time(
        content: ContentPack) -> None:
    profile = _injured("bone_stress_injury", "acute", minutes_per_session=20)
    result = suggest(content, profile, [], THURSDAY, Constraints(kind="sport"))
    assert result.ranked == () and result.nearest is not None
    assert result.nearest.session.minutes <= 20
    assert result.top is result.nearest


def test_kind_with_no_sessions_still_gets_a_safe_answer(content: ContentPack) -> None:
    profile = _injured("bone_stress_injury", "acute", minutes_per_session=15)
    result = suggest(content, profile, [], THURSDAY, Constraints(kind="sport"))
    assert result.ranked == ()
    assert result.nearest is not None
    verdict = assess_session(content, result.nearest.session, "bone_stress_injury", "acute")
    assert verdict.verdict != "avoid"


def test_excluding_everything_shows_the_best_again(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, minutes_per_session=30)
    result = suggest(content, profile, [], THURSDAY,
                     Constraints(exclude_ids=frozenset(content.sessions)))
    assert result.nearest is not None
    assert result.message == "That's every session that fits; here's the best one again."


# ------------------------------------------------------------------------------ the reasons


def test_the_reason_reads_like_a_coach(content: ContentPack) -> None:
    profile = _injured("shin_splints", "settling", equipment=frozenset({"turbo_trainer"}),
                       minutes_per_session=30)
    history = [
        PastSession(date(2026, 3, 3), "turbo", "turbo_easy_spin", 30, 3, 0),  # Tuesday
        PastSession(date(2026, 3, 4), "strength", "lower_body_l1", 20, 4, 0),
    ]
    result = suggest(content, profile, history, THURSDAY)
    turbo = next(s for s in result.ranked if s.session.id == "turbo_intervals_1min")
    assert turbo.reason == ("No impact for your shin splints; uses your turbo trainer; "
                            "30 min fits your time; you haven't done aerobic work since Tuesday.")


def test_caution_notes_come_with_the_session(content: ContentPack) -> None:
    cautious = []
    for condition in content.conditions:
        for phase in PHASES:
            profile = _injured(condition, phase, equipment=BROAD, minutes_per_session=60)
            for option in suggest(content, profile, [], THURSDAY).ranked:
                if option.verdict == "caution":
                    assert option.caution_notes
                    assert "with care" in option.reason
                    cautious.append(option)
    assert cautious  # the pack has caution rules, so some options must carry notes


def test_explain_refuses_an_unsafe_session(content: ContentPack) -> None:
    profile = _injured("bone_stress_injury", "acute", minutes_per_session=60)
    assert explain(content, profile, [], THURSDAY, "brisk_walk") is None  # weight-bearing
    assert explain(content, profile, [], THURSDAY, "no_such_session") is None
    why = explain(content, profile, [], THURSDAY, "core_l1")
    assert why is not None and why.reasons[0].startswith("no impact for your bone stress injury")


# --------------------------------------------------------------------------------- variety


def test_fourteen_days_of_accepting_the_top_suggestion_are_varied(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45)
    history: list[PastSession] = []
    start = date(2026, 3, 2)
    for day in range(14):
        today = start + timedelta(days=day)
        top = suggest(content, profile, history, today).ranked[0].session
        history.append(PastSession(today, top.activity, top.id, top.minutes, None, None))
    sessions = Counter(h.session_id for h in history)
    assert max(sessions.values()) <= 2, sessions
    assert len({h.activity_id for h in history}) >= 4
    kinds = Counter(content.activities[h.activity_id].kind for h in history)
    assert kinds["aerobic"] >= 3 and kinds["strength"] >= 3  # balanced across the fortnight


def test_no_hard_session_the_day_after_a_hard_one(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=frozenset({"turbo_trainer"}),
                            minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=1), "turbo", "turbo_tempo", 45, 7, 0)]
    top = suggest(content, profile, history, THURSDAY, Constraints(kind="aerobic")).ranked[0]
    assert top.session.intensity not in ("intervals", "tempo", "hills")


# ----------------------------------------------------------------------------- progression


def _rank(result: Suggestions, session_id: str) -> int:
    return [s.session.id for s in result.ranked].index(session_id)


def test_repeated_easy_pain_free_completions_step_up(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=d), "strength", "lower_body_l1", 20, 4, 0)
               for d in (6, 3)]
    result = suggest(content, profile, history, THURSDAY, Constraints(kind="strength"))
    assert result.ranked[0].session.id == "lower_body_l2"
    assert "ready to step up from Lower-body strength, level 1" in result.ranked[0].reason
    assert _rank(result, "lower_body_l2") < _rank(result, "lower_body_l1")


def test_hard_completions_do_not_step_up(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, minutes_per_session=45)
    def level_two(effort: int) -> Suggestion:
        history = [PastSession(THURSDAY - timedelta(days=d), "strength", "lower_body_l1", 20,
                               effort, 0) for d in (6, 3)]
        result = suggest(content, profile, history, THURSDAY, Constraints(kind="strength"))
        return result.ranked[_rank(result, "lower_body_l2")]

    hard, easy = level_two(8), level_two(4)
    assert "step up" not in hard.reason
    assert hard.score < easy.score


def test_pain_within_the_limit_keeps_the_level(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=3), "strength", "lower_body_l2", 30, 5, 3)]
    result = suggest(content, profile, history, THURSDAY, Constraints(kind="strength"))
    assert not result.see_clinician  # 3/10 is within the limit, no worse than before
    assert all("a step back" not in option.reason for option in result.ranked)


def test_pain_above_the_limit_steps_its_family_down(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=3), "strength", "lower_body_l2", 30, 5, 4)]
    result = suggest(content, profile, history, THURSDAY, Constraints(kind="strength"))
    assert result.see_clinician
    assert "lower_body_l2" not in {option.session.id for option in result.ranked}
    for option in result.ranked:
        if option.session.id == "lower_body_l1":
            assert "a step back from Lower-body strength, level 2" in option.reason


@pytest.mark.parametrize("pains", [(4,), (2, 4), (0, 3)])
def test_high_or_rising_pain_gives_gentlest_options_and_clinician_advice(
        content: ContentPack, pains: tuple[int, ...]) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=len(pains) - i), "turbo", "turbo_tempo",
                           45, 6, pain) for i, pain in enumerate(pains)]
    result = suggest(content, profile, history, THURSDAY)
    assert result.see_clinician
    assert result.message is not None and "gentlest" in result.message
    assert result.ranked
    for option in result.ranked:
        assert option.see_clinician
        assert is_gentle(content, option.session), option.session.id
        assert option.session.intensity not in ("tempo", "intervals", "hills", "long")


@pytest.mark.parametrize("pain", [6, 9])
def test_pain_clearly_past_the_limit_spares_the_area(content: ContentPack, pain: int) -> None:
    """After a 9/10 session: no split squats, no calf raises, nothing standing."""
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=1), "strength", "lower_body_l1", 30, 6,
                           pain)]
    result = suggest(content, profile, history, THURSDAY)
    assert result.mode == "protect" and result.see_clinician
    assert result.message is not None and "spares the sore area" in result.message
    for option in result.ranked:
        tags = content.session_load_tags(option.session)
        assert not tags & {"weight_bearing", "single_leg_load", "calf_tendon_load", "impact"}


def test_pain_that_settles_clears_the_alarm(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45)
    history = [PastSession(THURSDAY - timedelta(days=3), "turbo", "turbo_tempo", 45, 6, 6),
               PastSession(THURSDAY - timedelta(days=1), "turbo", "turbo_easy_spin", 30, 3, 0)]
    assert not suggest(content, profile, history, THURSDAY).see_clinician


def test_red_flags_always_lead_to_clinician_advice(content: ContentPack) -> None:
    profile = _injured("shin_splints", "returning", red_flags=("focal_bone_tenderness",),
                       equipment=BROAD, minutes_per_session=45)
    result = suggest(content, profile, [], THURSDAY)
    assert result.see_clinician
    assert "warning signs" in (result.message or "")
    for option in result.ranked:
        # The most careful (acute) rules apply until a clinician has looked.
        assert assess_session(content, option.session, "shin_splints", "acute").allowed


@pytest.mark.parametrize("minutes", [30, 45, 60, None])
@pytest.mark.parametrize("effort", [None, 4])
def test_a_fortnight_of_accepted_suggestions_through_suggest(
        content: ContentPack, minutes: int | None, effort: int | None) -> None:
    # Every day the runner takes the top suggestion and logs it (without, or with an easy
    # effort and no pain, which also drives progression); the log feeds the next day's ranking.
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=minutes)
    history: list[PastSession] = []
    for day in range(14):
        today = date(2026, 3, 2) + timedelta(days=day)
        result = suggest(content, profile, history, today)
        assert result.ranked, today
        top = result.ranked[0].session
        history.append(PastSession(today, top.activity, top.id, top.minutes, effort,
                                   None if effort is None else 0))
    sessions = Counter(h.session_id for h in history)
    assert max(sessions.values()) <= 2, sessions
    assert len({h.activity_id for h in history}) >= 4, sessions


def test_the_last_pain_report_of_a_day_counts(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45)
    day = THURSDAY - timedelta(days=1)
    rising = [PastSession(day, "turbo", "turbo_tempo", 45, 6, 2),
              PastSession(day, "strength", "core_l1", 15, 4, 6)]  # logged later that day
    assert suggest(content, profile, rising, THURSDAY).see_clinician
    settled = [PastSession(day, "turbo", "turbo_tempo", 45, 6, 3),
               PastSession(day, "strength", "core_l1", 15, 4, 1)]
    assert not suggest(content, profile, settled, THURSDAY).see_clinician


def test_a_warning_sign_in_a_log_means_clinician_advice(content: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=BROAD, minutes_per_session=45)
    flagged = PastSession(THURSDAY - timedelta(days=2), "swimming", None, 30, 4, None,
                          red_flag=True)
    pain_free_since = PastSession(THURSDAY - timedelta(days=1), "turbo", "turbo_easy_spin",
                                  30, 3, 0)
    result = suggest(content, profile, [flagged, pain_free_since], THURSDAY)
    assert result.see_clinician  # a pain-free log does not clear a warning sign
    assert "warning sign" in (result.message or "")
    assert all(is_gentle(content, s.session) for s in result.ranked)
    weeks_later = THURSDAY + timedelta(days=10)
    assert not suggest(content, profile, [flagged], weeks_later).see_clinician


def test_arm_cardio_is_for_legs_that_must_rest(content: ContentPack) -> None:
    healthy = RunnerProfile(user_id=1, minutes_per_session=30)
    ranked = [s.session for s in suggest(content, healthy, [], THURSDAY,
                                         Constraints(kind="aerobic")).ranked]
    walks = [i for i, s in enumerate(ranked) if s.activity == "walking"]
    arms = [i for i, s in enumerate(ranked) if s.activity == "seated_cardio"]
    assert walks and arms and max(walks) < min(arms)  # a healthy runner is offered a walk
    injured = _injured("bone_stress_injury", "acute", minutes_per_session=30)
    aerobic = suggest(content, injured, [], THURSDAY, Constraints(kind="aerobic")).ranked
    assert aerobic  # no kit, no weight on the legs: still some cardio
    for option in aerobic:
        # Arm work may turn the trunk; nothing in it loads a leg, foot or bone.
        tags = content.session_load_tags(option.session)
        assert tags <= {"spinal_rotation", "floor_work"}, option.session.id
        assert "no equipment needed" in option.reason
    # A sore heel may take a short walk in good shoes, but nothing that lands on it.
    heel = _injured("plantar_heel_pain", "acute", minutes_per_session=30)
    aerobic = suggest(content, heel, [], THURSDAY, Constraints(kind="aerobic")).ranked
    assert aerobic
    assert not any("impact" in content.session_load_tags(o.session) for o in aerobic)


@pytest.mark.parametrize("minutes", [15, 30, 45, 60])
def test_longer_and_shorter_never_go_the_wrong_way(content: ContentPack, minutes: int) -> None:
    for equipment in (frozenset(), BROAD):
        profile = RunnerProfile(user_id=1, equipment=equipment, minutes_per_session=minutes)
        for option in suggest(content, profile, [], THURSDAY).ranked[:6]:
            current = option.session
            for preference in ("shorter", "longer"):
                result = suggest(content, profile, [], THURSDAY, Constraints(
                    preference=preference, reference_minutes=current.minutes,  # type: ignore[arg-type]
                    exclude_ids=frozenset({current.id})))
                for other in result.ranked:
                    if preference == "shorter":
                        assert other.session.minutes < current.minutes
                    else:
                        assert current.minutes < other.session.minutes <= time_limit(minutes)
                if not result.ranked and preference == "longer":
                    # Nothing longer within the time: said so, and never an over-long option.
                    assert result.message and result.message.startswith("Nothing longer fits")
                    if result.nearest is not None:
                        assert result.nearest.session.minutes <= time_limit(minutes)


def test_an_unknown_condition_and_kit_still_get_a_careful_answer(content: ContentPack) -> None:
    profile = _injured("no_longer_in_the_pack", "returning", minutes_per_session=10,
                       equipment=frozenset({"spaceship"}), red_flags=("night_pain",))
    result = suggest(content, profile, [], THURSDAY)
    assert result.top is not None and result.top.session.minutes <= 10
    assert result.see_clinician and result.message and result.mode == "protect"
    result = suggest(content, profile, [], THURSDAY, Constraints(kind="sport"))
    assert result.ranked == () and result.nearest is not None
    # The conservative "not sure" rules stand in for a condition the pack no longer has.
    assert assess_session(content, result.nearest.session, "not_sure", "acute").allowed
    assert "for your injury" in result.nearest.reason  # not a made-up condition name
    assert assess_session(content, result.nearest.session, "not_sure", "acute",
                          mode="protect").allowed


def test_caution_notes_ask_for_easy_work_so_the_top_pick_is_not_hard(
        content: ContentPack) -> None:
    # E.g. an acute hamstring strain with a turbo trainer: the bike is "easy spinning only,
    # no hard efforts", so the first suggestion must not be intervals.
    checked = 0
    for condition in content.conditions:
        for phase in PHASES:
            for kit in ({"turbo_trainer"}, {"road_bike"}, {"pool"}, {"elliptical"}):
                profile = _injured(condition, phase, equipment=frozenset(kit),
                                   minutes_per_session=45)
                top = suggest(content, profile, [], THURSDAY, Constraints(kind="aerobic")).top
                assert top is not None
                if top.verdict == "caution":
                    checked += 1
                    assert top.session.intensity not in ("intervals", "tempo", "hills"), (
                        condition, phase, kit, top.session.id)
    assert checked  # the pack has such cautions, so the rule was exercised
