"""Conversation state: which step of which flow a user is at, kept in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.db.engine import Database
from bot.db.models import ConversationState
from bot.db.unit import Unit


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

    @asynccontextmanager
    async def _within(self, unit: Unit | None) -> AsyncIterator[Unit]:
        """The caller's unit; a transaction of its own for a caller that has none."""
        if unit is not None:
            yield unit
            return
        async with self._db.unit() as own:
            yield own

    async def save(self, user_id: int, flow: str, step: str, data: dict[str, Any],
                   keyboard_message_id: int | None, now: datetime,
                   *, unit: Unit | None = None) -> None:
        # One upsert instead of read-then-write: every onboarding step saves, so the saved
        # statement shows in bench/updates.py.
        values = {"flow": flow, "step": step, "data": dict(data),
                  "keyboard_message_id": keyboard_message_id, "updated_at": now}
        async with self._within(unit) as within:
            insert = postgresql.insert if within.dialect == "postgresql" else sqlite.insert
            statement = insert(ConversationState).values(user_id=user_id, **values)
            await within.execute(statement.on_conflict_do_update(
                index_elements=[ConversationState.user_id], set_=values))

    async def clear(self, user_id: int, *, unit: Unit | None = None) -> None:
        async with self._within(unit) as within:
            await within.execute(delete(ConversationState).where(
                ConversationState.user_id == user_id))
