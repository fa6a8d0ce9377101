"""A typed CallbackContext that carries our services, as in PTB's contexttypesbot example."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.db.conversations import Conversation
from bot.db.users import UserRecord
from bot.services import SERVICES_KEY, Services, services_of

__all__ = ["SERVICES_KEY", "CoachContext", "services_of"]


class CoachContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """One context per update (PTB reuses it across handler groups), so the gate that records the
    user can hand the row to the handlers that follow without a second query."""

    user_record: UserRecord | None = None
    is_new_user: bool = False
    # The conversation the user is in, read by the same gate query; None when in none.
    conversation: Conversation | None = None

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]
