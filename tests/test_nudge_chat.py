"""The nudge in the chat: its buttons through the harness, a double tap, and /admin."""

from __future__ import annotations

import html
from datetime import time, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from bot.db.models import NudgeDelivery, SessionLog, User
from tests.harness import ChatUser, FakeTelegram
from tests.nudge_support import get_user, ledger, services_of, tick, utc

ADMIN = 9001


def wire(tg: FakeTelegram) -> FakeTelegram:
    return tg  # bot/app.py registers the nudge handlers


@pytest.fixture
async def bot(make_bot) -> FakeTelegram:
    return wire(await make_bot(admin_ids=frozenset({ADMIN})))


async def onboarded(tg: FakeTelegram, clock, user_id: int = 4242) -> ChatUser:
    """A runner who said hello and chose 07:30 London; the nudge is due now."""
    user = ChatUser(tg, user_id=user_id, first_name="Ana")
    clock.set(utc(2026, 3, 2, 7, 0))
    await user.send("/start")
    services = services_of(tg)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(
            timezone="Europe/London", nudge_time=time(7, 30),
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


async def test_snooze_this_evening_at_night_respects_quiet_hours(bot, clock):
    ana = await onboarded(bot, clock)
    clock.set(utc(2026, 3, 2, 21, 10))
    reply = await ana.press("⏰ This evening")
    assert reply.answers == ["Snoozed until 07:00 tomorrow"]


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
