"""The unit of work: one connection and one transaction that a user action runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import Executable


class Unit:
    """What repositories take to run their SQL, so that every statement of one action shares
    one connection and one transaction. Core statements go through `execute`; code that needs
    the ORM asks for `session()`, bound to the same connection and transaction."""

    __slots__ = ("_session", "conn", "dialect")

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.dialect: str = conn.dialect.name
        self._session: AsyncSession | None = None

    async def execute(self, statement: Executable, parameters: Any = None
                      ) -> CursorResult[Any]:
        return await self.conn.execute(statement, parameters)

    def session(self) -> AsyncSession:
        if self._session is None:
            # Joins the connection's transaction: the session's flushes land in it, and only
            # the unit commits.
            self._session = AsyncSession(bind=self.conn, expire_on_commit=False)
        return self._session

    async def _close(self, *, flush: bool) -> None:
        if self._session is not None:
            try:
                if flush:
                    await self._session.flush()
            finally:
                await self._session.close()


@asynccontextmanager
async def open_unit(engine: AsyncEngine, *, transaction: bool = True) -> AsyncIterator[Unit]:
    async with engine.connect() as conn:
        if not transaction:
            unit = Unit(conn)
            try:
                yield unit
            finally:
                await unit._close(flush=False)
            return
        async with conn.begin():
            unit = Unit(conn)
            try:
                yield unit
            except BaseException:
                await unit._close(flush=False)
                raise
            await unit._close(flush=True)


@asynccontextmanager
async def session_in(engine: AsyncEngine, unit: Unit | None) -> AsyncIterator[AsyncSession]:
    """An ORM session inside `unit`'s transaction; or, for a caller that is not a user action
    (a job, a test's setup), inside a transaction of its own."""
    if unit is not None:
        yield unit.session()
        return
    async with open_unit(engine) as own:
        yield own.session()
