"""A typed CallbackContext that carries our services, as in PTB's contexttypesbot example."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.actions.actor import Actor
from bot.db.conversations import Conversation
from bot.db.users import UserRecord
from bot.services import SERVICES_KEY, Services, services_of

__all__ = ["SERVICES_KEY", "CoachApplication", "CoachContext", "services_of"]


class CoachContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """One context per update (PTB reuses it across handler groups), so the gate that records the
    user can hand the row to the handlers that follow without a second query."""

    # Set by the user gate: who the update is from, with what it changes about them.
    actor: Actor | None = None

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data[SERVICES_KEY]
        return services

    @property
    def user_record(self) -> UserRecord | None:
        return self.actor.user if self.actor is not None else None

    @property
    def conversation(self) -> Conversation | None:
        """The conversation the user is in, read by the gate's query; None when in none."""
        return self.actor.conversation if self.actor is not None else None

    @property
    def is_new_user(self) -> bool:
        return self.actor is not None and self.actor.is_new


# The Application as this bot builds it: its contexts are CoachContexts.
CoachApplication = Application[ExtBot[Any], CoachContext, dict[Any, Any], dict[Any, Any],
                               dict[Any, Any], Any]
