"""The services every handler and job needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.content import ContentPack
from bot.db.engine import Database
from bot.db.profiles import ProfileRepository
from bot.db.users import UserRepository
from bot.metrics import Metrics


@dataclass
class Services:
    settings: Settings
    clock: Clock
    content: ContentPack
    db: Database
    users: UserRepository
    profiles: ProfileRepository
    metrics: Metrics

    @classmethod
    def create(cls, settings: Settings, clock: Clock, content: ContentPack) -> Services:
        db = Database(settings.database_url)
        return cls(settings=settings, clock=clock, content=content, db=db,
                   users=UserRepository(db),
                   profiles=ProfileRepository(db, settings.default_timezone),
                   metrics=Metrics())


SERVICES_KEY = "services"


def services_of(application: Any) -> Services:
    """The Services an Application was built with (kept in its bot_data)."""
    return application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]
