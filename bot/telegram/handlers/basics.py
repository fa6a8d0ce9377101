"""/start, /help and the replies to everything the bot does not understand."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.actions.actor import Actor, settle
from bot.coach.nudge_timing import upcoming_nudge
from bot.coach.timezones import is_valid_zone
from bot.db.users import Reachable, UserRecord
from bot.telegram.context import CoachContext
from bot.telegram.views import basics as views

# Re-exported for the handler modules that still import them from here.
from bot.telegram.views.basics import EXPIRED_BUTTON, zone_reset_text

__all__ = ["EXPIRED_BUTTON", "not_onboarded_text", "zone_reset_text"]

log = logging.getLogger("bot.gates")

# The one command an edit may change: editing a log message (or /log) corrects the log.
_LOG_COMMAND = re.compile(r"^/log(?:@\w+)?(?:\s|$)", re.IGNORECASE)


def not_onboarded_text(context: CoachContext) -> str:
    """What to tell someone who asks for coaching before their profile exists."""
    return views.not_onboarded_text(context.conversation)


async def edits_are_not_commands(update: Update, context: CoachContext) -> None:
    """Gate for edited commands: editing an old "/pause 3" into "/stop" must not stop the
    nudges. An edit changes what a message said; only a log (and /log) follows its edits."""
    text = update.edited_message.text if update.edited_message is not None else None
    if not text or not text.startswith("/") or _LOG_COMMAND.match(text):
        return
    raise ApplicationHandlerStop


async def private_chats_only(update: Update, context: CoachContext) -> None:
    """Gate: the coach talks one-to-one. In a group it asks to be written to privately.

    Nothing from a group ever reaches a later handler, whatever happens to that reply: a
    failed reply (429, 403, a timeout) must not let the update through to `remember_user`,
    which would make the group the user's chat for /export and every nudge."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.effective_message
    try:
        if message is not None and message.text and update.message is not None:
            username = context.bot.username
            await message.reply_text(views.GROUP_CHAT.format(username=username))
    except Exception as exc:
        log.warning("Could not answer in group chat %s (%s)", chat.id, type(exc).__name__)
    raise ApplicationHandlerStop


async def remember_user(update: Update, context: CoachContext) -> None:
    """Gate: every update from a person refreshes their row (and resets ignored nudges).

    Only a new message creates a row: after /delete, blocking the bot or tapping an old button
    must not bring the user's name, language and chat back. Anything else from someone we do
    not know stops here (an old button is answered as expired)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot or chat.type != ChatType.PRIVATE:
        return
    services = context.services
    now = services.clock.now()
    record, is_new, conversation, presence = await services.users.look_up(
        user.id, chat.id, user.first_name or "", user.language_code, now,
        create=update.message is not None,
    )
    if record is None:
        if update.callback_query is not None:
            await update.callback_query.answer(views.UNKNOWN_TAP)
        raise ApplicationHandlerStop
    if record.timezone is not None and not is_valid_zone(record.timezone):
        record = await _replace_unusable_zone(update, context, record)
    if record.status == "blocked" and (update.message is not None
                                       or update.callback_query is not None):
        # A nudge once failed with 403 or "chat not found", but here they are: reachable.
        # Written with the update's action, like the rest of the presence.
        due = _next_due(context, record)
        presence.reachable_again = Reachable(due)
        record = replace(record, status="active", next_nudge_at=due, ignored_nudges=0,
                         every_other_day_from=None)
    context.actor = Actor(record, conversation, presence, is_new)


async def settle_presence(update: Update, context: CoachContext) -> None:
    """Last group: write what the gate learnt about the user when no action did."""
    await settle(context.services, context.actor)


async def _replace_unusable_zone(update: Update, context: CoachContext,
                                 record: UserRecord) -> UserRecord:
    """A stored zone the installed tzdata no longer has (e.g. "US/Pacific-New") would make
    every date of this user raise: fall back to DEFAULT_TIMEZONE and tell them, once."""
    default = context.services.settings.default_timezone
    bad = record.timezone or ""
    if await context.services.users.replace_timezone(record.id, bad, default):
        log.warning("User %s had an unusable time zone; using %s instead", record.id, default)
        chat = update.effective_chat
        assert chat is not None
        try:
            await context.bot.send_message(chat.id, views.zone_reset_text(bad, default))
        except Exception as exc:  # the fix stands; the notice is a courtesy
            log.warning("Could not tell user %s about their zone (%s)", record.id,
                        type(exc).__name__)
    return replace(record, timezone=default)


def _next_due(context: CoachContext, record: UserRecord) -> datetime | None:
    services = context.services
    return upcoming_nudge(
        services.clock.now(), record.timezone or services.settings.default_timezone,
        record.nudge_time, paused_until=record.paused_until, quiet_start=record.quiet_start,
        quiet_end=record.quiet_end, default_quiet=services.default_quiet)


async def help_command(update: Update, context: CoachContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(views.help_text())


async def unknown_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(views.unknown_command_text(message.text))


async def not_text(update: Update, context: CoachContext) -> None:
    """Stickers, photos, voice notes and the like."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(views.NOT_TEXT)


async def fallback_text(update: Update, context: CoachContext) -> None:
    """Text that no other handler claimed: say what we can do instead of staying silent."""
    message = update.effective_message
    assert message is not None and message.text is not None
    record = context.user_record
    needs_setup = record is not None and not record.onboarded and context.conversation is None
    await message.reply_text(views.fallback_text(message.text, needs_setup=needs_setup))


async def stale_button(update: Update, context: CoachContext) -> None:
    """A tap on a button no handler recognises: an old message, or one from an older version."""
    query = update.callback_query
    assert query is not None
    await query.answer(views.EXPIRED_BUTTON)
