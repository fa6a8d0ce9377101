"""An SQLAlchemy asyncio dialect that runs the standard `sqlite3` module on the event loop thread.

Why not aiosqlite: it runs each connection in a worker thread and hops to it for every cursor call
(open, execute, fetch, close, commit). On this bot's small indexed statements the hops cost far
more than SQLite itself: a `SELECT 1` took 0.42 ms through aiosqlite and SQLAlchemy against
about 0.05 ms here, and a typical update runs several statements (`bench/updates.py`).

Why it is safe to block the loop: each statement is a few microseconds of local file work, with
no network to wait on. What could block the loop for long is SQLite's busy handler, when a
second connection wants the write lock while the first one is parked at an `await` between
statements. The engine therefore gets exactly one connection (`Database` sets `pool_size=1`,
`max_overflow=0`): a second task waits for it in the pool, asynchronously, instead of spinning
in the busy handler. Other processes (the CLI) can still hold the lock briefly; the busy timeout
covers them.

The classes mimic the small part of aiosqlite's API that SQLAlchemy's async adapters call, with
coroutines that finish without suspending, so SQLAlchemy's greenlet bridge still sees the awaits
it requires but the event loop is never entered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import pool, util
from sqlalchemy.connectors.asyncio import (
    AsyncAdapt_dbapi_connection,
    AsyncAdapt_dbapi_cursor,
    AsyncAdapt_dbapi_module,
    AsyncAdapt_dbapi_ss_cursor,
)
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

DRIVER = "inloop"


class InLoopCursor:
    """A `sqlite3.Cursor` behind the awaitable interface SQLAlchemy's adapter expects."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InLoopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = ()) -> InLoopCursor:
        self._cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, seq_of_parameters: Iterable[Any]) -> InLoopCursor:
        self._cursor.executemany(operation, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    async def nextset(self) -> None:
        return None

    async def close(self) -> None:
        self._cursor.close()


class InLoopConnection:
    """A `sqlite3.Connection` behind the awaitable interface SQLAlchemy's adapter expects."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def cursor(self) -> InLoopCursor:
        return InLoopCursor(self._conn.cursor())

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


class AsyncAdapt_inloop_connection(AsyncAdapt_dbapi_connection):
    __slots__ = ()
    _cursor_cls = AsyncAdapt_dbapi_cursor
    _ss_cursor_cls = AsyncAdapt_dbapi_ss_cursor
    _connection: InLoopConnection  # type: ignore[assignment]

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._connection._conn.create_function(*args, **kwargs)

    def terminate(self) -> None:
        self._connection._conn.close()


class InLoopDBAPI(AsyncAdapt_dbapi_module):
    """The DBAPI module SQLAlchemy sees: `sqlite3`'s names, with an adapted `connect`."""

    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        self.sqlite = sqlite3
        self.paramstyle = "qmark"
        self.has_stop = True
        for name in ("DatabaseError", "Error", "IntegrityError", "NotSupportedError",
                     "OperationalError", "ProgrammingError", "InterfaceError",
                     "sqlite_version", "sqlite_version_info", "PARSE_COLNAMES",
                     "PARSE_DECLTYPES", "Binary"):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_inloop_connection:
        kwargs.pop("async_creator_fn", None)
        # Every statement runs on the loop thread, but the pool may close a connection from
        # the garbage collector's thread; sqlite3 would refuse that by default.
        kwargs["check_same_thread"] = False
        connection = InLoopConnection(sqlite3.connect(*args, **kwargs))
        return AsyncAdapt_inloop_connection(self, connection)


class SQLiteDialect_inloop(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True
    supports_server_side_cursors = False
    has_terminate = True

    @classmethod
    def import_dbapi(cls) -> InLoopDBAPI:  # type: ignore[override]
        return InLoopDBAPI()

    def retrieve_dbapi_version(self, dbapi: Any) -> util.VersionInfo:
        return util.parse_version_string(sqlite3.sqlite_version)

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def is_disconnect(self, e: Any, connection: Any, cursor: Any) -> bool:
        return isinstance(e, sqlite3.ProgrammingError) and "closed" in str(e).lower()

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.terminate()


def register() -> None:
    """Make `sqlite+inloop://` URLs resolve to this dialect (idempotent; called by the engine)."""
    registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_inloop")
