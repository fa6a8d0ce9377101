"""Creating the async engine with the per-database settings that keep it safe under load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite_inloop

SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes a second writer wait instead
    # of failing with "database is locked"; SQLite ignores foreign keys unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    if not isinstance(dbapi_connection, sqlite_inloop.AsyncAdapt_inloop_connection):
        # The in-loop driver waits for locks itself, off SQLite's busy handler (see there).
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY_OPTION = "crosscoach_read_only"


class WriteOnReadEngine(RuntimeError):
    """A statement other than a read was sent through `Database.reads` / `read_engine`."""


def _refuse_writes(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any,
                   _executemany: bool) -> None:
    reading = context is not None and context.execution_options.get(READ_ONLY_OPTION)
    if reading and statement.lstrip()[:6].upper() not in ("SELECT", "PRAGMA"):
        raise WriteOnReadEngine(f"write through the read-only engine: {statement[:60]!r}")


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        if url.get_driver_name() == sqlite_inloop.DRIVER:
            sqlite_inloop.register()
            if url.database and url.database != ":memory:":
                # One connection: see bot/db/sqlite_inloop.py for why a second one could stall
                # the event loop in SQLite's busy handler.
                kwargs.setdefault("pool_size", 1)
                kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    """The engine and a session factory; one per process, built by the composition root."""

    def __init__(self, database_url: str, **engine_kwargs: Any) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, **engine_kwargs)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        # Single-statement reads need no transaction. On PostgreSQL, autocommit saves the BEGIN
        # and ROLLBACK round trips a session would add (0.61 -> 0.48 ms per read on loopback);
        # SQLite begins no transaction for a SELECT anyway. Never for read-then-write code, and
        # a write sent this way is refused on both databases (it would commit on PostgreSQL
        # but roll back on SQLite).
        reading = {READ_ONLY_OPTION: True}
        if self.dialect != "sqlite":
            reading["isolation_level"] = "AUTOCOMMIT"
        self.read_engine: AsyncEngine = self.engine.execution_options(**reading)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _refuse_writes)
        self.reads: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.read_engine, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()
