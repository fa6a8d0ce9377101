"""When a logged pain score or a red flag calls for the safety reply."""

from __future__ import annotations

import pytest

from bot.coach.pain_check import assess_pain, mentions_red_flag, safety_reply
from bot.content import ContentPack


@pytest.mark.parametrize(("pain", "previous", "step_down"), [
    (0, None, False), (4, None, False), (5, None, True), (10, 10, True),
    (3, 2, True), (3, 3, False), (2, 4, False), (None, 3, False),
])
def test_high_or_rising_pain_steps_down(pain: int | None, previous: int | None,
                                        step_down: bool) -> None:
    assert assess_pain(pain, previous).step_down is step_down


def test_red_flags_step_down_whatever_the_score() -> None:
    assert assess_pain(1, None, notes="foot went numb after").red_flag
    assert assess_pain(0, None, profile_red_flags=True).step_down
    assert mentions_red_flag("Ankle SWOLLEN this morning")
    assert mentions_red_flag("I can't put weight on it")
    assert not mentions_red_flag("swam 30 min easy, felt great")


def test_the_reply_uses_the_content_texts(content: ContentPack) -> None:
    verdict = assess_pain(6, 3)
    text = safety_reply(content, verdict, 6, 3)
    assert "pain of 6/10" in text and "higher than last time (3/10)" in text
    assert content.text("see_clinician")[:50] in text
    assert content.text("red_flags_general")[:50] in text
    assert "<script" not in text
