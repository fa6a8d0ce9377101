"""Every idea of the source article is carried by named content items.

The table below is the map from the article to the pack. If an item is renamed or removed, the
idea it carried is no longer covered and this test says which one.
"""

from __future__ import annotations

from functools import cache

import pytest

from bot.content import ContentPack, default_content_dir, load_pack


@cache
def shipped() -> ContentPack:
    return load_pack(default_content_dir())


# (idea from the article, kind of item, ids that carry it)
# fmt: off
COVERAGE: list[tuple[str, str, list[str]]] = [
    # Opening: see a professional first; this is not a replacement for their advice.
    ("disclaimer: not medical advice, see a physio first", "texts",
     ["disclaimer", "see_clinician"]),
    ("safety lines for training around an injury", "texts", ["pain_rule", "stop_rule_default"]),
    # Foundations: agility, balance, coordination and strength.
    ("foundation: agility", "sessions", ["agility_l1", "agility_l2"]),
    ("foundation: balance", "sessions", ["balance_l1", "balance_l2"]),
    ("foundation: coordination", "nudges", ["catch_weaker_hand", "sock_juggle"]),
    ("foundation: strength", "sessions", ["lower_body_l1", "lower_body_l2", "lower_body_l3"]),
    ("foundations as an activity", "activities", ["balance_agility", "strength", "core"]),
    # Habits woven into the day.
    ("one-leg stand while brushing teeth", "nudges", ["brush_one_leg"]),
    ("one-leg stand while washing up", "nudges", ["washing_up_one_leg"]),
    ("progress to gentle one-leg squats", "nudges", ["washing_up_one_leg_knee_bend"]),
    ("stand on the bus or train without holding on", "nudges", ["commute_stand_no_hold"]),
    ("play catch, fetch or tag with children or a dog", "nudges",
     ["catch_weaker_hand", "fetch_race", "tag_burst"]),
    ("games with children or a dog as sessions", "sessions", ["catch_and_fetch", "tag_game"]),
    ("games as an activity", "activities", ["tag_and_catch"]),
    ("other sports: badminton and squash", "activities", ["badminton", "squash"]),
    ("badminton and squash sessions", "sessions", ["badminton_agility", "squash_agility"]),
    # Home exercises, watched in a mirror and looked up on video first.
    ("squat", "exercises", ["bodyweight_squat"]),
    ("sumo squat with a weight overhead", "exercises", ["sumo_squat_overhead"]),
    ("lunges forward, backward, walking, walking with rotation", "exercises",
     ["forward_lunge", "reverse_lunge", "walking_lunge", "walking_lunge_rotation"]),
    ("single-leg calf raise", "exercises", ["single_leg_calf_raise"]),
    ("glutes: clams and bridge", "exercises", ["clamshell", "glute_bridge"]),
    ("glutes: single-leg bridge", "exercises", ["single_leg_bridge"]),
    ("glutes: band side-steps and monster walks", "exercises", ["band_side_step", "monster_walk"]),
    ("core: plank and side plank", "exercises", ["plank", "side_plank"]),
    ("core: crunches including obliques", "exercises", ["crunch", "oblique_crunch"]),
    ("core: superman for the back", "exercises", ["superman"]),
    ("upper body: dynamic kettlebell work", "exercises",
     ["kettlebell_swing", "kettlebell_halo", "kettlebell_press"]),
    ("upper body: light free weights", "exercises",
     ["seated_dumbbell_press", "supported_dumbbell_row"]),
    ("upper body: bodyweight", "exercises", ["push_up", "knee_push_up", "prone_y_t_raise"]),
    ("upper body circuits", "sessions",
     ["kettlebell_l1", "kettlebell_l2", "kettlebell_l3", "dumbbell_upper", "bodyweight_upper_l1"]),
    ("single-leg stand", "exercises", ["single_leg_stand"]),
    ("gentle single-leg squat at a mirror", "exercises", ["single_leg_mini_squat"]),
    ("glute circuits", "sessions", ["glutes_l1", "glutes_l2", "glutes_l3"]),
    ("core circuits", "sessions", ["core_l1", "core_l2", "core_l3"]),
    # The aerobic options.
    ("bike: intervals", "sessions", ["turbo_intervals_1min", "turbo_intervals_3min"]),
    ("bike: tempo", "sessions", ["road_tempo_ride", "turbo_tempo"]),
    ("bike: hills", "sessions", ["road_hill_repeats", "turbo_hill_climbs"]),
    ("bike: the long run as a long ride", "sessions", ["road_long_ride"]),
    ("bike on the road or in the gym", "activities", ["road_bike", "turbo"]),
    ("mountain biking for agility, balance and core", "sessions", ["mtb_skills_ride"]),
    ("turbo trainer indoors", "sessions", ["turbo_easy_spin", "turbo_express_15"]),
    ("swimming as a key session", "sessions", ["swim_key_session"]),
    ("swimming as easy recovery", "sessions", ["swim_easy_recovery"]),
    ("pool running", "sessions", ["pool_run_intervals", "pool_run_easy"]),
    ("elliptical trainer", "sessions",
     ["elliptical_easy", "elliptical_intervals", "elliptical_tempo"]),
    ("cross-country ski machine", "sessions", ["ski_steady", "ski_intervals"]),
    ("rowing machine", "sessions", ["row_steady", "row_intervals", "row_tempo"]),
    ("walking", "sessions", ["brisk_walk"]),
    ("replace the long run with a hike", "sessions", ["long_hike", "family_hike"]),
    ("walking up and down hills", "sessions", ["hill_walk_repeats"]),
    ("each aerobic mode as an activity", "activities",
     ["road_bike", "turbo", "mountain_bike", "swimming", "pool_running", "elliptical", "ski_erg",
      "rowing", "walking", "hiking"]),
]
# fmt: on

# The article's progressions: each pair is an exercise and one it leads on to.
PROGRESSIONS: list[tuple[str, str]] = [
    ("bodyweight_squat", "sumo_squat_overhead"),
    ("forward_lunge", "reverse_lunge"),
    ("reverse_lunge", "walking_lunge"),
    ("walking_lunge", "walking_lunge_rotation"),
    ("clamshell", "glute_bridge"),
    ("glute_bridge", "single_leg_bridge"),
    ("clamshell", "band_side_step"),
    ("band_side_step", "monster_walk"),
    ("crunch", "oblique_crunch"),
    ("plank", "side_plank"),
]


@pytest.mark.parametrize(("idea", "kind", "ids"), COVERAGE, ids=[row[0] for row in COVERAGE])
def test_idea_is_carried_by_content(idea: str, kind: str, ids: list[str]) -> None:
    items = getattr(shipped(), kind)
    missing = [item_id for item_id in ids if item_id not in items]
    assert not missing, f"'{idea}' lost its content: {missing}"


@pytest.mark.parametrize(("easier", "harder"), PROGRESSIONS)
def test_article_progressions_are_linked_both_ways(easier: str, harder: str) -> None:
    exercises = shipped().exercises
    assert harder in exercises[easier].progresses_to
    assert easier in exercises[harder].regresses_to


def _reachable(start: str, goal: str) -> bool:
    exercises = shipped().exercises
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(exercises[current].progresses_to)
    return False


def test_single_leg_stand_leads_to_the_mirror_squat() -> None:
    assert _reachable("single_leg_stand", "single_leg_mini_squat")
    squat = shipped().exercises["single_leg_mini_squat"]
    cues = " ".join(cue["en"] for cue in [*squat.steps, *squat.cues]).lower()
    assert "mirror" in cues and "knee" in cues


def test_sumo_squat_holds_a_weight_overhead() -> None:
    exercise = shipped().exercises["sumo_squat_overhead"]
    assert exercise.equipment  # a weight
    assert "overhead" in exercise.name["en"].lower()


def test_home_exercises_can_be_looked_up_on_video() -> None:
    exercises = shipped().exercises
    article_exercises = {
        item_id for _, kind, ids in COVERAGE if kind == "exercises" for item_id in ids
    }
    without = [e for e in sorted(article_exercises) if not exercises[e].video_search]
    assert not without


def test_strength_circuits_come_in_levels() -> None:
    sessions = shipped().sessions
    for family in ("lower_body", "glutes", "core", "kettlebell"):
        levels = {sessions[f"{family}_l{n}"].level for n in (1, 2, 3)}
        assert levels == {1, 2, 3}, family


def test_aerobic_sessions_replace_the_right_runs() -> None:
    sessions = shipped().sessions
    assert "long" in sessions["long_hike"].replaces
    assert "long" in sessions["road_long_ride"].replaces
    assert "hills" in sessions["road_hill_repeats"].replaces
    assert "tempo" in sessions["road_tempo_ride"].replaces
    assert "intervals" in sessions["turbo_intervals_3min"].replaces
    assert "intervals" in sessions["pool_run_intervals"].replaces
    assert sessions["swim_easy_recovery"].intensity == "recovery"
    assert sessions["swim_key_session"].intensity in {"intervals", "tempo"}


def test_activity_notes_keep_the_articles_caveats() -> None:
    activities = shipped().activities
    assert "not a like-for-like" in activities["road_bike"].running_relevance["en"]
    pool_note = activities["pool_running"].conversion_note
    assert pool_note is not None and "10-15 beats" in pool_note["en"]
    for closest in ("elliptical", "ski_erg"):
        assert "closest" in activities[closest].running_relevance["en"]
    assert "back of the body" in activities["rowing"].running_relevance["en"]
    assert "balance" in activities["mountain_bike"].running_relevance["en"]
