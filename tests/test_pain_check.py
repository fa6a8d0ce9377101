"""When a logged pain score or a red flag calls for the safety reply."""

from __future__ import annotations

import pytest

from bot.coach.pain_check import assess_pain, mentions_red_flag, safety_reply, sign_urgency
from bot.coach.phases import PainLimits, pain_limits
from bot.content import ContentPack

MUSCLE = PainLimits(during_max=3, session_stop=6, rest_protect=5, bone=False)


@pytest.mark.parametrize(("pain", "previous", "step_down"), [
    (0, None, False), (3, None, False), (4, None, True), (10, 10, True),
    (3, 2, True), (3, 3, False), (2, 4, False), (None, 3, False),
])
def test_pain_above_the_limit_or_rising_steps_down(pain: int | None, previous: int | None,
                                                   step_down: bool) -> None:
    assert assess_pain(pain, previous, MUSCLE).step_down is step_down


def test_each_tissue_has_its_own_limit(content: ContentPack) -> None:
    bone = pain_limits(content, "bone_stress_injury")
    tendon = pain_limits(content, "achilles_midportion")
    muscle = pain_limits(content, "hamstring_strain")
    assert (bone.during_max, tendon.during_max, muscle.during_max) == (0, 5, 3)
    assert assess_pain(1, None, bone).step_down  # bone work is pain-free
    assert not assess_pain(5, 5, tendon).step_down  # a tendon may sit at 5/10
    assert assess_pain(7, None, tendon).high  # clearly past it: rest the area
    assert assess_pain(4, None, muscle).above_limit and not assess_pain(4, None, muscle).high


def test_red_flags_step_down_whatever_the_score() -> None:
    assert assess_pain(1, None, MUSCLE, notes="foot went numb after").red_flag
    assert assess_pain(0, None, MUSCLE, profile_red_flags=True).step_down
    assert mentions_red_flag("Ankle SWOLLEN this morning")
    assert mentions_red_flag("I can't put weight on it")
    assert not mentions_red_flag("swam 30 min easy, felt great")


@pytest.mark.parametrize(("text", "urgency"), [
    ("heard a pop and can't walk on it", "same_day"),
    ("rolled it and couldn't take four steps", "same_day"),
    ("felt a snap at the back of my heel", "same_day"),
    ("saddle numbness since this morning", "emergency"),
    ("ankle a bit swollen", "prompt"),
    ("lovely easy swim", None),
])
def test_signs_in_a_log_are_graded_by_urgency(text: str, urgency: str | None) -> None:
    assert sign_urgency(text) == urgency


def test_the_reply_uses_the_content_texts(content: ContentPack) -> None:
    verdict = assess_pain(5, 3, MUSCLE)
    text = safety_reply(content, verdict, 5, 3, MUSCLE)
    assert "pain of 5/10 is above the limit for this injury (up to 3/10)" in text
    assert "higher than last time (3/10)" in text
    assert content.text("see_clinician")[:50] in text
    assert content.text("red_flags_general")[:50] in text


def test_pain_clearly_past_the_limit_means_rest_the_area(content: ContentPack) -> None:
    verdict = assess_pain(9, 2, MUSCLE)
    text = safety_reply(content, verdict, 9, 2, MUSCLE)
    assert "Rest the sore area today" in text


def test_a_same_day_sign_says_today(content: ContentPack) -> None:
    verdict = assess_pain(2, None, MUSCLE, notes="it popped and I can't put weight on it")
    assert verdict.urgency == "same_day"
    assert content.text("red_flag_same_day") in safety_reply(content, verdict, 2, None, MUSCLE)
