"""The services every handler, action and job needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.coach.nudge_choice import PLAN_HISTORY_DAYS
from bot.coach.nudge_policy import make_chooser
from bot.coach.schedule import QuietHours
from bot.config import Settings
from bot.content import ContentPack
from bot.db.coaching import CoachingRepository
from bot.db.conversations import ConversationRepository
from bot.db.engine import Database
from bot.db.logs import LogRepository
from bot.db.nudges import NudgeRepository
from bot.db.privacy import PrivacyRepository
from bot.db.profiles import ProfileRepository
from bot.db.updates import ProcessedUpdates
from bot.db.users import UserRepository, UserSettingsRepository
from bot.metrics import Metrics


@dataclass
class Services:
    settings: Settings
    clock: Clock
    content: ContentPack
    db: Database
    metrics: Metrics
    # The quiet hours of a user who never set their own.
    default_quiet: QuietHours
    users: UserRepository
    user_settings: UserSettingsRepository
    profiles: ProfileRepository
    conversations: ConversationRepository
    logs: LogRepository
    coaching: CoachingRepository
    nudges: NudgeRepository
    privacy: PrivacyRepository
    updates: ProcessedUpdates

    @classmethod
    def create(cls, settings: Settings, clock: Clock, content: ContentPack) -> Services:
        db = Database(settings.database_url)
        default_quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        return cls(
            settings=settings, clock=clock, content=content, db=db, metrics=Metrics(),
            default_quiet=default_quiet,
            users=UserRepository(db),
            user_settings=UserSettingsRepository(db),
            profiles=ProfileRepository(db, settings.default_timezone),
            conversations=ConversationRepository(db),
            logs=LogRepository(db),
            coaching=CoachingRepository(db),
            nudges=NudgeRepository(db, default_timezone=settings.default_timezone,
                                   default_quiet=default_quiet, choose=make_chooser(content),
                                   history_days=PLAN_HISTORY_DAYS),
            privacy=PrivacyRepository(db),
            updates=ProcessedUpdates(db),
        )


SERVICES_KEY = "services"


def services_of(application: Any) -> Services:
    """The Services an Application was built with (kept in its bot_data)."""
    services: Services = application.bot_data[SERVICES_KEY]
    return services
