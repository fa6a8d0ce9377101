"""The coaching repository: recent history for the coach and the /convert conversation state.
Each method is one unit of work. (A suggestion's "Done" is stored through bot/db/logs.py, the
one place logs are made.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from bot.coach.pain_check import mentions_red_flag
from bot.coach.suggest import PastSession
from bot.db.conversations import ConversationRepository
from bot.db.engine import Database
from bot.db.models import ConversationState, SessionLog

CONVERT_FLOW = "convert"


@dataclass(frozen=True)
class ConvertState:
    step: str  # "run" (waiting for the run) | "pace" (waiting for the usual pace)
    prompt_message_id: int | None  # the ForceReply prompt an explicit reply answers
    data: dict[str, Any]
    asked_at: datetime | None = None  # when the prompt was sent (typed answers expire)


class CoachingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent_history(self, user_id: int, since: date) -> list[PastSession]:
        """Logs performed on or after `since`, oldest first, without undone ones. A log whose
        text mentions a warning sign (numbness, swelling, night pain...) is marked red_flag."""
        async with self._db.reads() as session:
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
                    red_flag=mentions_red_flag(f"{row.raw_text} {row.notes}"),
                )
                for row in rows
            ]

    async def set_suggestion_effort(self, user_id: int, message_id: int, effort: int) -> bool:
        """Store how hard a suggested session felt on the live "Done" log made from that
        suggestion's message. False when there is none (undone, or replaced by a reply)."""
        async with self._db.sessions() as session, session.begin():
            row = await session.scalar(
                select(SessionLog).where(SessionLog.user_id == user_id,
                                         SessionLog.source_message_id == message_id,
                                         SessionLog.source == "suggestion",
                                         SessionLog.undone_at.is_(None))
            )
            if row is None:
                return False
            row.effort = effort
            return True

    async def set_convert_state(self, user_id: int, step: str, prompt_message_id: int,
                                data: dict[str, Any], now: datetime) -> None:
        """Remember which prompt the user's reply must answer (replaces any other flow: the user
        chose /convert, so an older conversation is abandoned)."""
        await ConversationRepository(self._db).save(
            user_id, CONVERT_FLOW, step, {**data, "asked_at": now.isoformat()},
            prompt_message_id, now)

    async def convert_state(self, user_id: int) -> ConvertState | None:
        async with self._db.reads() as session:
            row = await session.get(ConversationState, user_id)
            if row is None or row.flow != CONVERT_FLOW:
                return None
            return convert_state_of(row.step, row.keyboard_message_id, row.data)

    async def clear_convert_state(self, user_id: int) -> None:
        """End the /convert conversation; another flow's state is left alone."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                delete(ConversationState).where(ConversationState.user_id == user_id,
                                                ConversationState.flow == CONVERT_FLOW)
            )


def convert_state_of(step: str, prompt_message_id: int | None,
                     data: dict[str, Any] | None) -> ConvertState:
    """A ConvertState from a conversation_states row's fields (also as the user gate read them)."""
    values = dict(data or {})
    asked_at: datetime | None = None
    raw = values.pop("asked_at", None)
    if isinstance(raw, str):
        try:
            asked_at = datetime.fromisoformat(raw)
        except ValueError:
            asked_at = None
    return ConvertState(step, prompt_message_id, values, asked_at)
