"""Coaching through the chat: /suggest and its buttons, /convert, /week, as a runner sees them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.coach.profile import RunnerProfile
from bot.db.coaching import CoachingRepository
from bot.db.models import SessionLog
from bot.telegram.handlers import coaching
from tests.conftest import BotFactory
from tests.harness import BotMessage, ChatUser, FakeTelegram, Reply

BROAD = frozenset({"turbo_trainer", "pool", "kettlebell", "dumbbells", "resistance_band", "mat"})


def _force_reply(reply: Reply) -> dict[str, Any]:
    """The ForceReply markup the bot sent with its last message."""
    sent = [c for c in reply.calls if c.method == "sendMessage"]
    markup = sent[-1].params["reply_markup"]
    return json.loads(markup) if isinstance(markup, str) else dict(markup)


def _wire(tg: FakeTelegram) -> FakeTelegram:
    return tg  # bot/app.py registers the coaching handlers


@pytest.fixture
def coach(tg: FakeTelegram) -> FakeTelegram:
    return _wire(tg)


@pytest.fixture
def runner(coach: FakeTelegram) -> ChatUser:
    return ChatUser(coach, user_id=5151, first_name="Rui")


async def _onboard(user: ChatUser, clock: FakeClock, **fields: object) -> RunnerProfile:
    await user.send("hello")  # creates the users row, as any first message does
    values: dict[str, object] = {"equipment": BROAD, "minutes_per_session": 45,
                                 "days_per_week": 4}
    values.update(fields)
    profile = RunnerProfile(user_id=user.id, **values)  # type: ignore[arg-type]
    await user.tg.application.bot_data["services"].profiles.save(profile, clock.now())
    return profile


async def _log_count(tg: FakeTelegram, user_id: int) -> int:
    db = tg.application.bot_data["services"].db
    async with db.sessions() as session:
        return int(await session.scalar(
            select(func.count()).select_from(SessionLog).where(SessionLog.user_id == user_id)
        ) or 0)


def _title(message: BotMessage) -> str:
    return message.text.split("\n")[0]


def _minutes(message: BotMessage) -> int:
    # The first line reads "<emoji> <title> · <N> min".
    return int(_title(message).rsplit("· ", 1)[1].split()[0])


# ---------------------------------------------------------------------------------- /suggest


async def test_not_onboarded_user_is_sent_to_start(runner: ChatUser) -> None:
    for command in ("/suggest", "/week", "/convert"):
        reply = await runner.send(command)
        assert reply.text == "Let's set you up first: send /start."


async def test_suggest_shows_the_session_clearly(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, injury_status="injured", condition_id="shin_splints",
                   phase="settling", equipment=frozenset({"turbo_trainer"}),
                   minutes_per_session=30)
    reply = await runner.send("/suggest")
    message = reply.last
    assert " min" in _title(message) and _minutes(message) <= 30
    assert "Warm-up" in message.text and "Main" in message.text and "Cool-down" in message.text
    assert "RPE" in message.text
    assert "🛑" in message.text  # the stop rule
    assert "fits your time" in message.text and "shin splints" in message.text
    assert message.labels == ["✅ Done", "🔄 Another", "⏱ Shorter", "⏱ Longer",
                              "❓ Why this one"]
    assert len(message.text) <= 4096


async def test_done_logs_once_even_on_a_double_tap(make_bot: BotFactory, database_url: str,
                                                    clock: FakeClock) -> None:
    tg = _wire(await make_bot(database_url))
    runner = ChatUser(tg, user_id=5152, first_name="Rui")
    await _onboard(runner, clock)
    suggestion = (await runner.send("/suggest")).last
    done = suggestion.button("✅ Done")["callback_data"]
    first = await runner.press("✅ Done", on=suggestion)
    assert first.answers == ["Logged ✅"]
    assert "Logged for today" in runner.messages()[-1].text
    assert runner.messages()[-1].labels == ["✅ Logged"]
    again = await runner.press_data(done, on=suggestion)  # the second tap of a double tap
    assert again.answers == ["Already logged"]
    assert (await runner.press("✅ Logged", on=suggestion)).answers == ["Already logged"]
    assert await _log_count(tg, runner.id) == 1
    history = await CoachingRepository(tg.application.bot_data["services"].db).recent_history(
        runner.id, clock.now().date() - timedelta(days=1))
    assert [(h.status, h.performed_on) for h in history] == [("done", clock.now().date())]
    assert history[0].session_id is not None


async def test_another_gives_a_different_session(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock)
    suggestion = (await runner.send("/suggest")).last
    seen = {_title(suggestion)}
    for _ in range(3):
        reply = await runner.press("🔄 Another", on=suggestion)
        assert reply.answers == [""]
        seen.add(_title(reply.last))
    assert len(seen) == 4  # four taps, four different sessions, in one edited message
    assert len(runner.messages()) == 2  # "hello" got an answer; the suggestion was edited


async def test_shorter_and_longer(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, minutes_per_session=60)
    suggestion = (await runner.send("/suggest")).last
    before = _minutes(suggestion)
    shorter = await runner.press("⏱ Shorter", on=suggestion)
    after_shorter = _minutes(shorter.last)
    assert after_shorter < before
    longer = await runner.press("⏱ Longer", on=suggestion)
    assert _minutes(longer.last) > after_shorter
    assert _minutes(longer.last) <= 90  # "60" means an hour or more, up to 90 minutes


async def test_nothing_shorter_is_said_plainly(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, minutes_per_session=15, equipment=frozenset())
    suggestion = (await runner.send("/suggest")).last
    for _ in range(3):  # step down until nothing shorter exists
        reply = await runner.press("⏱ Shorter", on=suggestion)
        if reply.answers and reply.answers[0].startswith("Nothing shorter"):
            break
    assert reply.answers == ["Nothing shorter fits right now."]


async def test_why_this_one(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, injury_status="injured", condition_id="shin_splints",
                   phase="settling")
    suggestion = (await runner.send("/suggest")).last
    reply = await runner.press("❓ Why this one", on=suggestion)
    assert reply.answers == [""]
    assert reply.last.text.startswith("❓ Why ")
    assert "shin splints" in reply.last.text
    assert "Also good today" in reply.last.text


async def test_stale_and_unknown_buttons(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock)
    suggestion = (await runner.send("/suggest")).last
    unknown = await runner.press_data("sg:done:no_such_session", on=suggestion)
    assert unknown.answers == [coaching.EXPIRED]
    garbage = await runner.press_data("sg:", on=suggestion)
    assert garbage.answers == [coaching.EXPIRED]
    clock.advance(timedelta(days=3))
    old = await runner.press("🔄 Another", on=suggestion)
    assert old.answers == [coaching.EXPIRED]
    old_done = await runner.press("✅ Done", on=suggestion)
    assert old_done.answers == [coaching.EXPIRED]
    assert await _log_count(runner.tg, runner.id) == 0


async def test_buttons_after_done_do_not_swap_the_logged_session(runner: ChatUser,
                                                                 clock: FakeClock) -> None:
    await _onboard(runner, clock)
    suggestion = (await runner.send("/suggest")).last
    another = suggestion.button("🔄 Another")["callback_data"]
    await runner.press("✅ Done", on=suggestion)
    reply = await runner.press_data(another, on=suggestion)
    assert reply.answers == ["Already logged. Send /suggest for another session."]


async def test_menu_button_suggests(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock)
    anchor = runner.messages()[-1]
    reply = await runner.press_data("sg:menu", on=anchor)
    assert reply.answers == [""]
    assert reply.last.labels[0] == "✅ Done"


async def test_pain_report_steps_down_and_advises_a_clinician(runner: ChatUser,
                                                              clock: FakeClock) -> None:
    await _onboard(runner, clock)
    db = runner.tg.application.bot_data["services"].db
    async with db.sessions() as session, session.begin():
        session.add(SessionLog(user_id=runner.id, performed_on=clock.now().date(),
                               logged_at=clock.now(), activity_id="turbo",
                               session_id="turbo_intervals_1min", pain=6, status="done"))
    reply = await runner.send("/suggest")
    assert "gentlest" in reply.text
    assert "physiotherapist" in reply.text  # the pack's see_clinician text


# ---------------------------------------------------------------------------------- /convert


async def test_convert_asks_for_pace_once_and_stores_it(runner: ChatUser,
                                                        clock: FakeClock) -> None:
    await _onboard(runner, clock)
    asked = await runner.send("/convert")
    prompt = asked.last
    markup = _force_reply(asked)
    assert markup["force_reply"] is True
    assert markup["input_field_placeholder"] == "e.g. 6x800m with 90s jog"
    pace_question = (await runner.reply(prompt, "6x800m with 90s jog")).last
    assert "usual easy running pace" in pace_question.text
    reply = await runner.reply(pace_question, "5:30/km")
    assert "Got it: 5:30/km" in reply.text
    assert "6 × 3 min 45 s" in reply.text  # 800 m at 85% of 5:30/km, rounded to 15 s
    assert "Turbo trainer: intervals" in reply.text
    assert "Pool running: intervals" in reply.text
    profile = await runner.tg.application.bot_data["services"].profiles.get(runner.id)
    assert profile.run_pace_sec_per_km == 330
    # The next distance run uses the stored pace: no question this time.
    prompt = (await runner.send("/convert")).last
    reply = await runner.reply(prompt, "5k easy")
    assert "usual easy running pace" not in reply.text
    assert "Elliptical" in reply.text or "Turbo" in reply.text


async def test_convert_nonsense_then_a_real_run(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, equipment=frozenset({"road_bike"}))
    prompt = (await runner.send("/convert")).last
    nonsense = await runner.reply(prompt, "asdf")
    again = nonsense.last
    assert again.text.startswith("I couldn't read that run; try e.g.")
    assert _force_reply(nonsense)["force_reply"] is True
    stale = await runner.reply(prompt, "tempo 20 min")  # answering the superseded prompt
    assert stale.text == "That question has passed. Send /convert to start again."
    reply = await runner.reply(again, "tempo 20 min")
    assert "tempo run" in reply.text and "Road cycling: tempo session" in reply.text
    assert "not a like-for-like match for running muscles" in reply.text


async def test_convert_with_the_run_in_the_command(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, equipment=frozenset({"pool"}), injury_status="injured",
                   condition_id="bone_stress_injury", phase="acute")
    reply = await runner.send("/convert long run 1h45")
    assert "Pool running: long session · 105 min" in reply.text
    assert "10-15 beats per minute lower" in reply.text
    assert "Walking" not in reply.text  # weight-bearing: avoided for a bone stress injury


async def test_convert_reply_survives_a_restart(make_bot: BotFactory, sqlite_url: str,
                                                clock: FakeClock) -> None:
    first = _wire(await make_bot(sqlite_url))
    runner = ChatUser(first, user_id=5153, first_name="Rui")
    await _onboard(runner, clock, run_pace_sec_per_km=300)
    prompt = (await runner.send("/convert")).last
    second = _wire(await make_bot(sqlite_url, api=first.api))  # a new process, same database
    runner.tg = second
    reply = await runner.reply(prompt, "8 x 60s hills")
    assert "hill session: 8 × 1 min" in reply.text


async def test_convert_from_the_menu(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock)
    reply = await runner.press_data("sg:convert", on=runner.messages()[-1])
    assert reply.answers == [""]
    assert "Which run do you want to replace?" in reply.last.text


# ------------------------------------------------------------------------------------- /week


async def test_week_plan_and_a_day_tap(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock, days_per_week=4, minutes_per_session=45)
    week = (await runner.send("/week")).last
    lines = [line for line in week.text.split("\n") if " · " in line]
    assert len(lines) == 7
    assert sum("Rest" in line for line in lines) == 3
    assert len(week.labels) == 7
    training = [label for label in week.labels if not label.startswith("😴")]
    day = await runner.press(training[0], on=week)
    assert day.answers == [""]
    assert day.last.text.startswith("📅 ")
    assert "min" in day.last.text
    rest = next(label for label in week.labels if label.startswith("😴"))
    assert "Rest day" in (await runner.press(rest, on=week)).last.text


async def test_week_day_tap_on_an_old_plan(runner: ChatUser, clock: FakeClock) -> None:
    await _onboard(runner, clock)
    week = (await runner.send("/week")).last
    clock.advance(timedelta(days=8))
    reply = await runner.press(week.labels[0], on=week)
    assert reply.answers == ["That day has passed. Send /week for a fresh plan."]
