"""The processed-updates repository: which webhook update ids a worker has already taken.

Telegram redelivers an update when it does not get a 200 in time, and with several workers the
redelivery may land on another process. Claiming the id with one INSERT that does nothing on a
conflict makes exactly one worker win, on SQLite and PostgreSQL alike, without a read first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.db.engine import Database
from bot.db.models import ProcessedUpdate


class ProcessedUpdates:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, update_id: int, now: datetime) -> bool:
        """Take `update_id` for this worker; False when some worker already took it."""
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        statement = insert(ProcessedUpdate).values(update_id=update_id, received_at=now)
        statement = statement.on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(statement)
            # Both drivers report 1 for an inserted row and 0 when the conflict clause fired.
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, update_id: int) -> None:
        """Forget a claim whose processing crashed, so Telegram's redelivery is processed."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
            )

    async def purge_older_than(self, instant: datetime) -> int:
        """Delete claims received before `instant`; Telegram stops redelivering long before."""
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.received_at < instant)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
