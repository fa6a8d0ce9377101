"""The coaching repository: recent history for the coach, the minimal "Done" log of a suggestion,
and the /convert conversation state. Each method is one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.coach.suggest import PastSession
from bot.db.engine import Database
from bot.db.models import ConversationState, SessionLog

CONVERT_FLOW = "convert"


@dataclass(frozen=True)
class ConvertState:
    step: str  # "run" (waiting for the run) | "pace" (waiting for the usual pace)
    prompt_message_id: int | None  # the ForceReply prompt the answer must reply to
    data: dict[str, Any]


class CoachingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent_history(self, user_id: int, since: date) -> list[PastSession]:
        """Logs performed on or after `since`, oldest first, without undone ones."""
        async with self._db.sessions() as session:
            rows = await session.scalars(
                select(SessionLog)
                .where(SessionLog.user_id == user_id, SessionLog.performed_on >= since,
                       SessionLog.undone_at.is_(None))
                .order_by(SessionLog.performed_on, SessionLog.id)
            )
            return [
                PastSession(
                    performed_on=row.performed_on, activity_id=row.activity_id,
                    session_id=row.session_id, minutes=row.minutes, effort=row.effort,
                    pain=row.pain, status=row.status,
                )
                for row in rows
            ]

    async def log_suggestion_done(
        self, user_id: int, message_id: int, *, session_id: str, activity_id: str,
        minutes: float, performed_on: date, now: datetime,
    ) -> bool:
        """Log a suggested session as done. False when this message was already logged (a
        double tap, or two workers racing): the unique (user, message) key decides."""
        async with self._db.sessions() as session:
            existing = await session.scalar(
                select(SessionLog.id).where(SessionLog.user_id == user_id,
                                            SessionLog.source_message_id == message_id)
            )
            if existing is not None:
                return False
            session.add(SessionLog(
                user_id=user_id, source_message_id=message_id, performed_on=performed_on,
                logged_at=now, activity_id=activity_id, session_id=session_id, minutes=minutes,
                status="done", source="suggestion", raw_text="", notes="",
            ))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def logged_message(self, user_id: int, message_id: int) -> bool:
        async with self._db.sessions() as session:
            found = await session.scalar(
                select(SessionLog.id).where(SessionLog.user_id == user_id,
                                            SessionLog.source_message_id == message_id)
            )
            return found is not None

    async def set_convert_state(self, user_id: int, step: str, prompt_message_id: int,
                                data: dict[str, Any], now: datetime) -> None:
        """Remember which prompt the user's reply must answer (replaces any other flow: the user
        chose /convert, so an older conversation is abandoned)."""
        for _attempt in range(2):
            async with self._db.sessions() as session:
                row = await session.get(ConversationState, user_id)
                if row is None:
                    row = ConversationState(user_id=user_id)
                    session.add(row)
                row.flow = CONVERT_FLOW
                row.step = step
                row.data = dict(data)
                row.keyboard_message_id = prompt_message_id
                row.updated_at = now
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()  # created by a concurrent update: try once more

    async def convert_state(self, user_id: int) -> ConvertState | None:
        async with self._db.sessions() as session:
            row = await session.get(ConversationState, user_id)
            if row is None or row.flow != CONVERT_FLOW:
                return None
            return ConvertState(row.step, row.keyboard_message_id, dict(row.data or {}))

    async def clear_convert_state(self, user_id: int) -> None:
        """End the /convert conversation; another flow's state is left alone."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                delete(ConversationState).where(ConversationState.user_id == user_id,
                                                ConversationState.flow == CONVERT_FLOW)
            )
