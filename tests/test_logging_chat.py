"""Logging through the chat: replies to nudges, /log, plain text, edits, Undo and the pain check."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import FakeClock
from bot.coach.profile import RunnerProfile
from bot.db.logs import LogRepository, NewLog
from bot.db.models import NudgeDelivery, SessionLog
from bot.services import Services
from bot.telegram.views import logbook as views
from bot.telegram.views.nudges import render_nudge
from tests.conftest import BotFactory
from tests.harness import BotMessage, ChatUser, FakeTelegram

TODAY = date(2026, 3, 2)  # the clock fixture's Monday, London


@pytest.fixture(autouse=True)
def _no_handler_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A handler that raised is answered with an apology, which a test could miss: fail on it."""
    yield
    assert [r.getMessage() for r in caplog.get_records("call") if r.name == "bot.errors"] == []


@pytest.fixture
async def bot(make_bot: BotFactory, database_url: str) -> FakeTelegram:
    return await make_bot(database_url)


@pytest.fixture
def runner(bot: FakeTelegram) -> ChatUser:
    return ChatUser(bot, user_id=5151, first_name="Ana")


def services(tg: FakeTelegram) -> Services:
    return tg.application.bot_data["services"]  # type: ignore[no-any-return]


async def all_logs(tg: FakeTelegram, user_id: int) -> list[SessionLog]:
    async with services(tg).db.sessions() as session:
        return list((await session.scalars(
            select(SessionLog).where(SessionLog.user_id == user_id).order_by(SessionLog.id)
        )).all())


async def live_logs(tg: FakeTelegram, user_id: int) -> list[SessionLog]:
    return [log for log in await all_logs(tg, user_id) if log.undone_at is None]


async def send_nudge(tg: FakeTelegram, user: ChatUser, content_id: str, kind: str = "habit",
                     local_date: date = TODAY) -> tuple[BotMessage, int]:
    """What the nudge sender does: a ledger row and a message with Done/Skip buttons."""
    svc = services(tg)
    now = svc.clock.now()
    await svc.users.seen(user.id, user.id, "Ana", "en", now)
    async with svc.db.sessions() as session, session.begin():
        row = NudgeDelivery(user_id=user.id, local_date=local_date, kind=kind,
                            content_id=content_id, due_at=now, status="sent", attempts=1,
                            not_before=now, created_at=now, sent_at=now)
        session.add(row)
        await session.flush()
        delivery_id = row.id
    rendered = render_nudge(svc.content, delivery_id, kind, content_id)
    assert rendered is not None
    text, keyboard = rendered
    sent = await tg.application.bot.send_message(user.id, text, reply_markup=keyboard)
    async with svc.db.sessions() as session, session.begin():
        row = await session.get(NudgeDelivery, delivery_id)
        assert row is not None
        row.telegram_message_id = sent.message_id
    return user.messages()[-1], delivery_id


async def make_injured(tg: FakeTelegram, user: ChatUser, *, pain_today: int = 2) -> None:
    svc = services(tg)
    now = svc.clock.now()
    await svc.users.seen(user.id, user.id, "Ana", "en", now)
    await svc.profiles.save(RunnerProfile(
        user_id=user.id, injury_status="injured", condition_id="calf_strain",
        phase="settling", pain_today=pain_today, days_per_week=4), now)


# --- plain text and /log -------------------------------------------------------------------------


async def test_plain_text_that_reads_as_a_log_is_logged_with_undo_and_edit(
        bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("swam 30 min easy")
    assert reply.text == "✅ Logged: 🏊 Swimming, 30 min, easy"
    assert reply.last.labels == ["↩️ Undo", "✏️ Edit"]
    [log] = await live_logs(bot, runner.id)
    assert (log.activity_id, log.minutes, log.effort, log.status, log.source) == (
        "swimming", 30.0, 3, "done", "text")
    assert log.performed_on == TODAY
    assert log.source_message_id == runner.sent[-1]["message_id"]


NOT_SURE = "I'm not sure what you mean. Send /help to see what I can do."
LONG = ("That's a long message! I work best with short ones, like swam 30 min. "
        "Send /help to see what I can do.")


@pytest.mark.parametrize(("text", "expected"), [
    ("hello, how are you?", NOT_SURE),
    ("hello", NOT_SURE),
    ("what should I do today?", NOT_SURE),
    ("should I swim 30 min tomorrow?", NOT_SURE),  # a plan, not a log
    ("🏊‍♀️🔥💪", "😊 I read words better than emoji. Send /help to see what I can do."),
    ("✅", "😊 I read words better than emoji. Send /help to see what I can do."),
    ("swim " * 819, LONG),  # 4,095 characters naming an activity, but no log
    ("swam 30 min easy. " + "Then a long story about my week. " * 123, LONG),
])
async def test_plain_chat_still_reaches_the_fallback(bot: FakeTelegram, runner: ChatUser,
                                                     text: str, expected: str) -> None:
    assert len(text) <= 4096
    reply = await runner.send(text)
    # This runner never onboarded, so the fallback points at /start rather than /help.
    assert reply.text == expected.replace("Send /help to see what I can do.",
                                          "Send /start to set up your coaching first.")
    assert len(reply.messages) == 1
    assert await all_logs(bot, runner.id) == []


async def test_log_command_with_text(bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("/log rowed 5k in 22 min yesterday")
    assert reply.text == "✅ Logged: 🚣 Rowing machine, 22 min, 5 km, yesterday"
    [log] = await live_logs(bot, runner.id)
    assert log.source == "command"
    assert log.performed_on == TODAY - timedelta(days=1)


async def test_log_alone_asks_with_force_reply_and_the_reply_is_logged(
        bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("/log")
    assert reply.text.startswith(views.LOG_PROMPT)
    assert reply.calls[0].params["reply_markup"]["force_reply"] is True
    answer = await runner.reply(reply.last, "45' elliptical")
    assert answer.text == "✅ Logged: 🔁 Elliptical trainer, 45 min"
    [log] = await live_logs(bot, runner.id)
    assert log.source == "command"


async def test_a_repeated_update_makes_one_log(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("bike 1h15 tempo")
    again = await runner.resend(runner.sent[-1])
    assert "Already logged: 🚴 Road cycling, 1 h 15 min" in again.text
    logs = await all_logs(bot, runner.id)
    assert len(logs) == 1
    assert logs[0].minutes == 75.0


async def test_two_workers_racing_on_one_message_make_one_log(
        bot: FakeTelegram, runner: ChatUser) -> None:
    """The unique constraint, not a read-then-write check, is what keeps it to one."""
    repo = LogRepository(services(bot).db)
    await services(bot).users.seen(runner.id, runner.id, "Ana", "en", services(bot).clock.now())
    new = NewLog(user_id=runner.id, source_message_id=77, performed_on=TODAY,
                 logged_at=services(bot).clock.now(), activity_id="swimming", minutes=20)
    results = await asyncio.gather(*(repo.create(new) for _ in range(4)))
    assert sum(created for _, created in results) == 1
    assert len({log.id for log, _ in results}) == 1


# --- Undo and Edit -------------------------------------------------------------------------------


async def test_undo_removes_the_log_and_undo_again_changes_nothing(
        bot: FakeTelegram, runner: ChatUser) -> None:
    logged = await runner.send("swam 30 min")
    confirmation = logged.last
    undo_data = confirmation.button("Undo")["callback_data"]
    undo = await runner.press("Undo", on=confirmation)
    assert undo.answers == ["Undone"]
    assert undo.edits[-1].text.startswith("↩️ Undone: 🏊 Swimming, 30 min")
    assert undo.edits[-1].buttons == []
    assert await live_logs(bot, runner.id) == []
    [undone] = await all_logs(bot, runner.id)
    first_undo = undone.undone_at

    # The old keyboard, tapped again (e.g. from another device).
    again = await runner.press_data(undo_data, on=confirmation)
    assert again.answers == [views.ALREADY_UNDONE]
    assert again.edits == [] and again.messages == []
    services(bot).clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    await runner.press_data(undo_data, on=confirmation)
    [still] = await all_logs(bot, runner.id)
    assert still.undone_at == first_undo


async def test_edit_button_explains_how_to_correct(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("swam 30 min")
    reply = await runner.press("Edit")
    assert reply.answers == [""]
    assert "edit your original message" in reply.text
    assert "/log" in reply.text


async def test_editing_the_message_updates_its_log(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("swam 30 min")
    original = runner.sent[-1]
    reply = await runner.edit(original, "swam 45 min hard")
    assert reply.text == "✅ Updated: 🏊 Swimming, 45 min, hard"
    [log] = await all_logs(bot, runner.id)
    assert (log.minutes, log.effort, log.raw_text) == (45.0, 8, "swam 45 min hard")


async def test_an_unreadable_edit_keeps_the_log(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("swam 30 min")
    reply = await runner.edit(runner.sent[-1], "hmm")
    assert "the log stays as it was: 🏊 Swimming, 30 min" in reply.text
    [log] = await all_logs(bot, runner.id)
    assert log.minutes == 30.0


async def test_editing_a_log_command_updates_it(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("/log turbo 40 min")
    reply = await runner.edit(runner.sent[-1], "/log turbo 50 min rpe 7")
    assert reply.text == "✅ Updated: 🚲 Turbo trainer or indoor bike, 50 min, RPE 7"


async def test_editing_plain_chat_into_a_log_logs_it(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("hello")
    reply = await runner.edit(runner.sent[-1], "hike 2.5 hours with the kids")
    assert reply.text == "✅ Logged: 🥾 Hiking, 2 h 30 min"
    assert len(await live_logs(bot, runner.id)) == 1


async def test_editing_an_undone_log_leaves_it_undone(bot: FakeTelegram, runner: ChatUser
                                                     ) -> None:
    await runner.send("swam 30 min")
    await runner.press("Undo")
    reply = await runner.edit(runner.sent[-1], "swam 40 min")
    assert "You undid this log" in reply.text
    assert await live_logs(bot, runner.id) == []


# --- replies to nudges ----------------------------------------------------------------------------


async def test_a_reply_to_a_nudge_makes_a_log_tied_to_it(bot: FakeTelegram, runner: ChatUser
                                                         ) -> None:
    nudge, delivery_id = await send_nudge(bot, runner, "brush_one_leg")
    reply = await runner.reply(nudge, "did 2 min, felt wobbly")
    assert reply.text.startswith("✅ Logged: 🤸 Balance, agility and coordination, 2 min")
    [log] = await live_logs(bot, runner.id)
    assert log.nudge_delivery_id == delivery_id
    assert log.source == "nudge"
    async with services(bot).db.sessions() as session:
        row = await session.get(NudgeDelivery, delivery_id)
        assert row is not None and row.response == "done"


async def test_bare_done_and_skipped_replies_mark_the_nudge(bot: FakeTelegram, runner: ChatUser
                                                            ) -> None:
    nudge, _ = await send_nudge(bot, runner, "brush_one_leg")
    done = await runner.reply(nudge, "done")
    assert done.text.startswith("✅ Logged: 🤸 Balance, agility and coordination")
    again = await runner.reply(nudge, "done ✅")
    assert again.text.startswith("Already logged")
    assert len(await live_logs(bot, runner.id)) == 1

    other, other_id = await send_nudge(bot, runner, "kettle_squats",
                                       local_date=TODAY + timedelta(days=1))
    skipped = await runner.reply(other, "skipped")
    assert "skipped" in skipped.text
    async with services(bot).db.sessions() as session:
        row = await session.get(NudgeDelivery, other_id)
        assert row is not None and row.response == "skipped"
    statuses = [log.status for log in await live_logs(bot, runner.id)]
    assert statuses == ["done", "skipped"]


async def test_a_detailed_reply_replaces_the_done_button_log(bot: FakeTelegram, runner: ChatUser
                                                            ) -> None:
    nudge, delivery_id = await send_nudge(bot, runner, "brush_one_leg")
    # What the nudges' Done button stores: a log keyed by the nudge message itself.
    repo = LogRepository(services(bot).db)
    await repo.create(NewLog(user_id=runner.id, source_message_id=nudge.message_id,
                             performed_on=TODAY, logged_at=services(bot).clock.now(),
                             activity_id="balance_agility", source="nudge",
                             nudge_delivery_id=delivery_id))
    reply = await runner.reply(nudge, "balance 3 min")
    assert "replaces your earlier ✅ Done" in reply.text
    [log] = await live_logs(bot, runner.id)
    assert log.minutes == 3.0


async def test_a_reply_to_a_suggestion_logs_its_session(bot: FakeTelegram, runner: ChatUser
                                                        ) -> None:
    await services(bot).users.seen(runner.id, runner.id, "Ana", "en", services(bot).clock.now())
    await bot.application.bot.send_message(
        runner.id, "💡 Turbo tempo: 2 x 12 minutes",
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton("✅ Done", callback_data="sg:done:turbo_tempo"),
            InlineKeyboardButton("🔄 Another", callback_data="sg:another:turbo_tempo"),
        ]]))
    reply = await runner.reply(runner.messages()[-1], "done, rpe 7")
    assert reply.text.startswith("✅ Logged: 🚲 Turbo trainer or indoor bike (Turbo tempo")
    [log] = await live_logs(bot, runner.id)
    assert (log.session_id, log.source, log.effort) == ("turbo_tempo", "suggestion", 7)


# --- the clarifying question ----------------------------------------------------------------------


async def test_an_unclear_reply_gets_one_question_and_the_answer_logs_it(
        bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("/log zumba 45 min")
    assert reply.text.startswith(views.CLARIFY_QUESTION)
    assert len(reply.messages) == 1
    assert reply.last.labels[-2:] == ["Other…", "No"]
    assert await all_logs(bot, runner.id) == []
    answer = await runner.press("Other…")
    assert answer.edits[-1].text.startswith("✅ Logged: 📝 Other, 45 min")
    [log] = await live_logs(bot, runner.id)
    assert (log.activity_id, log.notes) == ("other", "zumba 45 min")
    # The question was used up: a second tap is stale and logs nothing.
    stale = await runner.press_data(f"{views.PREFIX}c:swimming", on=answer.edits[-1])
    assert stale.answers == [views.STALE]
    assert len(await all_logs(bot, runner.id)) == 1


async def test_unclear_text_answered_with_an_activity(bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("/log did a thing for 20 min")
    assert "Did you want to log a session?" in reply.text
    await runner.press("Swimming")
    [log] = await live_logs(bot, runner.id)
    assert (log.activity_id, log.minutes) == ("swimming", 20.0)


async def test_unclear_text_answered_no_logs_nothing(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("/log blah")
    reply = await runner.press("No")
    assert reply.edits[-1].text == views.NOT_LOGGED
    assert await all_logs(bot, runner.id) == []


async def test_clarify_keeps_the_pending_text_in_the_database(
        bot: FakeTelegram, runner: ChatUser, make_bot: BotFactory, database_url: str) -> None:
    """Another worker (a second bot on the same database) can take the answer."""
    await runner.send("/log zumba 30")
    question = runner.last_with_buttons()
    other = await make_bot(database_url, api=bot.api)
    runner.tg = other
    await runner.press("Other…", on=question)
    [log] = await live_logs(other, runner.id)
    assert log.minutes == 30.0


# --- pain check ---------------------------------------------------------------------------------


async def test_injured_runner_gets_the_pain_check_and_high_pain_gets_the_safety_reply(
        bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    reply = await runner.send("swam 30 min easy")
    assert reply.messages[-1].text == views.PAIN_QUESTION
    assert reply.messages[-1].labels == [str(n) for n in range(11)]
    pain = await runner.press("6", on=reply.messages[-1])
    assert pain.edits[-1].text == "Pain during: 6/10. Noted, thank you."
    assert pain.edits[-1].buttons == []
    safety = pain.messages[-1].text
    assert "clearly past what this injury should take (up to 3/10)" in safety  # a muscle
    assert "Rest the sore area today" in safety
    pack = services(bot).content
    assert pack.text("red_flags_general")[:40] in safety
    [log] = await live_logs(bot, runner.id)
    assert log.pain == 6


async def test_low_pain_is_noted_without_alarm(bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    reply = await runner.send("swam 30 min")
    pain = await runner.press("1", on=reply.messages[-1])
    assert pain.messages == []
    assert pain.answers == ["Noted"]


async def test_rising_pain_gets_the_safety_reply(bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    await runner.send("swam 30 min pain 2")  # pain given: no question
    assert runner.messages()[-1].text.startswith("✅ Logged")
    reply = await runner.send("bike 40 min")
    pain = await runner.press("3", on=reply.messages[-1])
    assert "higher than last time (2/10)" in pain.text


async def test_a_red_flag_in_the_log_gets_the_safety_reply(bot: FakeTelegram, runner: ChatUser
                                                           ) -> None:
    reply = await runner.send("bike 40 min, foot went numb")
    assert "warning sign" in reply.text
    assert "see a clinician" in reply.text.lower()


async def test_pain_button_on_an_undone_log(bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    reply = await runner.send("swam 30 min")
    question = reply.messages[-1]
    await runner.press("Undo", on=reply.messages[0])
    stale = await runner.press("7", on=question)
    assert stale.answers == ["That log was undone."]
    assert stale.messages == []


async def test_stale_and_malformed_buttons_are_answered(bot: FakeTelegram, runner: ChatUser
                                                        ) -> None:
    await runner.send("swam 30 min")
    message = runner.last_with_buttons()
    for data in ("lg:undo:999999", "lg:pain:1:99", "lg:nonsense", "lg:undo:x", "lg:h:-"):
        reply = await runner.press_data(data, on=message)
        assert reply.answers == [views.STALE], data


async def test_someone_elses_log_cannot_be_undone(bot: FakeTelegram, runner: ChatUser) -> None:
    logged = await runner.send("swam 30 min")
    mallory = ChatUser(bot, user_id=6666, first_name="Mallory")
    data = logged.last.button("Undo")["callback_data"]
    reply = await mallory.press_data(data, on=logged.last)
    assert reply.answers == [views.STALE]
    assert len(await live_logs(bot, runner.id)) == 1


async def test_skipped_text_is_not_pain_checked(bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    reply = await runner.send("/log skipped the swim today")
    assert "skipped" in reply.text
    assert all(m.text != views.PAIN_QUESTION for m in reply.messages)


async def test_clock_is_the_source_of_today(bot: FakeTelegram, runner: ChatUser) -> None:
    clock = services(bot).clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(days=3))
    await runner.send("swam 30 min yesterday")
    [log] = await live_logs(bot, runner.id)
    assert log.performed_on == TODAY + timedelta(days=2)


# --- bad input --------------------------------------------------------------------------------


async def test_huge_and_odd_callback_numbers_are_answered(bot: FakeTelegram, runner: ChatUser
                                                         ) -> None:
    await runner.send("swam 30 min")
    message = runner.last_with_buttons()
    for data in ("lg:undo:99999999999999999999999", "lg:h:99999999999999999999999",
                 "lg:pain:1:-3", "lg:edit:٣", "lg:undo:+5", "lg:h:-10", "lg:c:" + "x" * 50):
        reply = await runner.press_data(data, on=message)
        assert reply.answers == [views.STALE], data
    assert len(await live_logs(bot, runner.id)) == 1


async def test_long_messages_and_emoji_never_break_logging(bot: FakeTelegram, runner: ChatUser
                                                          ) -> None:
    long_log = "/log swam 30 min 🏊‍♀️ " + "lovely water, " * 285
    assert 3900 < len(long_log) <= 4096
    reply = await runner.send(long_log)
    assert len(reply.messages) == 1 and all(len(m.text) < 4096 for m in reply.messages)
    emoji = await runner.send("/log 🏊‍♀️🔥🔥🔥")
    assert emoji.text.startswith(views.CLARIFY_QUESTION) or emoji.text.startswith("✅ Logged")
    unclear = await runner.send("/log " + "🤷" * 4000)
    assert unclear.messages and len(unclear.last.text) < 4096
    edit = await runner.edit(runner.sent[0], "swam 45 min " + "ok " * 1300)
    assert edit.messages and all(len(m.text) < 4096 for m in edit.messages)


async def test_history_buttons_pressed_twice_are_answered_both_times(
        bot: FakeTelegram, runner: ChatUser) -> None:
    for minutes in range(20, 32):
        await runner.send(f"/log swam {minutes} min")
    page = (await runner.send("/history")).last
    first = await runner.press("Older", on=page)
    second = await runner.press_data(f"{views.PREFIX}h:10", on=page)
    assert first.answers == [""] and second.answers == [""]
    assert "(11–12 of 12" in runner.messages()[-1].text
