"""Nudge figures: sweep claim time vs table size, sender rate, and RSS with 1M users.

Run: `.venv/bin/python bench/nudges.py [--small]`. Prints figures only; no assertions.

- Claim: the time for ONE `claim_due` transaction to claim 1,000 due users (the production
  chooser: profiles and 28 days of logs read, the safety state, today's /week plan for the
  half of them that set their training days, ledger inserts, next_nudge_at moved) with 10k and
  then 1M users in the table; the rest are due tomorrow. Goal: ratio <= 1.5, i.e. the cost
  follows due users, not all users (the `users.next_nudge_at` index). Median of 3 runs;
  between runs the same 1,000 users are made due again and their ledger rows deleted.
- Sender: the achieved rate as a share of SEND_RATE_PER_SECOND (25) against the Bot API
  stand-in, measured two ways: (a) real time, 3 s at 25/s through the full PTB stack (including
  its AIORateLimiter) with the bucket's initial burst drained first, so the figure is the steady
  rate; (b) a simulated clock over 1,000 messages (the limiter sleeps by moving a FakeClock),
  which shows the budget arithmetic without waiting.
- RSS: this process's resident set size after loading and claiming with 1M users (VmRSS), and
  its peak (VmHWM). Users are streamed to the database in chunks and never held in Python.

Database: PostgreSQL at TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test when
reachable (a fresh database is created and dropped), else SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert, update
from telegram import Bot

from bot.app import build_application
from bot.clock import FakeClock
from bot.coach.nudge_choice import PLAN_HISTORY_DAYS
from bot.config import Settings
from bot.content import default_content_dir, load_pack
from bot.db.engine import Database
from bot.db.models import Base, NudgeDelivery, Profile, SessionLog, User
from bot.db.nudges import NudgeRepository
from bot.nudges.sender import TokenBucket, clock_time_source, run_sender
from bot.nudges.sweep import make_chooser
from bot.telegram.standin import BotApiStandIn, StandInRequest

NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
DUE = 1000
PG_ADMIN = os.environ.get("TEST_DATABASE_URL",
                          "postgresql://postgres@127.0.0.1:5432/test").replace(
                              "postgresql+asyncpg://", "postgresql://")


def rss_mb() -> tuple[float, float]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


async def pg_reachable() -> bool:
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN, timeout=3)
        await conn.close()
    except Exception:
        return False
    return True


def user_tuple(user_id: int, due: bool) -> tuple[Any, ...]:
    next_at = NOW - timedelta(minutes=1) if due else NOW + timedelta(days=1)
    return (user_id, user_id, "R", "active", "Europe/London", wall(7, 30), next_at, 0,
            NOW - timedelta(days=30), NOW - timedelta(days=1))


COLUMNS = ["id", "chat_id", "first_name", "status", "timezone", "nudge_time", "next_nudge_at",
           "ignored_nudges", "created_at", "last_seen_at"]


async def load_users(db: Database, pg_url: str | None, first: int, count: int,
                     due_ids: range) -> None:
    """Append users [first, first+count) in chunks; ids in due_ids are due now."""
    chunk = 100_000
    if pg_url is not None:
        import asyncpg

        conn = await asyncpg.connect(pg_url)
        try:
            for start in range(first, first + count, chunk):
                stop = min(start + chunk, first + count)
                await conn.copy_records_to_table(
                    "users", columns=COLUMNS,
                    records=(user_tuple(i, i in due_ids) for i in range(start, stop)))
            await conn.execute("ANALYZE users")
        finally:
            await conn.close()
        return
    async with db.sessions() as session, session.begin():
        for start in range(first, first + count, 20_000):
            stop = min(start + 20_000, first + count)
            await session.execute(insert(User), [dict(zip(COLUMNS, user_tuple(i, i in due_ids),
                                                          strict=True))
                                                 for i in range(start, stop)])


async def add_profiles_and_logs(db: Database, due_ids: range) -> None:
    """What onboarding and a few weeks of logging leave for the due users: every other one set
    their training days (so the chooser plans their week), and each has 8 logs."""
    equipment = ["pool", "turbo_trainer", "kettlebell"]
    profiles = [{"user_id": i, "injury_status": "injured" if i % 3 == 0 else "none",
                 "condition_id": "shin_splints" if i % 3 == 0 else None,
                 "phase": "settling" if i % 3 == 0 else None, "red_flags": [],
                 "equipment": equipment, "minutes_per_session": 45,
                 "days_per_week": 5 if i % 2 == 0 else None, "updated_at": NOW}
                for i in due_ids]
    logs = [{"user_id": i, "source_message_id": n, "performed_on": NOW.date()
             - timedelta(days=3 * n + 1), "logged_at": NOW, "activity_id": "swimming",
             "minutes": 30.0, "pain": 2 if i % 3 == 0 else None, "status": "done",
             "source": "text", "raw_text": "swam 30 min", "notes": ""}
            for i in due_ids for n in range(8)]
    async with db.sessions() as session, session.begin():
        await session.execute(insert(Profile), profiles)
        for start in range(0, len(logs), 1000):
            await session.execute(insert(SessionLog), logs[start:start + 1000])


async def time_claims(db: Database, repo: NudgeRepository, due_ids: range, runs: int = 3
                      ) -> float:
    samples = []
    for _ in range(runs):
        async with db.sessions() as session, session.begin():
            await session.execute(delete(NudgeDelivery))
            await session.execute(update(User).where(User.id.in_(list(due_ids))).values(
                next_nudge_at=NOW - timedelta(minutes=1)))
        start = time.perf_counter()
        claimed = await repo.claim_due(NOW, DUE, timedelta(hours=3))
        samples.append(time.perf_counter() - start)
        assert len(claimed) == DUE, len(claimed)
    return statistics.median(samples)


async def sender_rates(url: str, content_dir: Path) -> tuple[float, float]:
    """(real-time share, simulated share) of the configured 25/s."""
    pack = load_pack(content_dir)
    settings = Settings(_env_file=None, database_url=url, content_dir=content_dir,  # type: ignore[call-arg]
                        telegram_bot_token=None, send_rate_per_second=25)
    rate = settings.send_rate_per_second

    async def prepare(count: int) -> tuple[Any, BotApiStandIn, Database]:
        clock = FakeClock(NOW)
        api = BotApiStandIn(clock=lambda: int(clock.now().timestamp()))
        app = build_application(settings, StandInRequest(api), clock=clock, content=pack)
        await app.initialize()
        db = app.bot_data["services"].db
        async with db.sessions() as session, session.begin():
            await session.execute(delete(NudgeDelivery))
            rows = [{"user_id": i, "local_date": date(2026, 3, 2), "kind": "habit",
                     "content_id": "brush_one_leg", "due_at": NOW, "status": "pending",
                     "attempts": 0, "not_before": NOW - timedelta(seconds=1), "created_at": NOW}
                    for i in range(count)]
            for start in range(0, count, 500):
                await session.execute(insert(NudgeDelivery), rows[start:start + 500])
        return app, api, clock

    # (a) real time over about 3 s.
    count = int(rate * 3)
    app, api, _clock = await prepare(count)
    bucket = TokenBucket(rate, now=time.monotonic, sleep=asyncio.sleep)
    for _ in range(int(bucket.burst)):
        await bucket.acquire()  # drain the start-up burst: measure the steady rate
    start = time.monotonic()
    report = await run_sender(app, datetime.now(UTC), limiter=bucket, max_rows=count)
    real = report.sent / (time.monotonic() - start) / rate
    await app.shutdown()
    await app.bot_data["services"].db.dispose()

    # (b) simulated: the limiter advances a FakeClock instead of sleeping.
    count = 1000
    app, api, clock = await prepare(count)
    now, sleep = clock_time_source(clock)
    bucket = TokenBucket(rate, now=now, sleep=sleep)
    for _ in range(int(bucket.burst)):
        await bucket.acquire()
    # PTB's AIORateLimiter throttles in real time (30/s); the simulated run bypasses it with a
    # plain Bot on the same stand-in so only our fake-clock budget applies.
    plain = Bot(app.bot.token, request=StandInRequest(api))
    await plain.initialize()
    start_fake = clock.now()
    report = await run_sender(app, clock.now(), limiter=bucket, max_rows=count, bot=plain)
    simulated = report.sent / (clock.now() - start_fake).total_seconds() / rate
    await app.shutdown()
    await app.bot_data["services"].db.dispose()
    return real, simulated


async def main(small: bool) -> None:
    big = 100_000 if small else 1_000_000
    use_pg = await pg_reachable()
    content_dir = default_content_dir()
    pack = load_pack(content_dir)
    tmp = tempfile.TemporaryDirectory()
    name = f"cc_bench_{uuid.uuid4().hex[:10]}"
    pg_url = None
    if use_pg:
        import asyncpg

        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        pg_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        url = pg_url.replace("postgresql://", "postgresql+asyncpg://")
    else:
        url = f"sqlite+inloop:///{tmp.name}/bench.db"
    print(f"database: {'PostgreSQL' if use_pg else 'SQLite'}")
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        repo = NudgeRepository(db, default_timezone="UTC", choose=make_chooser(pack),
                               history_days=PLAN_HISTORY_DAYS)
        due_ids = range(0, DUE)

        t0 = time.perf_counter()
        await load_users(db, pg_url, 0, 10_000, due_ids)
        await add_profiles_and_logs(db, due_ids)
        small_s = await time_claims(db, repo, due_ids)
        print(f"claim {DUE} due users with 10,000 in the table: {small_s * 1000:.1f} ms")

        t1 = time.perf_counter()
        await load_users(db, pg_url, 10_000, big - 10_000, due_ids)
        load_s = time.perf_counter() - t1
        big_s = await time_claims(db, repo, due_ids)
        print(f"claim {DUE} due users with {big:,} in the table: {big_s * 1000:.1f} ms "
              f"(loading {big - 10_000:,} users took {load_s:.1f} s)")
        print(f"ratio: {big_s / small_s:.2f} (goal <= 1.5)")
        rss, peak = rss_mb()
        print(f"process RSS with {big:,} users: {rss:.0f} MB (peak {peak:.0f} MB; goal <= 200 MB)")
        await db.dispose()

        real, simulated = await sender_rates(url, content_dir)
        print(f"sender rate, real time (3 s at 25/s, fake Telegram): {real * 100:.1f}% of "
              "configured (goal >= 95%)")
        print(f"sender rate, simulated clock (1,000 messages): {simulated * 100:.1f}% of "
              "configured")
        print(f"total bench time: {time.perf_counter() - t0:.0f} s")
    finally:
        await db.dispose()
        if use_pg:
            import asyncpg

            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        tmp.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="100k instead of 1M users")
    asyncio.run(main(parser.parse_args().small))
