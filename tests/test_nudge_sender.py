"""The sender against the Bot API stand-in's faults: 429, 403, chat not found, timeouts, 5xx,
and the rate budget, all on the injected clock (nothing sleeps)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import insert

from bot.db.models import NudgeDelivery
from bot.nudges.sender import MAX_ATTEMPTS, TokenBucket, run_sender
from bot.nudges.sweep import run_sweep
from tests.nudge_support import (
    add_users,
    fake_limiter,
    get_user,
    ledger,
    sent_texts,
    services_of,
    tick,
    unlimited_bot,
    user_row,
    utc,
)


async def _one_due_user(make_bot, clock, database_url, user_id=21):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(user_id, clock.now())])
    clock.set(utc(2026, 3, 2, 7, 30))
    await run_sweep(services, clock.now())
    return tg, services


def delivered(tg, chat_id):
    """Messages that actually reached the chat (the stand-in stores only those)."""
    return [m for (c, _), m in tg.api.messages.items() if c == chat_id]


async def test_429_waits_retry_after_then_delivers_once(make_bot, clock, database_url):
    tg, services = await _one_due_user(make_bot, clock, database_url)
    tg.api.fail("sendMessage", "retry_after", chat_id=21, retry_after=7)
    delivered_at = []
    tg.api.listeners.append(lambda m, p: delivered_at.append(clock.now())
                            if m == "sendMessage" else None)
    start = clock.now()
    await run_sender(tg.application, start, limiter=fake_limiter(clock))
    assert len(delivered(tg, 21)) == 1
    assert delivered_at[0] - start >= timedelta(seconds=7)
    [row] = await ledger(services, 21)
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.telegram_message_id == delivered(tg, 21)[0]["message_id"]
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    assert len(delivered(tg, 21)) == 1


async def test_403_marks_user_blocked_and_nothing_more_is_sent(make_bot, clock, database_url):
    tg, services = await _one_due_user(make_bot, clock, database_url)
    tg.api.fail("sendMessage", "blocked", chat_id=21)
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    [row] = await ledger(services, 21)
    assert row.status == "blocked" and "403" in (row.error or "")
    user = await get_user(services, 21)
    assert (user.status, user.next_nudge_at) == ("blocked", None)
    for n in (3, 4, 5):
        clock.set(utc(2026, 3, n, 7, 30))
        await tick(tg, clock)
    assert len(tg.api.calls_to("sendMessage")) == 1  # the one refused attempt, nothing after
    assert len(await ledger(services, 21)) == 1


async def test_chat_not_found_is_treated_as_blocked(make_bot, clock, database_url):
    tg, services = await _one_due_user(make_bot, clock, database_url)
    tg.api.fail("sendMessage", "chat_not_found", chat_id=21)
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    assert (await get_user(services, 21)).status == "blocked"
    assert [r.status for r in await ledger(services, 21)] == ["blocked"]


async def test_ambiguous_timeout_is_never_resent(make_bot, clock, database_url):
    tg, services = await _one_due_user(make_bot, clock, database_url)
    # Telegram delivered it, but the answer was lost: resending would be a double nudge.
    tg.api.fail("sendMessage", "timeout_after_send", chat_id=21)
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    for _ in range(3):
        clock.advance(timedelta(minutes=20))
        await tick(tg, clock)
    assert len(delivered(tg, 21)) == 1
    [row] = await ledger(services, 21)
    assert row.status == "unknown" and row.telegram_message_id is None
    # The next day is a new nudge as usual.
    clock.set(utc(2026, 3, 3, 7, 30))
    await tick(tg, clock)
    assert len(delivered(tg, 21)) == 2


async def test_server_errors_are_retried_with_back_off_then_given_up(make_bot, clock, database_url):
    tg, services = await _one_due_user(make_bot, clock, database_url)
    tg.api.fail("sendMessage", "server_error", chat_id=21, times=2)
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    [row] = await ledger(services, 21)
    assert row.status == "pending" and row.attempts == 1
    clock.advance(timedelta(seconds=10))
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    clock.advance(timedelta(seconds=20))
    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    [row] = await ledger(services, 21)
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(delivered(tg, 21)) == 1

    tg.api.fail("sendMessage", "server_error", chat_id=22, times=99)
    await add_users(services, [user_row(22, clock.now(), next_nudge_at=clock.now())])
    await run_sweep(services, clock.now())
    for _ in range(MAX_ATTEMPTS + 2):
        await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
        clock.advance(timedelta(minutes=5))
    [row] = await ledger(services, 22)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)


async def test_rate_budget_and_one_message_a_second_per_chat(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(1000 + i, clock.now()) for i in range(200)])
    clock.set(utc(2026, 3, 2, 7, 30))
    await run_sweep(services, clock.now())
    # A second row for one chat (the back-off question the same day) must wait a second.
    async with services.db.sessions() as session, session.begin():
        await session.execute(insert(NudgeDelivery), [{
            "user_id": 1000, "local_date": clock.now().date(), "kind": "backoff_ask",
            "due_at": clock.now(), "status": "pending", "attempts": 0,
            "not_before": clock.now(), "created_at": clock.now()}])
    times: list = []
    per_chat: dict[int, list] = {}
    def record(method, params):
        if method == "sendMessage":
            times.append(clock.now())
            per_chat.setdefault(int(params["chat_id"]), []).append(clock.now())
    tg.api.listeners.append(record)

    limiter = fake_limiter(clock, rate=25)
    start = clock.now()
    await run_sender(tg.application, start, limiter=limiter, bot=await unlimited_bot(tg))
    assert len(times) == 201
    elapsed = (times[-1] - start).total_seconds()
    assert 7.5 <= elapsed <= 8.5  # 201 messages at 25/s with a burst of 5
    for t in times:  # no one-second window holds more than the budget plus the burst
        assert sum(1 for u in times if t <= u < t + timedelta(seconds=1)) <= 25 + limiter.burst
    first, second = per_chat[1000]
    assert second - first >= timedelta(seconds=1)


async def test_token_bucket_never_exceeds_its_rate():
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    bucket = TokenBucket(10, now=lambda: now[0], sleep=sleep, burst=1)
    stamps = []
    for _ in range(50):
        await bucket.acquire()
        stamps.append(now[0])
    assert stamps[-1] >= 4.9 - 1e-6  # 1 token at once, then 49 more at 10 a second
    bucket.hold(3)
    held = now[0]
    await bucket.acquire()
    assert now[0] >= held + 3 - 1e-6


async def test_quiet_hours_nudge_time_is_clamped_before_sending(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 0, 0))
    await add_users(services, [user_row(30, clock.now(), at=time(23, 0))])
    assert (await get_user(services, 30)).next_nudge_at == utc(2026, 3, 2, 7, 0)
    clock.set(utc(2026, 3, 2, 7, 0))
    await tick(tg, clock)
    assert len(sent_texts(tg, 30)) == 1
