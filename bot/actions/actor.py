"""Who an update comes from, and the one transaction each of their actions runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime

from bot.coach.schedule import local_date
from bot.db.conversations import Conversation
from bot.db.unit import Unit
from bot.db.users import Presence, UserRecord
from bot.services import Services


@dataclass
class Actor:
    """The user behind an update, as the per-update gate read them (one query), with what that
    update changes about them still to be written (`presence`)."""

    user: UserRecord
    conversation: Conversation | None
    presence: Presence
    is_new: bool = False

    @property
    def id(self) -> int:
        return self.user.id

    def zone(self, services: Services) -> str:
        return self.user.timezone or services.settings.default_timezone

    def today(self, services: Services, now: datetime | None = None) -> date:
        return local_date(now or services.clock.now(), self.zone(services))


@asynccontextmanager
async def transaction(services: Services, actor: Actor | None) -> AsyncIterator[Unit]:
    """The unit of work of one user action. The gate's pending presence (a new user's row, a
    refreshed last-seen, a reset back-off) is written first, in the same transaction, so an
    update costs at most one write transaction. Commits at the end of the block; any error
    rolls all of it back."""
    presence = actor.presence if actor is not None and actor.presence.pending else None
    async with services.db.unit() as unit:
        if presence is not None:
            await services.users.record_presence(unit, presence)
        yield unit
    if presence is not None:
        presence.written = True  # committed: a later settle has nothing left to do


async def settle(services: Services, actor: Actor | None) -> None:
    """Write the presence of an update whose action wrote nothing (a /help, a stale tap)."""
    if actor is not None and actor.presence.pending:
        async with transaction(services, actor):
            pass
