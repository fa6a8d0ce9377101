"""The shipped content pack: it loads, it is big enough, every injury still leaves useful
options, nothing is duplicated padding, and the texts are our own words."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from bot.coach.safety import allowed_sessions, assess_session
from bot.content import PHASES, REQUIRED_TEXT_IDS, ContentPack, default_content_dir, load_pack

# shared/ sits beside the checkout, for developers and for CI's clone alike.
ARTICLE = Path(__file__).resolve().parents[2] / "shared/seed/cross-training-for-runners.txt"


@cache
def shipped() -> ContentPack:
    return load_pack(default_content_dir())


def test_shipped_pack_loads() -> None:
    pack = shipped()
    assert set(REQUIRED_TEXT_IDS) <= set(pack.texts)
    assert "nothing" in pack.equipment


def test_minimum_counts() -> None:
    pack = shipped()
    assert len(pack.exercises) >= 40
    assert len(pack.sessions) >= 30
    assert len(pack.nudges) >= 25
    conditions_with_rules = [
        c for c in pack.conditions.values() if c.red_flags and any(c.phases.values())
    ]
    assert len(conditions_with_rules) >= 10


def test_every_condition_has_rules_red_flags_and_sources_in_every_phase() -> None:
    pack = shipped()
    for condition in pack.conditions.values():
        assert condition.red_flags, condition.id
        assert all(source in pack.sources for source in condition.source_ids)
        for phase in PHASES:
            rules = condition.phases[phase]
            assert rules, f"{condition.id} has no rules when {phase}"
            for rule in rules:
                assert rule.source in pack.sources
                if rule.verdict != "ok":
                    assert rule.note is not None and rule.note["en"].strip()


@pytest.mark.parametrize("phase", PHASES)
def test_every_condition_leaves_at_least_five_sessions_including_no_equipment(phase: str) -> None:
    pack = shipped()
    for condition_id in pack.conditions:
        allowed = allowed_sessions(pack, condition_id, phase)
        assert len(allowed) >= 5, f"{condition_id}/{phase}: only {[s.id for s in allowed]}"
        no_equipment = [s.id for s in allowed if not pack.session_equipment(s)]
        assert no_equipment, f"{condition_id}/{phase}: every allowed session needs equipment"


def test_early_injuries_never_get_running_or_jumping() -> None:
    pack = shipped()
    for condition_id in pack.conditions:
        if condition_id == "low_back_pain":
            continue  # staying active, including easy running, is the advice for a sore back
        for session in allowed_sessions(pack, condition_id, "acute"):
            tags = pack.session_load_tags(session)
            assert session.activity != "running", (condition_id, session.id)
            assert "plyometric" not in tags, (condition_id, session.id)


def test_acute_bone_stress_keeps_weight_off_the_bone() -> None:
    pack = shipped()
    for session in allowed_sessions(pack, "bone_stress_injury", "acute"):
        tags = pack.session_load_tags(session)
        assert not tags & {"impact", "weight_bearing", "single_leg_load"}, session.id
    swims = {s.id for s in pack.sessions.values() if s.activity in {"swimming", "pool_running"}}
    assert swims <= {s.id for s in allowed_sessions(pack, "bone_stress_injury", "acute")}


def test_insertional_achilles_never_drops_the_heel_early() -> None:
    pack = shipped()
    for phase in ("acute", "settling"):
        for session in allowed_sessions(pack, "achilles_insertional", phase):
            assert "end_range_dorsiflexion" not in pack.session_load_tags(session), session.id


def test_restricted_sessions_explain_themselves() -> None:
    pack = shipped()
    for condition_id in pack.conditions:
        for phase in PHASES:
            for session in pack.sessions.values():
                result = assess_session(pack, session, condition_id, phase)
                if result.verdict != "ok":
                    assert result.notes, (condition_id, phase, session.id)
                    assert all(source in pack.sources for source in result.sources)


def test_no_padding_titles_and_texts_are_distinct() -> None:
    pack = shipped()
    groups = {
        "equipment names": [e.name["en"] for e in pack.equipment.values()],
        "activity names": [a.name["en"] for a in pack.activities.values()],
        "condition names": [c.name["en"] for c in pack.conditions.values()],
        "exercise names": [e.name["en"] for e in pack.exercises.values()],
        "exercise steps": [" ".join(s["en"] for s in e.steps) for e in pack.exercises.values()],
        "session titles": [s.title["en"] for s in pack.sessions.values()],
        "nudge texts": [n.text["en"] for n in pack.nudges.values()],
        "texts": [t["en"] for t in pack.texts.values()],
    }
    for label, values in groups.items():
        normalized = Counter(v.strip().lower() for v in values)
        repeated = [value for value, count in normalized.items() if count > 1]
        assert not repeated, f"repeated {label}: {repeated}"


def test_sessions_are_not_structural_copies() -> None:
    # Two sessions with the same activity, blocks and exercises would be padding under a new name.
    pack = shipped()
    shapes = Counter(
        (
            s.activity,
            tuple(
                (b.minutes, b.work_seconds, b.recovery_seconds, b.repeats, tuple(b.exercises))
                for b in s.blocks
            ),
        )
        for s in pack.sessions.values()
    )
    assert max(shapes.values()) == 1


def test_sessions_have_what_a_user_needs() -> None:
    pack = shipped()
    for session in pack.sessions.values():
        assert session.main, session.id
        assert any(block.rpe is not None for block in session.main), session.id
        assert abs(session.block_minutes - session.minutes) <= 1


def test_nudges_are_tiny_and_anchored() -> None:
    pack = shipped()
    anchors = {nudge.anchor for nudge in pack.nudges.values()}
    assert {"brushing_teeth", "washing_up", "commute", "play", "kettle"} <= anchors
    for nudge in pack.nudges.values():
        assert nudge.seconds < 120
        assert nudge.anchor.strip()


def test_fixed_texts_say_what_they_must() -> None:
    pack = shipped()
    disclaimer = pack.text("disclaimer").lower()
    assert "not medical advice" in disclaimer
    assert "physio" in disclaimer or "clinician" in disclaimer
    # The pain numbers come from each condition's pain model, so the general texts carry none.
    assert not re.search(r"\d+ ?(/|out of) ?10", pack.text("stop_rule_default"))
    pain_rule = pack.text("pain_rule").lower()
    assert "next morning" in pain_rule
    assert not re.search(r"\d+ ?(/|out of) ?10", pain_rule)
    assert pack.text("disclaimer", "xx") == pack.text("disclaimer")  # falls back to English


def test_pain_models_cover_every_condition() -> None:
    pack = shipped()
    assert {"bone", "tendon", "muscle", "joint"} <= set(pack.pain_models)
    assert pack.pain_models["bone"].during_max == 0
    for condition in pack.conditions.values():
        assert condition.pain_model in pack.pain_models, condition.id
        assert condition.protect, condition.id
    for session in pack.sessions.values():
        # The pain-model line carries the numbers; a session's own stop rule never does.
        stop = session.stop_rule["en"] if session.stop_rule else ""
        assert not re.search(r"\d+ ?/ ?10", stop), session.id


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def _all_pack_texts(pack: ContentPack) -> list[str]:
    texts: list[str] = []
    for group in (
        pack.equipment,
        pack.activities,
        pack.conditions,
        pack.exercises,
        pack.sessions,
        pack.nudges,
    ):
        for item in group.values():
            texts.extend(_strings(item.model_dump()))
    texts.extend(t["en"] for t in pack.texts.values())
    return texts


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for inner in value.values() for s in _strings(inner)]
    if isinstance(value, list):
        return [s for inner in value for s in _strings(inner)]
    return []


@pytest.mark.skipif(not ARTICLE.exists(), reason="source article not available")
def test_no_sentence_is_copied_from_the_article() -> None:
    # Ten words in a row shared with the article means copying, not paraphrasing.
    size = 10
    article = _words(ARTICLE.read_text(encoding="utf-8"))
    shingles = {tuple(article[i : i + size]) for i in range(len(article) - size + 1)}
    for text in _all_pack_texts(shipped()):
        words = _words(text)
        for i in range(len(words) - size + 1):
            assert tuple(words[i : i + size]) not in shingles, f"copied from the article: {text!r}"
