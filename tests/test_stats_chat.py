"""/history with paging and /stats with the week comparison, streaks and the chart."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.clock import FakeClock
from bot.coach.profile import RunnerProfile
from bot.db.logs import LogRepository, NewLog
from bot.db.models import User
from bot.progress_chart import render_weekly_minutes
from bot.services import Services
from tests.conftest import BotFactory
from tests.harness import ChatUser, FakeTelegram

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _no_handler_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A handler that raised is answered with an apology, which a test could miss: fail on it."""
    yield
    assert [r.getMessage() for r in caplog.get_records("call") if r.name == "bot.errors"] == []


@pytest.fixture
async def bot(make_bot: BotFactory, database_url: str) -> FakeTelegram:
    return await make_bot(database_url)  # bot/app.py wires the logging handlers


@pytest.fixture
def runner(bot: FakeTelegram) -> ChatUser:
    return ChatUser(bot, user_id=7171, first_name="Ana")


def services(tg: FakeTelegram) -> Services:
    return tg.application.bot_data["services"]  # type: ignore[no-any-return]


def clock_of(tg: FakeTelegram) -> FakeClock:
    clock = services(tg).clock
    assert isinstance(clock, FakeClock)
    return clock


async def add_logs(tg: FakeTelegram, user_id: int, logs: list[tuple[date, str, float | None]]
                   ) -> None:
    svc = services(tg)
    now = svc.clock.now()
    await svc.users.seen(user_id, user_id, "Ana", "en", now)
    repo = LogRepository(svc.db)
    for i, (day, activity, minutes) in enumerate(logs):
        await repo.create(NewLog(user_id=user_id, source_message_id=100_000 + i,
                                 performed_on=day, logged_at=now, activity_id=activity,
                                 minutes=minutes))


async def set_zone(tg: FakeTelegram, user_id: int, zone: str) -> None:
    svc = services(tg)
    await svc.users.seen(user_id, user_id, "Ana", "en", svc.clock.now())
    async with svc.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(timezone=zone))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- /history ------------------------------------------------------------------------------------


async def test_history_pages_through_logs_newest_first(bot: FakeTelegram, runner: ChatUser
                                                       ) -> None:
    start = date(2026, 2, 1)
    await add_logs(bot, runner.id, [(start + timedelta(days=i), "swimming", 10 + i)
                                    for i in range(12)])
    first = await runner.send("/history")
    page = first.last
    assert "(1–10 of 12, newest first)" in page.text
    lines = page.text.splitlines()[2:]
    assert len(lines) == 10
    assert lines[0].startswith("Thu 12 Feb: 🏊 Swimming, 21 min")
    assert page.labels == ["◀️ Older"]

    older = await runner.press("Older", on=page)
    assert older.answers == [""]
    assert "(11–12 of 12, newest first)" in older.edits[-1].text
    assert older.edits[-1].text.splitlines()[-1].startswith("Sun 1 Feb: 🏊 Swimming, 10 min")
    assert older.edits[-1].labels == ["Newer ▶️"]

    newer = await runner.press("Newer", on=older.edits[-1])
    assert "(1–10 of 12" in newer.edits[-1].text


async def test_history_leaves_out_undone_logs(bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("/log swam 30 min")
    await runner.send("/log rowed 20 min")
    await runner.press("Undo")
    reply = await runner.send("/history")
    assert "🏊 Swimming, 30 min" in reply.text
    assert "Rowing" not in reply.text
    assert "(1–1 of 1" in reply.text


async def test_history_when_empty(bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("/history")
    assert reply.text.startswith("No sessions logged yet.")
    assert reply.last.buttons == []


# --- /stats --------------------------------------------------------------------------------------


async def test_stats_compares_weeks_and_shows_streaks(bot: FakeTelegram, runner: ChatUser
                                                      ) -> None:
    # The clock says Monday 2 March 2026, 09:00 London.
    await add_logs(bot, runner.id, [
        (date(2026, 2, 23), "swimming", 30), (date(2026, 2, 25), "strength", 20),
        (date(2026, 2, 27), "swimming", 30), (date(2026, 3, 1), "rowing", 25),
        (date(2026, 3, 2), "swimming", 40),
    ])
    await services(bot).profiles.save(RunnerProfile(user_id=runner.id, days_per_week=4),
                                      clock_of(bot).now())
    reply = await runner.send("/stats")
    text = reply.messages[0].text
    assert "This week (Mon 2 Mar – Sun 8 Mar) vs last week" in text
    assert "🏊 Swimming: 40 min in 1 session (last week 1 h in 2 sessions)" in text
    assert "🚣 Rowing machine: 0 min in 0 sessions (last week 25 min in 1 session)" in text
    assert "Total: 40 min in 1 session (last week 1 h 45 min in 4 sessions) ↓" in text
    # Mon..Mon with Tue, Thu and Sat as rest days (3 allowed a week with 4 planned days).
    assert "Current streak: 8 days (5 sessions, since Mon 23 Feb)" in text
    assert "Streaks allow 3 rest days a week" in text


async def test_stats_uses_the_runners_local_week(bot: FakeTelegram, runner: ChatUser) -> None:
    """A swim at 23:30 on Sunday in Auckland counts in that week, even though it is logged
    when the server's (UTC) Monday is hours away, and /stats on Monday shows it as last week."""
    await set_zone(bot, runner.id, "Pacific/Auckland")
    clock_of(bot).set(datetime(2026, 3, 8, 10, 30, tzinfo=UTC))  # Sun 23:30 NZDT
    await runner.send("swam 30 min")
    sunday = await runner.send("/stats")
    assert "This week (Mon 2 Mar – Sun 8 Mar)" in sunday.messages[0].text
    assert "🏊 Swimming: 30 min in 1 session" in sunday.messages[0].text

    clock_of(bot).set(datetime(2026, 3, 8, 11, 30, tzinfo=UTC))  # Mon 00:30 NZDT
    monday = await runner.send("/stats")
    text = monday.messages[0].text
    assert "This week (Mon 9 Mar – Sun 15 Mar)" in text
    assert "🏊 Swimming: 0 min in 0 sessions (last week 30 min in 1 session)" in text


async def test_stats_west_of_utc_across_a_dst_weekend(bot: FakeTelegram, runner: ChatUser
                                                      ) -> None:
    """Los Angeles springs forward on Sunday 8 March 2026. A ride at 20:30 that Sunday is
    already Monday in UTC, yet it belongs to the week of Mon 2 March; the Monday after starts
    the next week at local midnight (07:00 UTC, not 08:00)."""
    await set_zone(bot, runner.id, "America/Los_Angeles")
    clock_of(bot).set(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))  # Mon 09:00 PST
    await runner.send("rode 40 min")
    clock_of(bot).set(datetime(2026, 3, 9, 3, 30, tzinfo=UTC))  # Sun 20:30 PDT
    await runner.send("turbo 30 min")
    sunday = (await runner.send("/stats")).messages[0].text
    assert "This week (Mon 2 Mar – Sun 8 Mar)" in sunday
    assert "Total: 1 h 10 min in 2 sessions" in sunday

    clock_of(bot).set(datetime(2026, 3, 9, 6, 59, tzinfo=UTC))  # Sun 23:59 PDT
    assert "This week (Mon 2 Mar – Sun 8 Mar)" in (await runner.send("/stats")).messages[0].text
    clock_of(bot).set(datetime(2026, 3, 9, 7, 0, tzinfo=UTC))  # Mon 00:00 PDT
    monday = (await runner.send("/stats")).messages[0].text
    assert "This week (Mon 9 Mar – Sun 15 Mar)" in monday
    assert "Total: 0 min in 0 sessions (last week 1 h 10 min in 2 sessions)" in monday
    [first, second] = (await LogRepository(services(bot).db).history(runner.id))[0][::-1]
    assert (first.performed_on, second.performed_on) == (date(2026, 3, 2), date(2026, 3, 8))


async def test_stats_with_no_logs(bot: FakeTelegram, runner: ChatUser) -> None:
    reply = await runner.send("/stats")
    assert "No sessions in the last two weeks yet." in reply.messages[0].text
    assert "Current streak: none yet" in reply.messages[0].text
    assert reply.messages[1].is_photo


async def test_stats_sends_the_chart_as_a_valid_png(bot: FakeTelegram, runner: ChatUser) -> None:
    today = date(2026, 3, 2)
    activities = ["swimming", "turbo", "strength", "rowing", "hiking"]
    await add_logs(bot, runner.id, [(today - timedelta(days=3 * i), activities[i % 5], 20 + i)
                                    for i in range(18)])
    reply = await runner.send("/stats")
    [call] = [c for c in reply.calls if c.method == "sendPhoto"]
    photo = call.files["photo"]
    assert png_size(photo) == (800, 500)
    assert 5_000 <= len(photo) <= 500_000
    assert call.params["caption"] == "Minutes per week, last 8 weeks"
    assert reply.messages[-1].is_photo


def test_chart_folds_many_activities_into_other() -> None:
    from bot.coach.progress import LogFact, weekly_series

    facts = [LogFact(date(2026, 3, 2) - timedelta(days=i), f"act{i % 12}", 10 + i)
             for i in range(50)]
    png = render_weekly_minutes(weekly_series(facts, date(2026, 3, 2)), {})
    assert png_size(png) == (800, 500)
    assert len(png) < 200_000
