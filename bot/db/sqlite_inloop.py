"""An SQLAlchemy asyncio dialect that runs the standard `sqlite3` module on the event loop thread.

Why not aiosqlite: it runs each connection in a worker thread and hops to it for every cursor call
(open, execute, fetch, close, commit). On this bot's small indexed statements the hops cost far
more than SQLite itself: a `SELECT 1` took 0.42 ms through aiosqlite and SQLAlchemy against
about 0.09 ms here, and the whole bot handled 296 updates/s on aiosqlite against 590/s on this
driver (`bench/updates.py`).

Why it is safe to run on the loop: each statement is microseconds of local file work. The one
thing that could hold the loop is waiting for SQLite's write lock, so that wait never happens in
SQLite's busy handler (which would spin on the loop thread):
- inside the process, the engine gets exactly one connection (`create_engine` sets
  `pool_size=1`, `max_overflow=0`), so a second task waits for it in the pool, asynchronously;
- another process holding the lock (`crosscoach db upgrade`, an operator's `sqlite3` shell) is
  waited for here: the busy handler spins for at most SPIN_SECONDS, then the statement is retried
  after an `asyncio.sleep` with backoff until the connect argument `timeout` (LOCK_WAIT_SECONDS
  by default) runs out, while the loop keeps serving other updates.

The classes mimic the small part of aiosqlite's API that SQLAlchemy's async adapters call, with
coroutines that finish without suspending unless they wait for a lock, so SQLAlchemy's greenlet
bridge sees the awaits it requires but the event loop is normally never entered.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from sqlalchemy import pool, util
from sqlalchemy.connectors.asyncio import (
    AsyncAdapt_dbapi_connection,
    AsyncAdapt_dbapi_cursor,
    AsyncAdapt_dbapi_module,
    AsyncAdapt_dbapi_ss_cursor,
    AsyncIODBAPIConnection,
)
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

DRIVER = "inloop"
LOCK_WAIT_SECONDS = 5.0  # how long a statement waits for another process's write lock
SPIN_SECONDS = 0.005  # how long SQLite's own busy handler may hold the loop per attempt
_MAX_BACKOFF_SECONDS = 0.1

T = TypeVar("T")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code: int | None = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY  # also SQLITE_BUSY_SNAPSHOT and friends
    return "database is locked" in str(error)


async def _waiting_for_lock(action: Callable[[], T], lock_wait: float) -> T:
    """Run `action`; while another connection holds the write lock, retry without blocking."""
    deadline: float | None = None
    delay = SPIN_SECONDS
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            now = time.monotonic()
            deadline = now + lock_wait if deadline is None else deadline
            if now >= deadline:
                raise
            await asyncio.sleep(min(delay, deadline - now))
            delay = min(delay * 2, _MAX_BACKOFF_SECONDS)


class InLoopCursor:
    """A `sqlite3.Cursor` behind the awaitable interface SQLAlchemy's adapter expects."""

    __slots__ = ("_cursor", "_lock_wait")

    def __init__(self, cursor: sqlite3.Cursor, lock_wait: float) -> None:
        self._cursor = cursor
        self._lock_wait = lock_wait

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
        # A statement refused with SQLITE_BUSY did not run, so running it again is safe.
        await _waiting_for_lock(lambda: self._cursor.execute(operation, parameters),
                                self._lock_wait)
        return self

    async def executemany(self, operation: str, seq_of_parameters: Iterable[Any]) -> InLoopCursor:
        rows = list(seq_of_parameters)  # a generator could not be replayed after SQLITE_BUSY
        await _waiting_for_lock(lambda: self._cursor.executemany(operation, rows),
                                self._lock_wait)
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

    __slots__ = ("_conn", "_lock_wait")

    def __init__(self, conn: sqlite3.Connection, lock_wait: float) -> None:
        self._conn = conn
        self._lock_wait = lock_wait

    def cursor(self) -> InLoopCursor:
        return InLoopCursor(self._conn.cursor(), self._lock_wait)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        # The stubs allow only the BEGIN modes, but SQLAlchemy sets "" (sqlite3's default:
        # a plain BEGIN before a write) when it leaves autocommit.
        self._conn.isolation_level = value  # type: ignore[assignment]

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        await _waiting_for_lock(self._conn.commit, self._lock_wait)  # SQLite: retry on BUSY

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
        # sqlite3's `timeout` is its busy handler; here it becomes the asynchronous lock wait.
        lock_wait = float(kwargs.pop("timeout", LOCK_WAIT_SECONDS))
        kwargs["timeout"] = SPIN_SECONDS
        connection = InLoopConnection(sqlite3.connect(*args, **kwargs), lock_wait)
        # SQLAlchemy's protocol describes a whole async DBAPI connection; its adapter calls only
        # the part InLoopConnection provides.
        return AsyncAdapt_inloop_connection(self, cast(AsyncIODBAPIConnection, connection))


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
        # Only a closed connection; "closed cursor" must not invalidate the one connection.
        return isinstance(e, sqlite3.ProgrammingError) and "closed database" in str(e)

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.terminate()


def register() -> None:
    """Make `sqlite+inloop://` URLs resolve to this dialect (idempotent; called by the engine)."""
    registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_inloop")
