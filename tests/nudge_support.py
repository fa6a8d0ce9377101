"""Helpers shared by the nudge tests: bulk-inserted users and a sweep+send step on a FakeClock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from telegram import Bot

from bot.clock import FakeClock
from bot.coach.schedule import QuietHours, next_nudge_at
from bot.db.models import NudgeDelivery, User
from bot.nudges.sender import TokenBucket, clock_time_source, run_sender
from bot.nudges.sweep import run_sweep
from bot.services import Services
from bot.telegram.standin import StandInRequest
from tests.harness import FakeTelegram

DEFAULT_QUIET = QuietHours()


def user_row(user_id: int, now: datetime, *, zone: str = "Europe/London",
             at: time = time(7, 30), **extra: Any) -> dict[str, Any]:
    """A users row as onboarding leaves it: time zone, nudge time and the next nudge planned."""
    row: dict[str, Any] = {
        "id": user_id, "chat_id": user_id, "first_name": f"U{user_id}", "status": "active",
        "timezone": zone, "nudge_time": at, "ignored_nudges": 0, "created_at": now,
        "last_seen_at": now, "onboarded_at": now, "paused_until": None,
        "quiet_start": None, "quiet_end": None, "every_other_day_from": None,
        "next_nudge_at": next_nudge_at(now, zone, at, quiet=DEFAULT_QUIET),
    }
    row.update(extra)
    return row


async def add_users(services: Services, rows: list[dict[str, Any]]) -> None:
    async with services.db.sessions() as session, session.begin():
        for start in range(0, len(rows), 1000):
            await session.execute(insert(User), rows[start:start + 1000])


async def ledger(services: Services, user_id: int | None = None) -> list[NudgeDelivery]:
    async with services.db.sessions() as session:
        stmt = select(NudgeDelivery).order_by(NudgeDelivery.local_date, NudgeDelivery.id)
        if user_id is not None:
            stmt = stmt.where(NudgeDelivery.user_id == user_id)
        return list(await session.scalars(stmt))


async def get_user(services: Services, user_id: int) -> User:
    async with services.db.sessions() as session:
        row = await session.get(User, user_id)
        assert row is not None
        return row


def fake_limiter(clock: FakeClock, rate: float = 25.0) -> TokenBucket:
    now, sleep = clock_time_source(clock)
    return TokenBucket(rate, now=now, sleep=sleep)


def services_of(tg: FakeTelegram) -> Services:
    return tg.application.bot_data["services"]  # type: ignore[no-any-return]


async def tick(tg: FakeTelegram, clock: FakeClock, limiter: TokenBucket | None = None) -> None:
    """One sweep and one sender run at the clock's instant, as the two jobs would do."""
    services = services_of(tg)
    await run_sweep(services, clock.now())
    await run_sender(tg.application, clock.now(), limiter=limiter or fake_limiter(clock))


async def next_due(services: Services) -> datetime | None:
    async with services.db.sessions() as session:
        value = await session.scalar(select(User.next_nudge_at).where(
            User.next_nudge_at.is_not(None)).order_by(User.next_nudge_at).limit(1))
        return value


def sent_texts(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [str(c.params["text"]) for c in tg.api.calls_to("sendMessage")
            if int(c.params["chat_id"]) == chat_id]


def day(value: str) -> date:
    return date.fromisoformat(value)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


ONE_SECOND = timedelta(seconds=1)


async def unlimited_bot(tg: FakeTelegram) -> Bot:
    """A bot on the same stand-in without PTB's AIORateLimiter, which throttles in *real* time
    (30/s); tests that send hundreds of nudges rely on the sender's own fake-clock budget."""
    app_bot = tg.application.bot
    bot = Bot(app_bot.token, request=StandInRequest(tg.api),
              get_updates_request=StandInRequest(tg.api))
    await bot.initialize()
    return bot
