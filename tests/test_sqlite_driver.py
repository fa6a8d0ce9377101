"""The SQLite driver: statements run on the event loop thread through one pooled connection.

These are the promises bot/db/sqlite_inloop.py makes: the default `sqlite://` URL picks it, it
starts no threads, a second task waits for the connection instead of stalling the loop in
SQLite's busy handler, SQLite's errors reach callers as SQLAlchemy's, and the aiosqlite driver
still works for an operator who asks for it by name.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.config import Settings
from bot.db.engine import Database, WriteOnReadEngine
from bot.db.migrate import upgrade
from bot.db.models import ProcessedUpdate
from bot.db.updates import ProcessedUpdates

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]


async def _migrated(url: str) -> Database:
    db = Database(url)
    await upgrade(db)
    return db


def test_a_plain_sqlite_url_selects_the_in_loop_driver(tmp_path: Path) -> None:
    assert _settings(f"sqlite:///{tmp_path}/a.db").database_url.startswith("sqlite+inloop://")
    assert _settings(f"sqlite+aiosqlite:///{tmp_path}/a.db").database_url.startswith(
        "sqlite+aiosqlite://")


async def test_statements_run_on_the_loop_thread_without_starting_threads(tmp_path: Path) -> None:
    threads_before = threading.active_count()
    db = await _migrated(f"sqlite+inloop:///{tmp_path}/cc.db")
    seen: list[int] = []
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(lambda _c: seen.append(threading.get_ident()))
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert db.engine.dialect.driver == "inloop"
        assert seen == [threading.get_ident()]
        assert threading.active_count() == threads_before
    finally:
        await db.dispose()


async def test_a_second_writer_waits_for_the_connection_instead_of_locking(tmp_path: Path
                                                                           ) -> None:
    """Task A parks at an await inside its write transaction; task B wants to write meanwhile.

    With two connections B would spin in SQLite's busy handler on the loop thread, A could never
    resume, and B would fail with "database is locked" after the busy timeout. With the one
    pooled connection B simply waits its turn and both rows land.
    """
    db = await _migrated(f"sqlite+inloop:///{tmp_path}/cc.db")
    a_has_written = asyncio.Event()
    b_is_waiting = asyncio.Event()

    async def task_a() -> None:
        async with db.sessions() as session, session.begin():
            await session.execute(insert(ProcessedUpdate).values(update_id=1, received_at=NOW))
            a_has_written.set()
            await b_is_waiting.wait()  # e.g. a Bot API call in the middle of a transaction

    async def task_b() -> None:
        await a_has_written.wait()
        b_is_waiting.set()
        async with db.sessions() as session, session.begin():
            await session.execute(insert(ProcessedUpdate).values(update_id=2, received_at=NOW))

    try:
        await asyncio.wait_for(asyncio.gather(task_a(), task_b()), timeout=10)
        async with db.sessions() as session:
            assert (await session.scalar(select(func.count()).select_from(ProcessedUpdate))) == 2
    finally:
        await db.dispose()


async def test_sqlite_errors_arrive_as_sqlalchemy_errors_and_roll_back(tmp_path: Path) -> None:
    db = await _migrated(f"sqlite+inloop:///{tmp_path}/cc.db")
    try:
        async with db.sessions() as session, session.begin():
            await session.execute(insert(ProcessedUpdate).values(update_id=7, received_at=NOW))
        with pytest.raises(IntegrityError):
            async with db.sessions() as session, session.begin():
                await session.execute(insert(ProcessedUpdate).values(update_id=8, received_at=NOW))
                await session.execute(insert(ProcessedUpdate).values(update_id=7, received_at=NOW))
        with pytest.raises(OperationalError):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
        async with db.sessions() as session:  # the failed transaction left nothing behind
            ids = (await session.scalars(select(ProcessedUpdate.update_id))).all()
        assert ids == [7]
    finally:
        await db.dispose()


@pytest.mark.parametrize("driver", ["inloop", "aiosqlite"])
async def test_both_sqlite_drivers_migrate_and_claim_updates(tmp_path: Path, driver: str) -> None:
    db = await _migrated(f"sqlite+{driver}:///{tmp_path}/cc.db")
    try:
        claims = ProcessedUpdates(db)
        assert await claims.claim(41, NOW) is True
        assert await claims.claim(41, NOW) is False
        assert db.engine.dialect.driver == driver
    finally:
        await db.dispose()


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's view: e.g. `crosscoach db upgrade` or an operator's sqlite3 shell."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_lock_held_elsewhere_is_waited_for_without_freezing_the_loop(tmp_path: Path
                                                                           ) -> None:
    db = await _migrated(f"sqlite+inloop:///{tmp_path}/cc.db")
    other = _hold_write_lock(tmp_path / "cc.db")
    try:
        write = asyncio.create_task(ProcessedUpdates(db).claim(5, NOW))
        # Other work keeps running while the write waits: SQLite's busy handler would have held
        # the loop thread for the whole busy timeout and then failed the write.
        turns = 0
        while turns < 200 and not write.done():
            await asyncio.sleep(0)
            turns += 1
        assert not write.done()
        other.execute("COMMIT")
        assert await asyncio.wait_for(write, timeout=10) is True
        async with db.reads() as session:
            assert (await session.scalars(select(ProcessedUpdate.update_id))).all() == [5]
    finally:
        other.close()
        await db.dispose()


async def test_a_lock_held_past_the_timeout_fails_the_write_cleanly(tmp_path: Path) -> None:
    db = Database(f"sqlite+inloop:///{tmp_path}/cc.db", connect_args={"timeout": 0.05})
    await upgrade(db)
    other = _hold_write_lock(tmp_path / "cc.db")
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            await ProcessedUpdates(db).claim(6, NOW)
        other.execute("ROLLBACK")
        assert await ProcessedUpdates(db).claim(6, NOW) is True  # the connection still works
    finally:
        other.close()
        await db.dispose()


async def test_a_write_sent_through_the_read_engine_is_refused(database_url: str) -> None:
    """On PostgreSQL it would commit and on SQLite roll back; neither may happen silently."""
    db = await _migrated(database_url)
    try:
        with pytest.raises(WriteOnReadEngine):
            async with db.reads() as session:
                await session.execute(insert(ProcessedUpdate).values(update_id=9, received_at=NOW))
        async with db.reads() as session:
            assert (await session.scalars(select(ProcessedUpdate.update_id))).all() == []
    finally:
        await db.dispose()
