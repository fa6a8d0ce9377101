"""Editing messages the bot sent earlier, quietly only where quiet is right."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest

log = logging.getLogger(__name__)

# The two answers that mean "nothing to do": a second tap edits a message into what it already
# says, and an old message may be gone or too old to edit. Any other BadRequest (bad HTML, a
# text over the limit) is a bug and must surface.
_HARMLESS = ("message is not modified", "message to edit not found",
             "message can't be edited")


def is_harmless(error: BadRequest) -> bool:
    text = str(error).lower()
    return any(reason in text for reason in _HARMLESS)


async def quiet_edit(message: Message | Any, text: str,
                     markup: InlineKeyboardMarkup | None = None) -> bool:
    """Edit `message` (a tapped message may be inaccessible: then nothing). True if edited."""
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if not is_harmless(error):
            raise
        return False
    return True


async def quiet_edit_markup(message: Message | Any,
                            markup: InlineKeyboardMarkup | None = None) -> bool:
    """Replace (or remove) only the keyboard of `message`."""
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except BadRequest as error:
        if not is_harmless(error):
            raise
        return False
    return True


async def quiet_edit_by_id(bot: Any, chat_id: int, message_id: int, text: str | None = None,
                           markup: InlineKeyboardMarkup | None = None) -> bool:
    """The same for a message known only by its id."""
    try:
        if text is None:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)
        else:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                        reply_markup=markup)
    except BadRequest as error:
        if not is_harmless(error):
            raise
        return False
    return True
