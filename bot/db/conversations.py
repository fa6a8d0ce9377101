"""Conversation state: which step of which flow a user is at, kept in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete

from bot.db.engine import Database
from bot.db.models import ConversationState


@dataclass(frozen=True)
class Conversation:
    user_id: int
    flow: str
    step: str
    data: dict[str, Any]
    keyboard_message_id: int | None


class ConversationRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> Conversation | None:
        async with self._db.sessions() as session:
            row = await session.get(ConversationState, user_id)
            if row is None:
                return None
            return Conversation(row.user_id, row.flow, row.step, dict(row.data or {}),
                                row.keyboard_message_id)

    async def save(self, user_id: int, flow: str, step: str, data: dict[str, Any],
                   keyboard_message_id: int | None, now: datetime) -> None:
        async with self._db.sessions() as session, session.begin():
            row = await session.get(ConversationState, user_id)
            if row is None:
                row = ConversationState(user_id=user_id)
                session.add(row)
            row.flow, row.step, row.data = flow, step, dict(data)
            row.keyboard_message_id = keyboard_message_id
            row.updated_at = now

    async def clear(self, user_id: int) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(delete(ConversationState).where(
                ConversationState.user_id == user_id))
