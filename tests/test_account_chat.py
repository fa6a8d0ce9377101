"""Pause, resume, stop, privacy, export, delete, and blocking the bot."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from bot.clock import FakeClock
from bot.db.models import Base, NudgeDelivery, Profile, SessionLog, User
from bot.db.privacy import user_column
from tests.harness import ChatUser, FakeTelegram
from tests.test_onboarding_chat import onboard_uninjured, rows


async def test_pause_resume_and_stop(ana: ChatUser, tg: FakeTelegram, clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    reply = await ana.send("/pause 3")
    assert reply.text.startswith("Paused for 3 days. Your streak is frozen, not lost.")
    [user] = await rows(tg, User, ana.id)
    assert user.paused_until == clock.now() + timedelta(days=3)
    # Paused Monday 09:00 UTC for 3 days: the next 07:00 London nudge is Friday.
    assert user.next_nudge_at == datetime(2026, 3, 6, 7, 0, tzinfo=UTC)

    reply = await ana.send("/pause soon")
    assert reply.text == "Use /pause or /pause DAYS, with 1 to 90 days."

    reply = await ana.send("/resume")
    assert reply.text.startswith("Welcome back! Nudges are on again.")
    [user] = await rows(tg, User, ana.id)
    # The pause ended now; it is remembered so the streak stays frozen over it.
    assert (user.paused_from, user.paused_until) == (clock.now(), clock.now())
    assert user.next_nudge_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)

    reply = await ana.send("/stop")
    assert "no more nudges" in reply.text and "Your data is kept" in reply.text
    [user] = await rows(tg, User, ana.id)
    assert (user.status, user.next_nudge_at) == ("stopped", None)
    await ana.send("/resume")
    [user] = await rows(tg, User, ana.id)
    assert (user.status, user.next_nudge_at) == ("active",
                                                 datetime(2026, 3, 3, 7, 0, tzinfo=UTC))


async def test_privacy_says_what_is_stored(ana: ChatUser) -> None:
    reply = await ana.send("/privacy")
    assert "What I store and why" in reply.text
    assert "/export" in reply.text and "/delete" in reply.text


async def seed_logs_and_deliveries(tg: FakeTelegram, user_id: int) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    db = tg.application.bot_data["services"].db
    async with db.sessions() as session, session.begin():
        await session.execute(insert(SessionLog).values(
            user_id=user_id, source_message_id=99, performed_on=date(2026, 3, 1), logged_at=now,
            activity_id="swimming", minutes=30.0, effort=3, status="done", source="text",
            raw_text="swam 30 min easy", notes=""))
        await session.execute(insert(NudgeDelivery).values(
            user_id=user_id, local_date=date(2026, 3, 2), kind="habit", content_id="x",
            due_at=now, status="sent", attempts=1, not_before=now, created_at=now))


async def test_export_sends_json_and_csv(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await seed_logs_and_deliveries(tg, ana.id)
    reply = await ana.send("/export")
    assert [m.is_document for m in reply.messages] == [True, True]
    files = [c.files for c in reply.calls if c.method == "sendDocument"]
    data = json.loads(next(iter(files[0].values())))
    assert data["users"][0]["id"] == ana.id
    assert data["profiles"][0]["equipment"] == ["kettlebell", "turbo_trainer"]
    assert data["session_logs"][0]["raw_text"] == "swam 30 min easy"
    assert len(data["nudge_deliveries"]) == 1
    table = list(csv.DictReader(io.StringIO(next(iter(files[1].values())).decode())))
    assert table[0]["activity_id"] == "swimming" and table[0]["minutes"] == "30.0"


async def count_user_rows(tg: FakeTelegram, user_id: int) -> dict[str, int]:
    db = tg.application.bot_data["services"].db
    counts = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            column = user_column(table)
            if column is not None:
                counts[table.name] = await session.scalar(
                    select(func.count()).select_from(table).where(column == user_id))
    return counts


async def test_delete_removes_every_row_and_the_user_starts_fresh(make_bot, database_url: str
                                                                  ) -> None:
    tg = await make_bot(database_url)
    ana = ChatUser(tg, user_id=4242, first_name="Ana")
    bo = ChatUser(tg, user_id=5, first_name="Bo")
    await onboard_uninjured(ana)
    await onboard_uninjured(bo)
    await seed_logs_and_deliveries(tg, ana.id)
    await ana.send("/settings")
    await ana.press("✏️ Time")  # leaves a conversation row behind too
    # processed_updates holds a user only while a webhook update of theirs is in flight.
    assert all(count > 0 for table, count in (await count_user_rows(tg, ana.id)).items()
               if table != "processed_updates")

    reply = await ana.send("/delete")
    assert "can't be undone" in reply.text
    reply = await ana.press("Yes, delete everything")
    assert reply.edits[-1].text.startswith("All your data is deleted.")
    counts = await count_user_rows(tg, ana.id)
    assert set(counts) == {"users", "profiles", "conversation_states", "session_logs",
                           "nudge_deliveries", "processed_updates"}
    assert set(counts.values()) == {0}
    assert all(c > 0 for t, c in (await count_user_rows(tg, bo.id)).items()
               if t not in ("session_logs", "nudge_deliveries", "conversation_states",
                            "processed_updates"))

    reply = await ana.send("/start")
    assert "✅ I understand" in reply.last.labels  # treated as new


async def test_keep_my_data(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await ana.send("/delete")
    reply = await ana.press("Keep my data")
    assert reply.edits[-1].text == "Kept. Nothing was deleted."
    assert len(await rows(tg, User, ana.id)) == 1


async def test_blocking_stops_nudges_and_unblocking_restores_them(ana: ChatUser,
                                                                 tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await ana.block_bot()
    [user] = await rows(tg, User, ana.id)
    assert (user.status, user.next_nudge_at) == ("blocked", None)
    await ana.unblock_bot()
    [user] = await rows(tg, User, ana.id)
    assert user.status == "active"
    assert user.next_nudge_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


async def test_odd_pause_arguments_get_the_usage_line(ana: ChatUser) -> None:
    await onboard_uninjured(ana)
    for odd in ("/pause ²", "/pause 0", "/pause 365", "/pause -3", "/pause 🙂"):
        reply = await ana.send(odd)
        assert reply.text == "Use /pause or /pause DAYS, with 1 to 90 days."


async def test_delete_buttons_tapped_twice(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await ana.send("/delete")
    question = ana.last_with_buttons()
    await ana.press("Keep my data", on=question)
    reply = await ana.press_data("acct:keep", on=question)
    assert reply.answers == [""] and reply.messages == []  # answered, nothing else happens
    # "Keep" answered that question: its "Yes" no longer deletes anything.
    reply = await ana.press_data("acct:delete", on=question)
    assert reply.answers == ["That question has expired."] and reply.messages == []
    assert len(await rows(tg, Profile, ana.id)) == 1
    await ana.send("/delete")
    question = ana.last_with_buttons()
    await ana.press_data("acct:delete", on=question)
    reply = await ana.press_data("acct:delete", on=question)
    # The user is gone, so the second tap is an old button: no apology, no traceback.
    assert reply.answers == ["That button has expired."] and reply.messages == []
    assert await rows(tg, Profile, ana.id) == []


async def test_stop_survives_blocking_and_unblocking(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await ana.send("/stop")
    await ana.block_bot()
    await ana.unblock_bot()
    [user] = await rows(tg, User, ana.id)
    assert (user.status, user.next_nudge_at) == ("stopped", None)


async def test_pause_keeps_the_every_other_day_cadence_and_resume_resets_it(
        ana: ChatUser, tg: FakeTelegram, clock: FakeClock) -> None:
    from sqlalchemy import update

    await onboard_uninjured(ana)
    db = tg.application.bot_data["services"].db
    async with db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ana.id).values(
            every_other_day_from=date(2026, 3, 4)))
    await ana.send("/pause 1")
    [user] = await rows(tg, User, ana.id)
    assert user.every_other_day_from == date(2026, 3, 4)
    # Paused until Tue 09:00 UTC; Wed 4 March is the next "on" day of the cadence.
    assert user.next_nudge_at == datetime(2026, 3, 4, 7, 0, tzinfo=UTC)
    await ana.send("/resume")
    [user] = await rows(tg, User, ana.id)
    assert user.every_other_day_from is None
    assert user.next_nudge_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
