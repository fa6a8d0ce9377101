"""Injury safety rules: what an injured user may be offered, judged on a small hand-made pack."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach.safety import Assessment, allowed_sessions, assess_session, nudge_is_safe
from bot.content.models import (
    Activity,
    Condition,
    ContentPack,
    Exercise,
    Nudge,
    Session,
    Source,
)


def _activity(activity_id: str, tags: list[str]) -> Activity:
    return Activity.model_validate(
        {
            "id": activity_id,
            "name": {"en": activity_id},
            "emoji": "*",
            "kind": "aerobic",
            "impact": "none",
            "weight_bearing": False,
            "load_tags": tags,
            "running_relevance": {"en": "x"},
        }
    )


def _session(
    session_id: str,
    activity: str,
    tags: list[str] | None = None,
    exercises: list[str] | None = None,
) -> Session:
    return Session.model_validate(
        {
            "id": session_id,
            "title": {"en": session_id},
            "activity": activity,
            "intensity": "easy",
            "level": 1,
            "minutes": 20,
            "load_tags": tags or [],
            "warmup": {"label": {"en": "w"}, "minutes": 5},
            "main": [{"label": {"en": "m"}, "minutes": 10, "exercises": exercises or []}],
            "cooldown": {"label": {"en": "c"}, "minutes": 5},
        }
    )


def _rule(target: str, verdict: str, note: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"target": target, "verdict": verdict, "source": "src"}
    if note is not None:
        rule["note"] = {"en": note}
    return rule


def _condition(condition_id: str, phases: dict[str, list[dict[str, Any]]],
               protect: list[dict[str, Any]] | None = None) -> Condition:
    full = {"acute": [], "settling": [], "returning": []} | phases
    return Condition.model_validate(
        {
            "id": condition_id,
            "name": {"en": condition_id},
            "body_site": "leg",
            "red_flags": [{"text": {"en": "night pain"}}],
            "source_ids": ["src"],
            "pain_model": "muscle",
            "phases": full,
            "protect": protect or [_rule("running", "avoid", "Spare the leg.")],
        }
    )


def make_pack(conditions: list[Condition] | None = None) -> ContentPack:
    activities = [
        _activity("running", ["impact"]),
        _activity("swimming", []),
        _activity("strength", []),
        _activity("turbo", []),
    ]
    exercises = [
        Exercise.model_validate(
            {
                "id": "calf_raise",
                "name": {"en": "Calf raise"},
                "steps": [{"en": "Rise up."}],
                "level": 1,
                "load_tags": ["calf_tendon_load", "single_leg_load"],
            }
        ),
        Exercise.model_validate(
            {"id": "plank", "name": {"en": "Plank"}, "steps": [{"en": "Hold."}], "level": 1}
        ),
    ]
    sessions = [
        _session("easy_run", "running"),
        _session("easy_swim", "swimming"),
        _session("calf_circuit", "strength", exercises=["plank", "calf_raise"]),
        _session("core_circuit", "strength", exercises=["plank"]),
        _session("turbo_hills", "turbo", tags=["knee_load"]),
    ]
    default_conditions = [
        _condition(
            "achilles",
            {
                "acute": [
                    _rule("running", "avoid", "No running yet."),
                    _rule("tag:calf_tendon_load", "caution", "Slow calf raises only."),
                    _rule("tag:single_leg_load", "avoid", "Not on one leg yet."),
                    _rule("swimming", "ok"),
                ],
                "settling": [_rule("running", "caution", "Within the pain rule.")],
            },
            protect=[_rule("running", "avoid", "Spare the leg."),
                     _rule("strength", "avoid", "Nothing standing.")],
        ),
        _condition(
            "knee",
            {
                "acute": [_rule("tag:knee_load", "caution", "Easy gears.")],
                "returning": [_rule("tag:knee_load", "avoid", "Not this one.")],
            },
        ),
        _condition("not_sure", {"acute": [_rule("tag:impact", "avoid", "No impact for now.")]}),
    ]
    nudges = [
        Nudge.model_validate(
            {
                "id": "teeth_stand",
                "text": {"en": "Stand on one leg while you brush."},
                "anchor": "brushing_teeth",
                "kind": "balance",
                "seconds": 60,
                "unsafe_for": ["knee"],
                "level": 1,
                "exercise": "calf_raise",
            }
        ),
    ]
    return ContentPack(
        activities={a.id: a for a in activities},
        exercises={e.id: e for e in exercises},
        sessions={s.id: s for s in sessions},
        conditions={c.id: c for c in (conditions or default_conditions)},
        nudges={n.id: n for n in nudges},
        sources={"src": Source(id="src", title="A source", reference="ref")},
    )


PACK = make_pack()


def test_protect_adds_its_rules_to_the_first_phase() -> None:
    swim, core = PACK.sessions["easy_swim"], PACK.sessions["core_circuit"]
    assert assess_session(PACK, core, "achilles", "returning").allowed
    assert not assess_session(PACK, core, "achilles", "returning", mode="protect").allowed
    assert assess_session(PACK, swim, "achilles", "returning", mode="protect").allowed
    calf = PACK.sessions["calf_circuit"]  # the first phase's avoid still holds in protect
    assert not assess_session(PACK, calf, "achilles", "returning", mode="protect").allowed


def test_emergency_allows_nothing_at_all() -> None:
    for session in PACK.sessions.values():
        assert not assess_session(PACK, session, "achilles", "settling",
                                  mode="emergency").allowed
        assert not assess_session(PACK, session, None, None, mode="emergency").allowed
    assert not nudge_is_safe(PACK, PACK.nudges["teeth_stand"], None, None, "emergency")


def test_no_injury_means_everything_is_ok() -> None:
    for session in PACK.sessions.values():
        assert assess_session(PACK, session, None, None) == Assessment("ok")
    assert len(allowed_sessions(PACK, None, None)) == len(PACK.sessions)


def test_a_rule_on_the_activity_id_applies_with_its_note_and_source() -> None:
    result = assess_session(PACK, PACK.sessions["easy_run"], "achilles", "acute")
    assert result.verdict == "avoid"
    assert result.notes == ["No running yet."]
    assert result.sources == ["src"]
    assert not result.allowed


def test_tags_of_exercises_inside_the_blocks_count() -> None:
    result = assess_session(PACK, PACK.sessions["calf_circuit"], "achilles", "acute")
    # The caution note is still shown, after the note that explains the avoid.
    assert result.verdict == "avoid"
    assert result.notes == ["Not on one leg yet.", "Slow calf raises only."]


def test_session_own_tags_count() -> None:
    result = assess_session(PACK, PACK.sessions["turbo_hills"], "knee", "acute")
    assert result.verdict == "caution"
    assert result.notes == ["Easy gears."]
    assert result.allowed


def test_an_ok_rule_does_not_override_nothing_and_adds_no_note() -> None:
    result = assess_session(PACK, PACK.sessions["easy_swim"], "achilles", "acute")
    assert result.verdict == "ok"
    assert result.notes == []


def test_rules_depend_on_the_phase() -> None:
    run = PACK.sessions["easy_run"]
    assert assess_session(PACK, run, "achilles", "settling").verdict == "caution"
    assert assess_session(PACK, run, "achilles", "returning").verdict == "ok"
    turbo = PACK.sessions["turbo_hills"]
    assert assess_session(PACK, turbo, "knee", "returning").verdict == "avoid"


def test_missing_phase_is_treated_as_acute() -> None:
    run = PACK.sessions["easy_run"]
    assert assess_session(PACK, run, "achilles", None).verdict == "avoid"
    assert assess_session(PACK, run, "achilles", "bogus").verdict == "avoid"


def test_unknown_condition_falls_back_to_not_sure() -> None:
    result = assess_session(PACK, PACK.sessions["easy_run"], "removed_condition", "acute")
    assert result.verdict == "avoid"
    assert result.notes == ["No impact for now."]


def test_allowed_sessions_drops_only_avoided_ones_in_pack_order() -> None:
    ids = [s.id for s in allowed_sessions(PACK, "achilles", "acute")]
    assert ids == ["easy_swim", "core_circuit", "turbo_hills"]


def test_nudge_unsafe_for_condition() -> None:
    nudge = PACK.nudges["teeth_stand"]
    assert nudge_is_safe(PACK, nudge, None)
    assert not nudge_is_safe(PACK, nudge, "knee")
    assert nudge_is_safe(PACK, nudge, "achilles", "settling")
    # Injured with no phase known: judged by the first phase's rules, never waved through.
    assert not nudge_is_safe(PACK, nudge, "achilles")


def test_nudge_with_phase_checks_its_exercise_tags() -> None:
    nudge = PACK.nudges["teeth_stand"]
    # calf_raise carries single_leg_load, which achilles avoids when acute.
    assert not nudge_is_safe(PACK, nudge, "achilles", "acute")
    assert nudge_is_safe(PACK, nudge, "achilles", "settling")


VERDICTS = ["ok", "caution", "avoid"]
TARGETS = ["running", "tag:impact", "tag:calf_tendon_load", "tag:single_leg_load", "swimming"]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(TARGETS), st.sampled_from(VERDICTS), max_size=5))
def test_worst_matching_verdict_wins(rules: dict[str, str]) -> None:
    condition = _condition(
        "c", {"acute": [_rule(t, v, None if v == "ok" else f"{t} {v}") for t, v in rules.items()]}
    )
    pack = make_pack([condition, _condition("not_sure", {})])
    for session in pack.sessions.values():
        targets = {session.activity} | {f"tag:{t}" for t in pack.session_load_tags(session)}
        matched = [v for t, v in rules.items() if t in targets]
        expected = max(matched, key=VERDICTS.index) if matched else "ok"
        result = assess_session(pack, session, "c", "acute")
        assert result.verdict == expected
        # Every restricting rule that matched shows its note; ok rules never add one.
        assert sorted(result.notes) == sorted(
            f"{t} {v}" for t, v in rules.items() if t in targets and v != "ok"
        )
