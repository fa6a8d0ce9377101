"""A failure mid-send loses no nudge: a row becomes 'sending' only just before its own
send_message, so a database error, a cancelled task or a shutdown leaves at most the one message
in flight ambiguous, and every row not yet attempted is still 'pending'."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.nudges.sender import run_sender
from bot.nudges.sweep import run_sweep
from bot.services import Services
from tests.harness import FakeTelegram
from tests.nudge_support import (
    add_users,
    fake_limiter,
    ledger,
    services_of,
    unlimited_bot,
    user_row,
    utc,
)

USERS = 40


async def due_burst(make_bot, clock, database_url, users: int = USERS,
                    **settings: object) -> tuple[FakeTelegram, Services]:
    tg = await make_bot(database_url, **settings)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(1000 + n, clock.now()) for n in range(users)])
    clock.set(utc(2026, 3, 2, 7, 30))
    report = await run_sweep(services, clock.now())
    assert report.count("pending") == users
    return tg, services


def nudges_per_chat(tg: FakeTelegram) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in tg.api.calls_to("sendMessage")
                   if isinstance(c.result, dict))


async def statuses(services: Services) -> Counter[str]:
    return Counter(row.status for row in await ledger(services))


async def break_recording_sent_for(services: Services, delivery_id: int) -> None:
    """A real database error (a trigger), the first time one row is recorded as sent."""
    async with services.db.engine.begin() as conn:
        if services.db.dialect == "sqlite":
            await conn.execute(text(
                "CREATE TRIGGER boom BEFORE UPDATE OF status ON nudge_deliveries "
                f"WHEN NEW.status = 'sent' AND OLD.id = {delivery_id} "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"))
        else:
            await conn.execute(text(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk on fire'; END $$ LANGUAGE plpgsql"))
            await conn.execute(text(
                "CREATE TRIGGER boom BEFORE UPDATE ON nudge_deliveries FOR EACH ROW "
                f"WHEN (NEW.status = 'sent' AND OLD.id = {delivery_id}) "
                "EXECUTE FUNCTION boom()"))


async def test_a_database_error_recording_one_send_strands_only_that_one(
        make_bot, clock, database_url):
    tg, services = await due_burst(make_bot, clock, database_url)
    rows = await ledger(services)
    await break_recording_sent_for(services, rows[2].id)
    bot = await unlimited_bot(tg)
    with pytest.raises(Exception, match="disk on fire"):
        await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock), bot=bot)
    assert (await statuses(services))["sending"] == 1  # the one whose answer was lost
    # The next run (the job runs every second) sends everyone else, once.
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock), bot=bot)
    per_chat = nudges_per_chat(tg)
    assert sorted(per_chat) == sorted(1000 + n for n in range(USERS))
    assert set(per_chat.values()) == {1}
    counts = await statuses(services)
    assert counts == Counter({"sent": USERS - 1, "sending": 1})
    # Ten minutes on, the ambiguous one is 'unknown' and is never sent again.
    clock.advance(timedelta(minutes=11))
    await run_sweep(services, clock.now())
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock), bot=bot)
    assert await statuses(services) == Counter({"sent": USERS - 1, "unknown": 1})
    assert set(nudges_per_chat(tg).values()) == {1}


async def test_a_cancelled_sender_leaves_at_most_the_one_in_flight(
        make_bot, clock, database_url):
    tg, services = await due_burst(make_bot, clock, database_url)
    bot = await unlimited_bot(tg)
    task = asyncio.create_task(
        run_sender(tg.application, clock.now(), limiter=fake_limiter(clock), bot=bot))

    def cancel_after_five(method: str, _params: object) -> None:
        if method == "sendMessage" and len(tg.api.calls_to("sendMessage")) == 5:
            task.cancel()  # lands at the sender's next await: recording the fifth send

    tg.api.listeners.append(cancel_after_five)
    with pytest.raises(asyncio.CancelledError):
        await task
    tg.api.listeners.clear()
    counts = await statuses(services)
    assert counts["sending"] <= 1
    assert counts["pending"] >= USERS - 5
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock), bot=bot)
    per_chat = nudges_per_chat(tg)
    assert len(per_chat) == USERS and set(per_chat.values()) == {1}


async def test_shutdown_drains_for_a_bounded_time_and_leaves_the_rest_pending(
        make_bot, clock, database_url):
    from bot.nudges.sender import DRAIN_SECONDS

    # Two nudges a second, so draining for DRAIN_SECONDS cannot send all 60.
    tg, services = await due_burst(make_bot, clock, database_url, users=60,
                                   send_rate_per_second=2.0)
    bot = await unlimited_bot(tg)
    stop_asked: list[float] = []
    sent_at: list[float] = []

    def note(method: str, _params: object) -> None:
        if method == "sendMessage":
            sent_at.append(clock.now().timestamp())
            if len(sent_at) == 5:
                stop_asked.append(clock.now().timestamp())  # SIGTERM arrives here

    tg.api.listeners.append(note)
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock, rate=2.0),
                     bot=bot, stopping=lambda: bool(stop_asked))
    assert sent_at[-1] - stop_asked[0] <= DRAIN_SECONDS
    assert DRAIN_SECONDS < 30  # systemd's TimeoutStopSec in docs/scaling.md
    counts = await statuses(services)
    assert counts["sending"] == 0
    assert counts["sent"] == len(sent_at) < 60
    assert counts["pending"] == 60 - len(sent_at)
