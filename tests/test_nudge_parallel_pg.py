"""Two workers on one PostgreSQL: parallel sweeps and parallel senders over 5,000 due users.
Every user must get exactly one ledger row and exactly one sendMessage."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.nudges.sender import run_sender
from bot.nudges.sweep import run_sweep
from bot.telegram.standin import BotApiStandIn
from tests.nudge_support import (
    add_users,
    fake_limiter,
    ledger,
    services_of,
    unlimited_bot,
    user_row,
    utc,
)

USERS = 5000

pytestmark = pytest.mark.postgres


async def test_two_sweepers_and_two_senders_in_parallel(make_bot, clock, pg_url):
    api = BotApiStandIn(clock=lambda: int(clock.now().timestamp()))
    worker_a = await make_bot(pg_url, api=api)
    worker_b = await make_bot(pg_url, api=api)
    a, b = services_of(worker_a), services_of(worker_b)
    clock.set(utc(2026, 3, 2, 6, 0))
    zones = ["Europe/London", "Europe/Lisbon", "Africa/Abidjan"]  # all UTC+0 in March
    await add_users(a, [user_row(10_000 + i, clock.now(), zone=zones[i % 3])
                        for i in range(USERS)])
    clock.set(utc(2026, 3, 2, 7, 30))
    now = clock.now()

    # Small batches so the two sweepers really interleave (many transactions each).
    report_a, report_b = await asyncio.gather(
        run_sweep(a, now, batch_size=200, max_batches=100),
        run_sweep(b, now, batch_size=200, max_batches=100))
    claimed = report_a.claimed + report_b.claimed
    assert Counter(c.outcome for c in claimed) == {"pending": USERS}
    assert len({c.user_id for c in claimed}) == USERS
    assert report_a.claimed and report_b.claimed, "SKIP LOCKED should let both take work"

    await asyncio.gather(
        run_sender(worker_a.application, now, limiter=fake_limiter(clock, 25),
                   bot=await unlimited_bot(worker_a)),
        run_sender(worker_b.application, now, limiter=fake_limiter(clock, 25),
                   bot=await unlimited_bot(worker_b)))

    sends = Counter(int(c.params["chat_id"]) for c in api.calls_to("sendMessage"))
    assert len(sends) == USERS and set(sends.values()) == {1}
    rows = await ledger(a)
    assert len(rows) == USERS
    assert Counter(r.user_id for r in rows).most_common(1)[0][1] == 1
    assert {r.status for r in rows} == {"sent"}
    assert all(r.telegram_message_id is not None for r in rows)

    # A third pass of both finds nothing more to do.
    again = await asyncio.gather(run_sweep(a, now), run_sweep(b, now))
    assert not again[0].claimed and not again[1].claimed
