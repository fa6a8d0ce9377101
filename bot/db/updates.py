"""The processed-updates repository: which webhook updates a worker has taken, as leases.

Telegram redelivers an update when it does not get a 200 in time, and with several workers the
redelivery may land on another process. A claim is a row in `processed_updates`:

- taken with one INSERT that does nothing on a conflict, so exactly one worker wins, on SQLite
  and PostgreSQL alike;
- a *lease* until processing finishes (`finish` sets `finished_at`): a worker killed mid-update
  leaves it unfinished, and once `leased_until` has passed the redelivery takes it over and the
  update is processed after all. A finished claim is final: its redeliveries are dropped;
- while unfinished it also holds its user: a partial unique index allows one unfinished claim
  per `user_id`, so two workers never run one user's updates side by side (a double tap that
  reaches two workers, or a chat's next update sent while a slow one still runs elsewhere).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import ProcessedUpdate

ClaimResult = Literal["claimed", "duplicate", "busy"]
DEFAULT_LEASE = timedelta(seconds=60)


class ProcessedUpdates:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, update_id: int, now: datetime, *, user_id: int | None = None,
                    lease: timedelta = DEFAULT_LEASE) -> bool:
        """Take `update_id` for this worker; False when it was processed or is being
        processed elsewhere."""
        return await self.acquire(update_id, now, user_id=user_id, lease=lease) == "claimed"

    async def acquire(self, update_id: int, now: datetime, *, user_id: int | None = None,
                      lease: timedelta = DEFAULT_LEASE) -> ClaimResult:
        """'claimed' (process it, then `finish`), 'duplicate' (processed already: drop it) or
        'busy' (in progress elsewhere, or another update of this user is: try again later)."""
        until = now + lease
        if await self._insert(update_id, user_id, now, until):
            return "claimed"
        async with self._db.reads() as session:
            row = (await session.execute(
                select(ProcessedUpdate.finished_at, ProcessedUpdate.leased_until)
                .where(ProcessedUpdate.update_id == update_id))).first()
        if row is not None:
            if row.finished_at is not None:
                return "duplicate"
            if row.leased_until is not None and row.leased_until > now:
                return "busy"
            return "claimed" if await self._take_over(update_id, user_id, now, until) else "busy"
        # No row for this update: the conflict was another unfinished update of the same user.
        # If its lease ran out, its worker died: let go of the user (its own redelivery can
        # still take it over later) and try once more.
        if user_id is not None and await self._evict_expired(user_id, now) \
                and await self._insert(update_id, user_id, now, until):
            return "claimed"
        return "busy"

    async def finish(self, update_id: int, now: datetime) -> None:
        """Processing is done: the claim is final, and it no longer holds its user."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                update(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
                .values(finished_at=now, user_id=None, leased_until=None))

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

    # -- steps, each its own short transaction ---------------------------------------------------

    async def _insert(self, update_id: int, user_id: int | None, now: datetime,
                      until: datetime) -> bool:
        insert: Any = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        # No conflict target: a clash on the update id and a clash on the user's unfinished
        # claim (the partial unique index) both mean "not now".
        statement = insert(ProcessedUpdate).values(
            update_id=update_id, user_id=user_id, received_at=now, leased_until=until,
        ).on_conflict_do_nothing()
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(statement)
            # Both drivers report 1 for an inserted row and 0 when the conflict clause fired.
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _take_over(self, update_id: int, user_id: int | None, now: datetime,
                         until: datetime) -> bool:
        """Take an unfinished claim whose lease ran out (its worker died). The WHERE clause
        re-checks both, so of two workers taking it over at once only one succeeds."""
        try:
            async with self._db.sessions() as session, session.begin():
                result = await session.execute(
                    update(ProcessedUpdate)
                    .where(ProcessedUpdate.update_id == update_id,
                           ProcessedUpdate.finished_at.is_(None),
                           ProcessedUpdate.leased_until <= now)
                    .values(leased_until=until, received_at=now, user_id=user_id))
                return bool(result.rowcount)  # type: ignore[attr-defined]
        except IntegrityError:
            return False  # another update of this user is in progress now

    async def _evict_expired(self, user_id: int, now: datetime) -> bool:
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.user_id == user_id,
                       ProcessedUpdate.finished_at.is_(None),
                       ProcessedUpdate.leased_until <= now)
                .values(user_id=None))
            return bool(result.rowcount)  # type: ignore[attr-defined]
