"""Creating the async engine with the per-database settings that keep it safe under load."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite_inloop
from bot.db.unit import Unit, open_unit

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
    # Listened for on the read engine only, so writes on the main engine pay nothing. The
    # compiled flags are set for Core and ORM statements; textual ones are read from the text.
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        raise WriteOnReadEngine(f"write through the read-only engine: {statement[:60]!r}")
    textual = context is None or context.compiled is None
    if textual and statement.lstrip()[:6].upper() not in ("SELECT", "PRAGMA"):
        raise WriteOnReadEngine(f"write through the read-only engine: {statement[:60]!r}")


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = make_url(database_url)
    # A failed statement's message would otherwise carry its bound values ("[parameters: …]"),
    # and those include what users type: health notes must not end up in the log.
    kwargs.setdefault("hide_parameters", True)
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
    # No pre-ping: it costs a round trip (three statements) on every checkout, about two per
    # update. A connection the server dropped fails its statement once, SQLAlchemy then
    # invalidates the whole pool, and the next update reconnects; recycling connections every
    # half hour keeps idle ones from being cut by a proxy or the server's timeouts.
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kwargs)


def describe_database_error(exc: BaseException, database_url: str) -> str | None:
    """One line naming why the database cannot be used (for start-up and `db upgrade`), or None
    when `exc` is not a database problem. Never includes the password."""
    url = make_url(database_url)
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    text = " ".join(str(e).lower() for e in chain)
    is_database = any(isinstance(e, SQLAlchemyError | OSError | TimeoutError) for e in chain) \
        or any(type(e).__module__.startswith(("asyncpg", "sqlite3")) for e in chain)
    if not is_database:
        return None
    if url.get_backend_name() == "sqlite":
        where = url.database or ":memory:"
        if "readonly" in text or "read-only" in text:
            return f"the database file {where} is read-only: check the permissions of the " \
                   "file and of its folder"
        if "unable to open" in text or isinstance(exc, PermissionError):
            return f"cannot open the database file {where}: check that its folder exists " \
                   "and is writable"
        if "locked" in text:
            return f"the database file {where} is locked by another process"
        return f"the database file {where} cannot be used ({_first_line(chain[-1])})"
    where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
    unreachable = [e for e in chain if isinstance(e, OSError | TimeoutError)]
    if unreachable:  # refused, DNS, no route, timed out: the server never answered
        return f"cannot reach the database at {where} ({type(unreachable[0]).__name__})"
    return f"the database at {where} refused the bot: {_first_line(chain[-1])}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


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
        reading: dict[str, Any] = {READ_ONLY_OPTION: True}
        if self.dialect != "sqlite":
            reading["isolation_level"] = "AUTOCOMMIT"
        self.read_engine: AsyncEngine = self.engine.execution_options(**reading)
        # On the option engine only: the listener is local to it, so the write path never
        # runs it (a listener on every statement cost the bot about 13% of its throughput).
        event.listen(self.read_engine.sync_engine, "before_cursor_execute", _refuse_writes)
        self.reads: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.read_engine, expire_on_commit=False
        )

    def unit(self) -> AbstractAsyncContextManager[Unit]:
        """One transaction on one connection: everything a user action reads and writes. It
        commits when the block ends and rolls back on any error, so an action is never half
        applied. Never await the network inside it: on SQLite the one connection waits."""
        return open_unit(self.engine)

    def reading(self) -> AbstractAsyncContextManager[Unit]:
        """One connection for reads only, outside a transaction (autocommit on PostgreSQL);
        a write through it is refused."""
        return open_unit(self.read_engine, transaction=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()
