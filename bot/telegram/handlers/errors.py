"""The one error handler: log with context, apologise briefly, never leak a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError

from bot.telegram.context import CoachContext

log = logging.getLogger("bot.errors")

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: CoachContext) -> None:
    error = context.error
    if isinstance(update, Update):
        user_id = update.effective_user.id if update.effective_user else None
        log.error("Error handling update %s from user %s", update.update_id, user_id,
                  exc_info=error)
    else:
        log.error("Error outside an update", exc_info=error)
    if not isinstance(update, Update) or isinstance(error, Forbidden | NetworkError):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(APOLOGY, show_alert=False)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(APOLOGY)
    except Exception:  # the apology itself failing must not recurse into this handler
        log.warning("Could not send the apology", exc_info=True)
