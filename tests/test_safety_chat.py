"""Warning signs in the chat: what a runner who reported one can reach, tapped through as they
would (/suggest, every Another, Shorter, Longer, each day of /week, /convert).

Whether an option stands or walks is read from tests/safety_witness.py, the hand-made
classification, never from the pack's own tags.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.coach.profile import RED_FLAG_CONDITION, RED_FLAG_SCREEN, RunnerProfile
from bot.content import ContentPack, localize
from tests.harness import BotMessage, ChatUser, FakeTelegram
from tests.test_safety_table import session_features

KIT = frozenset({"turbo_trainer", "pool", "elliptical", "ski_machine", "rowing_machine",
                 "dumbbells", "resistance_band", "kettlebell", "step", "mat"})
ON_FEET = frozenset({"standing", "single_leg_stance", "rise_on_toes", "impact", "elliptical",
                     "ski_machine"})
ON_FOOT_TITLES = ("Walking", "Hiking", "Elliptical", "Cross-country ski", "Running")


@pytest.fixture
def runner(tg: FakeTelegram) -> ChatUser:
    return ChatUser(tg, user_id=4242, first_name="Mia")


async def _injured(user: ChatUser, clock: FakeClock, condition: str, **fields: object) -> None:
    """A runner as the onboarding stores them after a "yes" on the warning signs."""
    await user.send("hello")
    values: dict[str, object] = {
        "injury_status": "injured", "condition_id": condition, "phase": "acute",
        "pain_today": 6, "clinician_seen": False, "equipment": KIT,
        "minutes_per_session": 45, "days_per_week": 4,
        "red_flags": (RED_FLAG_SCREEN, RED_FLAG_CONDITION),
    }
    values.update(fields)
    profile = RunnerProfile(user_id=user.id, **values)  # type: ignore[arg-type]
    await user.tg.application.bot_data["services"].profiles.save(profile, clock.now())


def _session_shown(pack: ContentPack, message: BotMessage) -> str:
    """The pack session a card shows, found by its title line."""
    titles = {localize(s.title): s.id for s in pack.sessions.values()}
    for line in message.text.split("\n"):
        for title, session_id in titles.items():
            if title in line and line.rstrip().endswith(" min"):
                return session_id
    raise AssertionError(f"no session card in: {message.text[:200]}")


def _stop_line(message: BotMessage) -> str:
    return next(line for line in message.text.split("\n") if line.startswith("🛑"))


def _features(pack: ContentPack, session_id: str) -> frozenset[str]:
    return session_features(pack, pack.sessions[session_id])


async def _every_card(user: ChatUser, pack: ContentPack) -> list[str]:
    """/suggest, then Another until it comes round again, then Shorter and Longer."""
    card = (await user.send("/suggest")).last
    seen = [_session_shown(pack, card)]
    for _ in range(60):
        card = (await user.press("🔄 Another", on=card)).last or card
        shown = _session_shown(pack, card)
        if shown == seen[0]:
            break
        seen.append(shown)
    for label in ("⏱ Shorter", "⏱ Longer"):
        reply = await user.press(label, on=card)
        if reply.last is not None and "Main" in reply.last.text:
            seen.append(_session_shown(pack, reply.last))
    return seen


async def test_an_ankle_they_could_not_walk_on_gets_nothing_on_their_feet(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "ankle_sprain")
    first = (await runner.send("/suggest")).last
    assert "today" in first.text and "checked" in first.text  # get it assessed today
    for session_id in await _every_card(runner, content):
        assert not _features(content, session_id) & ON_FEET, session_id
    week = (await runner.send("/week")).last
    for label in week.labels:
        day = (await runner.press(label, on=week)).last
        if day is not None and "Main" in day.text:
            assert not _features(content, _session_shown(content, day)) & ON_FEET
    converted = (await runner.send("/convert long run 1h45")).last
    assert not any(f"<b>{title}" in converted.text or f" {title}" in converted.text
                   for title in ON_FOOT_TITLES if title != "Running"), converted.text
    assert "today" in converted.text


async def test_back_pain_with_saddle_numbness_gets_urgent_advice_and_no_exercise(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "low_back_pain", pain_today=4)
    reply = (await runner.send("/suggest")).last
    assert content.text("red_flag_emergency") in reply.text.replace("&amp;", "&")
    assert "Main" not in reply.text and "✅ Done" not in reply.labels
    week = (await runner.send("/week")).last
    assert week.text.count("Rest") == 7
    converted = (await runner.send("/convert easy 40 min")).last
    assert "No training today" in converted.text


async def test_calf_pain_with_signs_of_a_clot_is_sent_for_care_now(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "calf_strain", pain_today=5)
    reply = (await runner.send("/suggest")).last
    assert "urgent medical care now" in reply.text and "Main" not in reply.text


async def test_once_a_clinician_has_cleared_it_training_resumes(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "ankle_sprain", pain_today=2, phase="settling",
                   clinician_seen=True, clinician_cleared=True)
    card = (await runner.send("/suggest")).last
    assert "✅ Done" in card.labels
    assert "get this checked today" not in card.text.lower()


async def test_an_injured_runner_sees_their_warning_signs_and_their_own_pain_limit(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "achilles_midportion", red_flags=(), pain_today=2,
                   phase="settling", clinician_seen=True)
    card = (await runner.send("/suggest")).last
    assert "Stop and get it checked if:" in card.text
    stop = _stop_line(card)  # the tendon rule, not the muscle one
    assert "5/10" in stop and "3/10" not in stop


async def test_a_runner_already_above_the_limit_is_not_told_to_stop_above_it(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "hamstring_strain", red_flags=(), pain_today=4,
                   clinician_seen=True)
    card = (await runner.send("/suggest")).last
    assert "3/10" not in _stop_line(card)
    assert "4/10 already" in _stop_line(card)


async def test_a_runner_who_is_not_injured_gets_no_injury_stop_rule(
        runner: ChatUser, clock: FakeClock) -> None:
    await _injured(runner, clock, "ankle_sprain", injury_status="none", condition_id=None,
                   phase=None, pain_today=None, red_flags=(), clinician_seen=None)
    card = (await runner.send("/suggest")).last
    assert "/10" not in _stop_line(card)
    converted = (await runner.send("/convert tempo 20 min")).last
    assert "/10" not in _stop_line(converted)


async def test_a_warning_sign_written_in_a_log_holds_until_a_clinician_clears_it(
        runner: ChatUser, clock: FakeClock, content: ContentPack) -> None:
    await _injured(runner, clock, "ankle_sprain", red_flags=(), pain_today=2, phase="settling",
                   clinician_seen=True, clinician_cleared=True)
    logged = await runner.send("/log walked 20 min, it popped and now I cant put weight on it")
    assert content.text("red_flag_same_day") in logged.text.replace("&amp;", "&")
    profiles = runner.tg.application.bot_data["services"].profiles
    profile = await profiles.get(runner.id)
    assert profile.red_flags == ("text",) and not profile.clinician_cleared  # a same-day sign
    clock.advance(timedelta(days=10))  # long after the log: still held
    card = (await runner.send("/suggest")).last
    assert "today" in card.text
    for session_id in await _every_card(runner, content):
        assert not _features(content, session_id) & ON_FEET, session_id
