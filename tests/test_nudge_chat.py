"""The nudge in the chat: its buttons through the harness, a double tap, and /admin."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import time, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from bot.db.models import ConversationState, NudgeDelivery, SessionLog, User
from tests.harness import ChatUser, FakeTelegram
from tests.nudge_support import get_user, ledger, services_of, tick, utc

ADMIN = 9001


def wire(tg: FakeTelegram) -> FakeTelegram:
    return tg  # bot/app.py registers the nudge handlers


@pytest.fixture(autouse=True)
def _no_handler_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A handler that raised is answered with an apology, which a test could miss: fail on it."""
    yield
    assert [r.getMessage() for r in caplog.get_records("call") if r.name == "bot.errors"] == []


@pytest.fixture
async def bot(make_bot) -> FakeTelegram:
    return wire(await make_bot(admin_ids=frozenset({ADMIN})))


async def started(tg: FakeTelegram, clock, user_id: int = 4242) -> ChatUser:
    """A runner who sent /start at 07:00 and finished onboarding (its conversation is over)."""
    user = ChatUser(tg, user_id=user_id, first_name="Ana")
    clock.set(utc(2026, 3, 2, 7, 0))
    await user.send("/start")
    async with services_of(tg).db.sessions() as session, session.begin():
        await session.execute(delete(ConversationState).where(
            ConversationState.user_id == user_id))
    return user


async def onboarded(tg: FakeTelegram, clock, user_id: int = 4242) -> ChatUser:
    """A runner who said hello and chose 07:30 London; the nudge is due now."""
    user = await started(tg, clock, user_id)
    services = services_of(tg)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(
            timezone="Europe/London", nudge_time=time(7, 30), onboarded_at=utc(2026, 3, 2, 7, 0),
            next_nudge_at=utc(2026, 3, 2, 7, 30), last_seen_at=utc(2026, 3, 2, 7, 0)))
    clock.set(utc(2026, 3, 2, 7, 30))
    await tick(tg, clock)
    return user


async def log_count(tg: FakeTelegram, user_id: int) -> int:
    async with services_of(tg).db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(SessionLog).where(
            SessionLog.user_id == user_id)) or 0)


async def test_nudge_message_has_text_safety_reply_line_and_buttons(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    assert "Reply to this message to log what you did" in nudge.text
    [row] = await ledger(services_of(bot), ana.id)
    habit = services_of(bot).content.nudges[row.content_id]
    assert html.escape(habit.text["en"]) in nudge.text  # sent as HTML
    if habit.safety_note is not None:
        assert f"⚠️ {html.escape(habit.safety_note['en'])}" in nudge.text
    assert nudge.buttons == [["✅ Done"], ["⏰ 30 min", "⏰ 2 h", "⏰ This evening"],
                             ["⏭ Skip today"]]


async def test_done_logs_once_and_a_second_tap_changes_nothing(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    done_data = nudge.button("✅ Done")["callback_data"]
    reply = await ana.press("✅ Done", on=nudge)
    assert reply.answers == ["Nice one! Logged ✅"]
    assert "Done — logged for today" in reply.text
    assert ana.messages()[-1].buttons == []  # the buttons are gone
    again = await ana.press_data(done_data, on=nudge)
    assert again.answers == ["Already done ✅"]
    assert await log_count(bot, ana.id) == 1
    services = services_of(bot)
    async with services.db.sessions() as session:
        log = await session.scalar(select(SessionLog).where(SessionLog.user_id == ana.id))
    assert log is not None
    assert (log.source, log.source_message_id) == ("nudge", nudge.message_id)
    [row] = await ledger(services, ana.id)
    assert row.response == "done"
    # Quiet once done: tomorrow's nudge still comes, today's snooze cannot.
    clock.set(utc(2026, 3, 3, 7, 30))
    await tick(bot, clock)
    assert len([m for m in ana.messages() if "✅ Done" in m.labels]) == 1


async def test_snooze_30_minutes_brings_the_nudge_back_once(bot, clock):
    ana = await onboarded(bot, clock)
    reply = await ana.press("⏰ 30 min")
    assert reply.answers == ["Snoozed until 08:00"]
    assert ana.messages()[-1].buttons == []
    clock.set(utc(2026, 3, 2, 7, 59))
    await tick(bot, clock)
    assert len(ana.messages()) == 2  # the /start answer and the nudge, nothing yet
    clock.set(utc(2026, 3, 2, 8, 0))
    await tick(bot, clock)
    clock.set(utc(2026, 3, 2, 9, 0))
    await tick(bot, clock)
    again = ana.messages()[-1]
    assert len(ana.messages()) == 3 and again.buttons
    # Done on the re-sent message is the same ledger row.
    await ana.press("✅ Done", on=again)
    [row] = await ledger(services_of(bot), ana.id)
    assert (row.status, row.response, row.telegram_message_id) == (
        "sent", "done", again.message_id)


async def test_a_snooze_never_lands_in_quiet_hours_nor_spills_into_tomorrow(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    clock.set(utc(2026, 3, 2, 21, 10))
    for label in ("⏰ This evening", "⏰ 30 min", "⏰ 2 h"):
        reply = await ana.press(label, on=nudge)
        assert reply.answers == ["Your quiet hours start at 21:30, so that's too late for a "
                                 "reminder today. Tap ✅ Done if you do it."]
        assert reply.edits == []  # the buttons stay: Done still works tonight
    [row] = await ledger(services_of(bot), ana.id)
    assert (row.status, row.response) == ("sent", None)
    # Nothing in the quiet hours, and tomorrow exactly one nudge, at 07:30.
    sends = []
    bot.api.listeners.append(lambda m, p: sends.append(clock.now()) if m == "sendMessage"
                             else None)
    for hour, minute in ((21, 40), (23, 10), (3, 0), (7, 0), (7, 30), (9, 0)):
        day = 2 if hour >= 21 else 3
        clock.set(utc(2026, 3, day, hour, minute))
        await tick(bot, clock)
    assert sends == [utc(2026, 3, 3, 7, 30)]
    # The evening before quiet hours is fine: 19:00 + 2 h = 21:00.
    clock.set(utc(2026, 3, 3, 19, 0))
    reply = await ana.press("⏰ 2 h")
    assert reply.answers == ["Snoozed until 21:00"]


async def test_an_old_nudge_cannot_be_snoozed_into_another_day(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    clock.set(utc(2026, 3, 3, 6, 0))
    reply = await ana.press("⏰ 30 min", on=nudge)
    assert reply.answers == ["This nudge was for an earlier day. Today's comes as usual."]


async def test_skip_today(bot, clock):
    ana = await onboarded(bot, clock)
    reply = await ana.press("⏭ Skip today")
    assert "Skipped for today" in reply.text
    [row] = await ledger(services_of(bot), ana.id)
    assert row.response == "skipped"
    assert await log_count(bot, ana.id) == 0


async def test_still_want_these_buttons(bot, clock):
    ana = await onboarded(bot, clock)
    services = services_of(bot)
    async with services.db.sessions() as session, session.begin():
        await session.execute(insert(NudgeDelivery), [{
            "user_id": ana.id, "local_date": utc(2026, 3, 3, 0, 0).date(),
            "kind": "backoff_ask", "due_at": clock.now(), "status": "pending", "attempts": 0,
            "not_before": clock.now(), "created_at": clock.now()}])
    clock.advance(timedelta(seconds=5))
    await tick(bot, clock)
    ask = ana.last_with_buttons()
    assert "Still want these?" in ask.text
    assert ask.labels == ["Yes, keep them", "Every other day is fine", "Pause nudges"]
    pause_data = ask.button("Pause nudges")["callback_data"]
    await ana.press("Every other day is fine", on=ask)
    user = await get_user(services, ana.id)
    assert user.every_other_day_from == utc(2026, 3, 2, 0, 0).date()
    reply = await ana.press_data(pause_data, on=ask)
    assert reply.answers == ["Paused"]
    assert (await get_user(services, ana.id)).next_nudge_at is None


async def test_old_or_foreign_buttons_are_answered(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    for data in ("nd:999999:d", "nd:abc", "nd:1:zz"):
        reply = await ana.press_data(data, on=nudge)
        assert reply.answers == ["That button has expired."]
    bob = ChatUser(bot, user_id=5151, first_name="Bob")
    await bob.send("/start")
    reply = await bob.press_data(nudge.button("✅ Done")["callback_data"], on=nudge)
    assert reply.answers == ["That button has expired."]
    assert await log_count(bot, ana.id) == 0


async def test_admin_sees_counts(bot, clock):
    await onboarded(bot, clock)
    boss = ChatUser(bot, user_id=ADMIN, first_name="Boss")
    reply = await boss.send("/admin")
    assert "Users: 2" in reply.text
    assert "Active users: 2" in reply.text
    assert "Nudges sent today (UTC): 1" in reply.text
    assert "Failures today: blocked 0, failed 0, unknown 0" in reply.text


async def test_admin_is_an_unknown_command_for_everyone_else(bot, clock):
    ana = await onboarded(bot, clock)
    reply = await ana.send("/admin")
    assert reply.text == "I don't know the command /admin. Send /help to see the ones I know."


# -- a reply to the nudge is a log ----------------------------------------------------------------

async def logs_of(tg: FakeTelegram, user_id: int) -> list[SessionLog]:
    async with services_of(tg).db.sessions() as session:
        return list(await session.scalars(select(SessionLog).where(
            SessionLog.user_id == user_id).order_by(SessionLog.id)))


@pytest.mark.parametrize(("text", "activity", "minutes"), [
    ("did it, 5 min", None, 5.0),  # the activity is the habit's
    ("swam 20 min", "swimming", 20.0),
])
async def test_a_reply_to_the_sent_nudge_is_a_log_tied_to_that_delivery(
        bot, clock, text, activity, minutes):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()  # sent by the real sweep and sender
    [delivery] = await ledger(services_of(bot), ana.id)
    assert delivery.telegram_message_id == nudge.message_id
    clock.set(utc(2026, 3, 2, 8, 15))
    reply = await ana.reply(nudge, text)
    assert reply.text.startswith("✅ Logged: ")
    [log] = await logs_of(bot, ana.id)
    habit = services_of(bot).content.nudges[delivery.content_id]
    assert log.activity_id == (activity or services_of(bot).content.habit_activity(habit.kind))
    assert (log.minutes, log.nudge_delivery_id, log.source, log.undone_at) == (
        minutes, delivery.id, "nudge", None)
    [row] = await ledger(services_of(bot), ana.id)
    assert (row.response, row.responded_at) == ("done", utc(2026, 3, 2, 8, 15))
    # The same Telegram update again makes no second log.
    await ana.resend(ana.sent[-1])
    assert len(await logs_of(bot, ana.id)) == 1


async def test_undo_of_a_nudge_reply_takes_back_the_answer(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    logged = await ana.reply(nudge, "swam 20 min")
    undo_data = logged.last.button("Undo")["callback_data"]
    undo = await ana.press("Undo", on=logged.last)
    assert undo.answers == ["Undone"]
    [log] = await logs_of(bot, ana.id)
    assert log.undone_at is not None
    [row] = await ledger(services_of(bot), ana.id)
    assert row.response is None
    again = await ana.press_data(undo_data, on=logged.last)
    assert again.answers == ["Already undone"]
    # The nudge's own Done works again, and logs once.
    done = await ana.press("✅ Done", on=nudge)
    assert done.answers == ["Nice one! Logged ✅"]
    assert [x.undone_at is None for x in await logs_of(bot, ana.id)] == [False, True]


async def test_a_reply_after_done_took_the_buttons_still_logs_and_counts_once(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    await ana.press("✅ Done", on=nudge)
    now_showing = ana.messages()[-1]
    assert now_showing.buttons == [] and "Reply to this message" in now_showing.text
    reply = await ana.reply(now_showing, "swam 20 min")
    assert reply.text.startswith("✅ Logged: 🏊 Swimming, 20 min")
    assert "replaces your earlier ✅ Done" in reply.text
    done_log, reply_log = await logs_of(bot, ana.id)
    assert done_log.undone_at is not None and reply_log.undone_at is None
    assert reply_log.nudge_delivery_id == done_log.nudge_delivery_id


async def test_a_reply_to_still_want_these_is_not_read_as_a_log(bot, clock):
    ana = await onboarded(bot, clock)
    services = services_of(bot)
    async with services.db.sessions() as session, session.begin():
        await session.execute(insert(NudgeDelivery), [{
            "user_id": ana.id, "local_date": utc(2026, 3, 3, 0, 0).date(),
            "kind": "backoff_ask", "due_at": clock.now(), "status": "pending", "attempts": 0,
            "not_before": clock.now(), "created_at": clock.now()}])
    await tick(bot, clock)
    ask = ana.last_with_buttons()
    reply = await ana.reply(ask, "not sure")
    assert reply.text == "I'm not sure what you mean. Send /help to see what I can do."
    assert await log_count(bot, ana.id) == 0


# -- rules end to end ------------------------------------------------------------------------------

async def test_quiet_once_done_counts_a_log_made_with_the_log_command(bot, clock):
    ana = await started(bot, clock)
    services = services_of(bot)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ana.id).values(
            timezone="Europe/London", nudge_time=time(7, 30),
            next_nudge_at=utc(2026, 3, 2, 7, 30)))
    logged = await ana.send("/log swam 20 min")
    assert logged.text.startswith("✅ Logged")
    clock.set(utc(2026, 3, 2, 7, 30))
    await tick(bot, clock)
    assert [m for m in ana.messages() if "✅ Done" in m.labels] == []
    [row] = await ledger(services, ana.id)
    assert (row.status, row.error) == ("skipped", "done_today")


async def test_any_message_through_the_chat_resets_the_back_off_count(bot, clock):
    ana = await onboarded(bot, clock)  # 2 March: nudge 1
    services = services_of(bot)
    for day in (3, 4):  # nudges 2 and 3; 1 and 2 ignored so far
        clock.set(utc(2026, 3, day, 7, 30))
        await tick(bot, clock)
    assert (await get_user(services, ana.id)).ignored_nudges == 2
    clock.set(utc(2026, 3, 4, 12, 0))
    await ana.send("hello")  # the user gate: any message resets the count
    assert (await get_user(services, ana.id)).ignored_nudges == 0
    for day in (5, 6, 7):  # 3 and 4 are not ignored (she wrote after 3); 5 and 6 are
        clock.set(utc(2026, 3, day, 7, 30))
        await tick(bot, clock)
    texts = [m.text for m in ana.messages()]
    assert not any("Still want these?" in t for t in texts)
    assert (await get_user(services, ana.id)).ignored_nudges == 2
    clock.set(utc(2026, 3, 8, 7, 30))
    await tick(bot, clock)
    assert "Still want these?" in ana.messages()[-1].text


async def test_pause_and_stop_commands_are_honoured(bot, clock):
    ana = await onboarded(bot, clock)
    await ana.press("⏰ 2 h")  # a snoozed nudge is waiting for 09:30...
    clock.set(utc(2026, 3, 2, 8, 0))
    assert (await ana.send("/pause 2")).text.startswith("Paused for 2 days")
    sent_before = len(bot.api.calls_to("sendMessage"))
    for day, hour in ((2, 9), (2, 10), (3, 7), (3, 8)):  # ...and must not come
        clock.set(utc(2026, 3, day, hour, 30))
        await tick(bot, clock)
    assert len(bot.api.calls_to("sendMessage")) == sent_before
    # The pause ends at 08:00 on 4 March, after that day's 07:30: the next nudge is on the 5th.
    assert (await get_user(services_of(bot), ana.id)).next_nudge_at == utc(2026, 3, 5, 7, 30)
    clock.set(utc(2026, 3, 5, 7, 30))
    await tick(bot, clock)
    assert len(bot.api.calls_to("sendMessage")) == sent_before + 1

    await ana.send("/stop")
    sent_before = len(bot.api.calls_to("sendMessage"))
    for day in (6, 7):
        clock.set(utc(2026, 3, day, 7, 30))
        await tick(bot, clock)
    assert len(bot.api.calls_to("sendMessage")) == sent_before


# -- double taps, old buttons, bad data ------------------------------------------------------------

async def test_every_button_pressed_twice_changes_nothing_the_second_time(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    skip = nudge.button("⏭ Skip today")["callback_data"]
    first = await ana.press_data(skip, on=nudge)
    second = await ana.press_data(skip, on=nudge)
    assert first.answers == ["Skipped"] and second.answers == ["Skipped"]
    assert second.edits == [] and second.messages == []
    assert ana.messages()[-1].text.count("Skipped for today") == 1

    services = services_of(bot)
    async with services.db.sessions() as session, session.begin():
        await session.execute(insert(NudgeDelivery), [{
            "user_id": ana.id, "local_date": utc(2026, 3, 3, 0, 0).date(),
            "kind": "backoff_ask", "due_at": clock.now(), "status": "pending", "attempts": 0,
            "not_before": clock.now(), "created_at": clock.now()}])
    await tick(bot, clock)
    ask = ana.last_with_buttons()
    eod = ask.button("Every other day is fine")["callback_data"]
    await ana.press_data(eod, on=ask)
    again = await ana.press_data(eod, on=ask)
    assert again.answers == ["Every other day"] and again.edits == []
    assert ana.messages()[-1].text.count("Every other day it is") == 1
    # Habit buttons on the question, and question buttons on a habit, are stale.
    ask_id = eod.split(":")[1]
    assert (await ana.press_data(f"nd:{ask_id}:sk", on=ask)).answers == [
        "That button has expired."]
    habit_id = skip.split(":")[1]
    assert (await ana.press_data(f"nd:{habit_id}:keep", on=nudge)).answers == [
        "That button has expired."]


@pytest.mark.parametrize("data", [
    "nd:99999999999999999999999:d", "nd:٣:d", "nd::d", "nd:1:d:x", "nd:" + "9" * 60,
])
async def test_malformed_nudge_data_is_answered(bot, clock, data):
    ana = await onboarded(bot, clock)
    reply = await ana.press_data(data, on=ana.last_with_buttons())
    assert reply.answers == ["That button has expired."]


# -- the pain check and the planned session -------------------------------------------------------

async def test_done_on_a_nudge_asks_an_injured_runner_about_pain(bot, clock):
    from bot.coach.profile import RunnerProfile
    from bot.telegram.views import logbook as log_views

    ana = await onboarded(bot, clock)
    await services_of(bot).profiles.save(RunnerProfile(
        user_id=ana.id, injury_status="injured", condition_id="shin_splints", phase="settling",
        pain_today=2), clock.now())
    reply = await ana.press("✅ Done")
    assert reply.messages[-1].text == log_views.PAIN_QUESTION
    pain = await ana.press("6", on=reply.messages[-1])
    # Shin splints are trained pain-free: 6/10 means resting the sore area.
    assert "Rest the sore area today" in pain.text


async def test_a_planned_training_day_carries_the_days_session(bot, clock):
    from bot.coach.profile import RunnerProfile
    from bot.coach.week_plan import plan_week

    services = services_of(bot)
    profile = RunnerProfile(user_id=4242, injury_status="injured", condition_id="shin_splints",
                            phase="settling", pain_today=1, days_per_week=7,
                            equipment=frozenset({"pool", "turbo_trainer"}),
                            minutes_per_session=45)
    ana = await started(bot, clock)
    await services.profiles.save(profile, clock.now())
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ana.id).values(
            timezone="Europe/London", nudge_time=time(7, 30),
            next_nudge_at=utc(2026, 3, 2, 7, 30)))
    clock.set(utc(2026, 3, 2, 7, 30))
    await tick(bot, clock)
    today = plan_week(services.content, profile, [], utc(2026, 3, 2, 0, 0).date())[0]
    assert today.suggestion is not None  # a training day with a cross-training session
    planned = today.suggestion.session
    [row] = await ledger(services, ana.id)
    assert (row.kind, row.content_id) == ("session", planned.id)
    nudge = ana.last_with_buttons()
    assert f"Today's session: {html.escape(planned.title['en'])}" in nudge.text
    await ana.press("✅ Done", on=nudge)
    [log] = await logs_of(bot, ana.id)
    assert (log.session_id, log.activity_id, log.minutes) == (
        planned.id, planned.activity, float(planned.minutes))


async def test_rest_days_and_runners_without_a_plan_get_the_habit(bot, clock):
    from bot.coach.profile import RunnerProfile

    services = services_of(bot)
    for user_id, days in ((4242, 1), (4343, None)):  # 1 day a week: Saturday; Monday is rest
        await started(bot, clock, user_id)
        await services.profiles.save(RunnerProfile(user_id=user_id, days_per_week=days),
                                     clock.now())
        async with services.db.sessions() as session, session.begin():
            await session.execute(update(User).where(User.id == user_id).values(
                timezone="Europe/London", nudge_time=time(7, 30),
                next_nudge_at=utc(2026, 3, 2, 7, 30)))
    clock.set(utc(2026, 3, 2, 7, 30))
    await tick(bot, clock)
    assert [r.kind for r in await ledger(services)] == ["habit", "habit"]


async def test_a_reply_to_a_snoozed_nudge_answers_it_so_it_never_comes_back(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    await ana.press("⏰ 2 h", on=nudge)  # due again at 09:30
    clock.set(utc(2026, 3, 2, 8, 0))
    reply = await ana.reply(ana.messages()[-1], "skipped")
    assert "skipped" in reply.text
    clock.set(utc(2026, 3, 2, 9, 30))
    await tick(bot, clock)
    assert len([m for m in ana.messages() if "Reply to this message" in m.text]) == 1
    [row] = await ledger(services_of(bot), ana.id)
    assert (row.status, row.response) == ("skipped", "skipped")


async def test_editing_a_nudge_reply_updates_the_log_and_the_nudges_answer(bot, clock):
    ana = await onboarded(bot, clock)
    nudge = ana.last_with_buttons()
    await ana.reply(nudge, "swam 20 min")
    original = ana.sent[-1]
    edited = await ana.edit(original, "swam 35 min easy")
    assert edited.text == "✅ Updated: 🏊 Swimming, 35 min, easy"
    await ana.edit(original, "skipped it today")
    [log] = await logs_of(bot, ana.id)
    [row] = await ledger(services_of(bot), ana.id)
    assert (log.status, log.minutes, row.response) == ("skipped", None, "skipped")
