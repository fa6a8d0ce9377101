"""The session-log repository: session_logs, the nudge ledger rows logs answer, and the pending
"did you want to log this?" question (conversation_states, flow "log_clarify").

Idempotence lives here. A log made from a Telegram message carries (user_id, source_message_id),
which the unique constraint uq_session_logs_user_message guards, so a repeated update or a
second worker racing on the same message finds the first log instead of making another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.progress import LogFact
from bot.db.engine import Database
from bot.db.models import ConversationState, NudgeDelivery, SessionLog
from bot.db.unit import Unit, session_in

CLARIFY_FLOW = "log_clarify"
# Logs a button tap made (Done on a nudge or a suggestion); a detailed reply replaces them.
BUTTON_SOURCES = ("button", "nudge", "suggestion")


@dataclass(frozen=True)
class NewLog:
    user_id: int
    source_message_id: int | None
    performed_on: date
    logged_at: datetime
    activity_id: str
    session_id: str | None = None
    minutes: float | None = None
    distance_km: float | None = None
    effort: int | None = None
    pain: int | None = None
    status: str = "done"  # done | skipped
    source: str = "text"  # text | button | nudge | suggestion | command
    nudge_delivery_id: int | None = None
    raw_text: str = ""
    notes: str = ""


@dataclass(frozen=True)
class LogRecord:
    id: int
    user_id: int
    source_message_id: int | None
    performed_on: date
    logged_at: datetime
    activity_id: str
    session_id: str | None
    minutes: float | None
    distance_km: float | None
    effort: int | None
    pain: int | None
    status: str
    source: str
    nudge_delivery_id: int | None
    raw_text: str
    notes: str
    undone_at: datetime | None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

    def fact(self) -> LogFact:
        return LogFact(self.performed_on, self.activity_id, self.minutes,
                       "skipped" if self.status == "skipped" else "done")


@dataclass(frozen=True)
class LogChanges:
    """What an edited message changes on its log."""

    performed_on: date
    activity_id: str
    session_id: str | None
    minutes: float | None
    distance_km: float | None
    effort: int | None
    pain: int | None
    status: str
    raw_text: str
    notes: str


@dataclass(frozen=True)
class NudgeRef:
    """The ledger row of a nudge message the user answered."""

    id: int
    user_id: int
    kind: str
    content_id: str | None
    local_date: date
    response: str | None


@dataclass(frozen=True)
class PendingClarify:
    """Unclear text waiting for the user's answer to "Did you want to log a session?"."""

    data: dict[str, Any]
    keyboard_message_id: int | None


def _record(row: SessionLog) -> LogRecord:
    return LogRecord(
        id=row.id, user_id=row.user_id, source_message_id=row.source_message_id,
        performed_on=row.performed_on, logged_at=row.logged_at, activity_id=row.activity_id,
        session_id=row.session_id, minutes=row.minutes, distance_km=row.distance_km,
        effort=row.effort, pain=row.pain, status=row.status, source=row.source,
        nudge_delivery_id=row.nudge_delivery_id, raw_text=row.raw_text, notes=row.notes,
        undone_at=row.undone_at,
    )


def _record_of(values: Mapping[str, Any]) -> LogRecord:
    return LogRecord(**{name: values[name] for name in LogRecord.__dataclass_fields__})


def _active() -> Any:
    return SessionLog.undone_at.is_(None)


class LogRepository:
    """Every method takes the caller's `unit` (one user action, one transaction); without one,
    a read runs outside any transaction and a write in a transaction of its own."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def _reading(self, unit: Unit | None) -> AsyncIterator[AsyncSession]:
        if unit is not None:
            yield unit.session()
            return
        async with self._db.reads() as session:
            yield session

    def _writing(self, unit: Unit | None) -> Any:
        return session_in(self._db.engine, unit)

    # -- writing ------------------------------------------------------------------------------

    async def create(self, new: NewLog, *, unit: Unit | None = None
                     ) -> tuple[LogRecord, bool]:
        """Store a log; (log, created). The same (user, message) returns the first log instead.

        One INSERT ... ON CONFLICT DO NOTHING: the unique (user, message) constraint decides,
        without a read first and without aborting the caller's transaction on a repeat (a
        redelivered update, a second worker, or a reply the user sent again)."""
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        stmt = (insert(SessionLog).values(**_columns(new))
                .on_conflict_do_nothing(index_elements=["user_id", "source_message_id"])
                .returning(*SessionLog.__table__.columns))
        async with self._writing(unit) as session:
            row = (await session.execute(stmt)).mappings().first()
            if row is not None:
                return _record_of(row), True
            assert new.source_message_id is not None  # only a message id can conflict
            existing = await session.scalar(
                select(SessionLog).where(SessionLog.user_id == new.user_id,
                                         SessionLog.source_message_id == new.source_message_id))
            assert existing is not None
            return _record(existing), False

    async def update_from_edit(self, user_id: int, message_id: int, changes: LogChanges,
                               *, unit: Unit | None = None) -> LogRecord | None:
        """Apply an edited message to its log. None when there is no live log for it."""
        async with self._writing(unit) as session:
            row = await session.scalar(
                select(SessionLog).where(SessionLog.user_id == user_id,
                                         SessionLog.source_message_id == message_id)
            )
            if row is None or row.undone_at is not None:
                return None
            for name, value in changes.__dict__.items():
                setattr(row, name, value)
            return _record(row)

    async def undo(self, user_id: int, log_id: int, now: datetime,
                   *, unit: Unit | None = None) -> tuple[LogRecord | None, bool]:
        """Undo a log; (log, changed). Undo after Undo changes nothing.

        Undoing the last live log tied to a nudge also takes back the nudge's answer, so its
        Done button works again and an undone log never counts as a done habit.
        """
        async with self._writing(unit) as session:
            row = await session.get(SessionLog, log_id)
            if row is None or row.user_id != user_id:
                return None, False
            if row.undone_at is not None:
                return _record(row), False
            row.undone_at = now
            if row.nudge_delivery_id is not None:
                await session.flush()
                others = await session.scalar(
                    select(SessionLog.id).where(
                        SessionLog.nudge_delivery_id == row.nudge_delivery_id, _active()
                    ).limit(1)
                )
                delivery = await session.get(NudgeDelivery, row.nudge_delivery_id)
                if others is None and delivery is not None and delivery.response in (
                        "done", "skipped"):
                    delivery.response, delivery.responded_at = None, None
            return _record(row), True

    async def supersede(self, user_id: int, *, bot_message_id: int, keep_log_id: int,
                        now: datetime, unit: Unit | None = None) -> list[int]:
        """Undo the button-made logs that a detailed reply replaces: those a Done tap made from
        the bot message the reply answers (their source_message_id is that bot message).
        Returns their ids."""
        async with self._writing(unit) as session:
            rows = (await session.scalars(
                select(SessionLog).where(
                    SessionLog.user_id == user_id, _active(), SessionLog.id != keep_log_id,
                    SessionLog.source.in_(BUTTON_SOURCES),
                    SessionLog.source_message_id == bot_message_id,
                )
            )).all()
            for row in rows:
                row.undone_at = now
            return [row.id for row in rows]

    async def set_pain(self, user_id: int, log_id: int, pain: int,
                       *, unit: Unit | None = None) -> LogRecord | None:
        async with self._writing(unit) as session:
            row = await session.get(SessionLog, log_id)
            if row is None or row.user_id != user_id:
                return None
            row.pain = pain
            return _record(row)

    # -- reading ------------------------------------------------------------------------------

    async def get(self, user_id: int, log_id: int, *, unit: Unit | None = None) -> LogRecord | None:
        async with self._reading(unit) as session:
            row = await session.get(SessionLog, log_id)
            return _record(row) if row is not None and row.user_id == user_id else None

    async def by_message(self, user_id: int, message_id: int,
                         *, unit: Unit | None = None) -> LogRecord | None:
        async with self._reading(unit) as session:
            row = await session.scalar(
                select(SessionLog).where(SessionLog.user_id == user_id,
                                         SessionLog.source_message_id == message_id)
            )
            return None if row is None else _record(row)

    async def live_log_for_nudge(self, user_id: int, delivery_id: int,
                                 *, unit: Unit | None = None) -> LogRecord | None:
        async with self._reading(unit) as session:
            row = await session.scalar(
                select(SessionLog)
                .where(SessionLog.user_id == user_id, _active(),
                       SessionLog.nudge_delivery_id == delivery_id)
                .order_by(SessionLog.id.desc()).limit(1)
            )
            return None if row is None else _record(row)

    async def previous_pain(self, user_id: int, before_log_id: int,
                            *, unit: Unit | None = None) -> int | None:
        """The pain on the user's latest live log before this one that has a pain score."""
        async with self._reading(unit) as session:
            value = await session.scalar(
                select(SessionLog.pain)
                .where(SessionLog.user_id == user_id, _active(), SessionLog.id < before_log_id,
                       SessionLog.pain.is_not(None))
                .order_by(SessionLog.id.desc()).limit(1)
            )
            return None if value is None else int(value)

    async def history(self, user_id: int, *, offset: int = 0, limit: int = 10,
                      unit: Unit | None = None) -> tuple[list[LogRecord], int]:
        """Live logs, newest first, one page; and how many there are in all."""
        async with self._reading(unit) as session:
            total = await session.scalar(
                select(func.count()).select_from(SessionLog)
                .where(SessionLog.user_id == user_id, _active())
            )
            rows = (await session.scalars(
                select(SessionLog).where(SessionLog.user_id == user_id, _active())
                .order_by(SessionLog.performed_on.desc(), SessionLog.id.desc())
                .offset(max(0, offset)).limit(limit)
            )).all()
            return [_record(row) for row in rows], int(total or 0)

    async def recent(self, user_id: int, *, since: date,
                     unit: Unit | None = None) -> list[LogRecord]:
        """Live logs performed on or after `since`, oldest first (for the coach and stats)."""
        async with self._reading(unit) as session:
            rows = (await session.scalars(
                select(SessionLog)
                .where(SessionLog.user_id == user_id, _active(), SessionLog.performed_on >= since)
                .order_by(SessionLog.performed_on, SessionLog.id)
            )).all()
            return [_record(row) for row in rows]

    async def facts_since(self, user_id: int, since: date,
                          *, unit: Unit | None = None) -> list[LogFact]:
        return [record.fact() for record in await self.recent(user_id, since=since, unit=unit)]

    async def active_days(self, user_id: int, *, unit: Unit | None = None) -> set[date]:
        """Every local date with a live, done log (for streaks)."""
        async with self._reading(unit) as session:
            days = (await session.scalars(
                select(SessionLog.performed_on).distinct()
                .where(SessionLog.user_id == user_id, _active(), SessionLog.status == "done")
            )).all()
            return set(days)

    async def has_log_on(self, user_id: int, day: date, *, unit: Unit | None = None) -> bool:
        """Whether the user logged a session (done) on this local date: "quiet once done"."""
        async with self._reading(unit) as session:
            found = await session.scalar(
                select(SessionLog.id).where(
                    SessionLog.user_id == user_id, _active(), SessionLog.status == "done",
                    SessionLog.performed_on == day,
                ).limit(1)
            )
            return found is not None

    # -- the nudge a reply answers ------------------------------------------------------------

    async def nudge_for_message(self, user_id: int, telegram_message_id: int,
                                *, unit: Unit | None = None) -> NudgeRef | None:
        async with self._reading(unit) as session:
            row = await session.scalar(
                select(NudgeDelivery).where(
                    and_(NudgeDelivery.user_id == user_id,
                         NudgeDelivery.telegram_message_id == telegram_message_id)
                ).limit(1)
            )
            if row is None:
                return None
            return NudgeRef(row.id, row.user_id, row.kind, row.content_id, row.local_date,
                            row.response)

    async def respond_to_nudge(self, delivery_id: int, response: str, now: datetime,
                               *, unit: Unit | None = None) -> bool:
        """Record done/skipped on the ledger row; False when it already said so. A snoozed
        nudge still waiting to come back is answered now, so it never comes back."""
        async with self._writing(unit) as session:
            row = await session.get(NudgeDelivery, delivery_id)
            if row is None or row.response == response:
                return False
            row.response = response
            row.responded_at = now
            if row.status == "pending":
                row.status, row.error = "skipped", f"answered by a reply: {response}"[:255]
            return True

    # -- the pending clarifying question --------------------------------------------------------

    async def pending_clarify(self, user_id: int,
                              *, unit: Unit | None = None) -> PendingClarify | None:
        async with self._reading(unit) as session:
            row = await session.get(ConversationState, user_id)
            if row is None or row.flow != CLARIFY_FLOW:
                return None
            return PendingClarify(dict(row.data or {}), row.keyboard_message_id)

    async def in_other_flow(self, user_id: int, *, unit: Unit | None = None) -> bool:
        """Whether the user is in the middle of another conversation (onboarding, settings...)."""
        async with self._reading(unit) as session:
            row = await session.get(ConversationState, user_id)
            return row is not None and row.flow != CLARIFY_FLOW

    async def start_clarify(self, user_id: int, data: dict[str, Any], now: datetime,
                            *, keyboard_message_id: int | None = None,
                            unit: Unit | None = None) -> bool:
        """Keep the unclear text; False (nothing stored) if another conversation is running."""
        async with self._writing(unit) as session:
            row = await session.get(ConversationState, user_id)
            if row is not None and row.flow != CLARIFY_FLOW:
                return False
            if row is None:
                row = ConversationState(user_id=user_id, flow=CLARIFY_FLOW)
                session.add(row)
            row.step = "ask"
            row.data = dict(data)
            row.keyboard_message_id = keyboard_message_id
            row.updated_at = now
            return True

    async def finish_clarify(self, user_id: int, keyboard_message_id: int,
                             *, unit: Unit | None = None) -> PendingClarify | None:
        """Take the pending text for an answer on `keyboard_message_id`; None if stale. Only one
        tap can take it, so a double tap never logs twice."""
        async with self._writing(unit) as session:
            row = await session.get(ConversationState, user_id, with_for_update=True)
            if (row is None or row.flow != CLARIFY_FLOW
                    or row.keyboard_message_id != keyboard_message_id):
                return None
            pending = PendingClarify(dict(row.data or {}), row.keyboard_message_id)
            await session.delete(row)
            return pending


def _columns(new: NewLog) -> dict[str, Any]:
    return dict(new.__dict__)
