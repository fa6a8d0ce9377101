"""Migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database
from bot.db.migrate import current_revision, upgrade
from bot.db.models import Base
from bot.db.sqlite_inloop import SPIN_SECONDS


async def test_upgrade_creates_every_table_and_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        await upgrade(db)  # a second start is a no-op
        assert await current_revision(db) is not None

        def inspect_schema(conn: Connection) -> tuple[set[str], list[object]]:
            tables = set(inspect(conn).get_table_names())
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            return tables, diff

        async with db.engine.connect() as conn:
            tables, diff = await conn.run_sync(inspect_schema)
        assert set(Base.metadata.tables) <= tables
        assert diff == []
    finally:
        await db.dispose()


@pytest.mark.parametrize(("driver", "busy_ms"), [
    # In-loop SQLite spins in SQLite's busy handler for 5 ms at most, then waits for the lock
    # asynchronously (tests/test_sqlite_driver.py); aiosqlite waits in its own thread.
    ("inloop", int(SPIN_SECONDS * 1000)), ("aiosqlite", SQLITE_BUSY_TIMEOUT_MS)])
async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path, driver: str,
                                                           busy_ms: int) -> None:
    db = Database(f"sqlite+{driver}:///{tmp_path}/cc.db")
    try:
        async with db.engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
            timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (mode, timeout, fks) == ("wal", busy_ms, 1)
    finally:
        await db.dispose()
