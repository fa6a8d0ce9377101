"""Migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, inspect, text

from bot.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database
from bot.db.migrate import current_revision, upgrade
from bot.db.models import Base
from bot.db.sqlite_inloop import SPIN_SECONDS

# The quoted values in a CHECK constraint's text. Enough to compare the models' `x IN (...)`
# with what each database reflects (PostgreSQL rewrites it as `x = ANY (ARRAY[...])`).
_QUOTED = re.compile(r"'([^']*)'")
Checks = dict[tuple[str, str | None], list[str]]


def _model_checks() -> Checks:
    return {(table.name, str(constraint.name)): sorted(_QUOTED.findall(str(constraint.sqltext)))
            for table in Base.metadata.tables.values() for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)}


async def test_upgrade_creates_every_table_and_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        await upgrade(db)  # a second start is a no-op
        assert await current_revision(db) is not None

        def inspect_schema(conn: Connection) -> tuple[set[str], list[object], Checks]:
            inspector = inspect(conn)
            tables = set(inspector.get_table_names())
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            # Alembic's comparison leaves CHECK constraints out, so they are compared here.
            checks = {(table, check["name"]): sorted(_QUOTED.findall(check["sqltext"]))
                      for table in Base.metadata.tables
                      for check in inspector.get_check_constraints(table)}
            return tables, diff, checks

        async with db.engine.connect() as conn:
            tables, diff, checks = await conn.run_sync(inspect_schema)
        assert set(Base.metadata.tables) <= tables
        assert diff == []
        assert checks == _model_checks()
    finally:
        await db.dispose()


NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
# A user with a row in every table that refers to users (and a log that refers to a nudge).
_ROWS = [
    "INSERT INTO users (id, chat_id, first_name, status, ignored_nudges, created_at, "
    "last_seen_at) VALUES (7, 7, 'Ana', 'blocked', 0, :now, :now)",
    "INSERT INTO profiles (user_id, injury_status, condition_id, phase, pain_today, "
    "clinician_seen, red_flags, equipment, updated_at, clinician_cleared) VALUES (7, 'injured', "
    "'calf_strain', 'acute', 3, false, '[]', '[]', :now, true)",
    "INSERT INTO conversation_states (user_id, flow, step, data, updated_at) "
    "VALUES (7, 'settings', 'minutes', '{}', :now)",
    "INSERT INTO nudge_deliveries (id, user_id, local_date, kind, due_at, status, attempts, "
    "not_before, created_at, response) VALUES (5, 7, '2026-12-07', 'habit', :now, 'sent', 1, "
    ":now, :now, 'done')",
    "INSERT INTO session_logs (id, user_id, performed_on, logged_at, activity_id, status, "
    "source, nudge_delivery_id, raw_text, notes) VALUES (3, 7, '2026-12-07', :now, "
    "'swimming', 'done', 'nudge', 5, 'swam', '')",
]
_READ_BACK = {
    "users": "SELECT id, status FROM users",
    "profiles": "SELECT user_id, injury_status, phase, clinician_cleared FROM profiles",
    "conversation_states": "SELECT user_id, flow, step FROM conversation_states",
    "nudge_deliveries": "SELECT id, user_id, kind, status, response FROM nudge_deliveries",
    "session_logs": "SELECT id, user_id, status, source, nudge_delivery_id FROM session_logs",
}


async def test_adding_the_status_checks_keeps_every_row(database_url: str) -> None:
    # On SQLite the tables are rebuilt, and dropping the old users table would take every row
    # that refers to it along (ON DELETE CASCADE) unless the migration keeps them.
    db = Database(database_url)
    try:
        await upgrade(db, "0003")
        async with db.engine.begin() as conn:
            for statement in _ROWS:
                await conn.execute(text(statement), {"now": NOW})

        async def read_back() -> dict[str, list[tuple[object, ...]]]:
            async with db.engine.connect() as conn:
                return {table: [tuple(row) for row in (await conn.execute(text(query))).all()]
                        for table, query in _READ_BACK.items()}

        before = await read_back()
        await upgrade(db)
        assert await read_back() == before
        assert before["session_logs"] == [(3, 7, "done", "nudge", 5)]
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
