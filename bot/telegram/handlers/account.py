"""Pausing, stopping, privacy, export and deletion, and noticing when a user blocks the bot."""

from __future__ import annotations

from telegram import ChatMember, Message, Update

from bot.actions import account
from bot.actions.actor import Actor
from bot.coach.pausing import pause_days
from bot.telegram.context import CoachContext
from bot.telegram.handlers.basics import EXPIRED_BUTTON, not_onboarded_text
from bot.telegram.views import account as views
from bot.telegram.views.callbacks import decode
from bot.telegram.views.edits import quiet_edit


async def _onboarded(update: Update, context: CoachContext) -> Actor | None:
    actor = context.actor
    if actor is None or not actor.user.onboarded:
        assert update.effective_message is not None
        await update.effective_message.reply_text(not_onboarded_text(context))
        return None
    return actor


async def pause_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = await _onboarded(update, context)
    if actor is None:
        return
    args = context.args or []
    days = pause_days(args[0] if args else None)
    if days is None:
        await message.reply_text(views.PAUSE_USAGE)
        return
    paused = await account.pause(context.services, actor, days)
    await message.reply_text(views.paused_text(paused.days))


async def resume_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = await _onboarded(update, context)
    if actor is None:
        return
    resumed = await account.resume(context.services, actor)
    await message.reply_text(views.resumed_text(resumed.next_nudge_at is not None))


async def stop_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = await _onboarded(update, context)
    if actor is None:
        return
    await account.stop(context.services, actor)
    await message.reply_text(views.STOPPED)


async def privacy_command(update: Update, context: CoachContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(views.PRIVACY_TEXT)


async def export_command(update: Update, context: CoachContext) -> None:
    message, actor = update.effective_message, context.actor
    assert message is not None and actor is not None
    exported = await account.export(context.services, actor)
    await message.reply_document(exported.data_json, filename="crosscoach-data.json",
                                 caption=views.EXPORT_DATA_CAPTION)
    await message.reply_document(exported.logs_csv, filename="crosscoach-logs.csv",
                                 caption=views.EXPORT_LOGS_CAPTION)


async def delete_command(update: Update, context: CoachContext) -> None:
    message, actor = update.effective_message, context.actor
    assert message is not None and actor is not None
    asked = await message.reply_text(views.DELETE_QUESTION, reply_markup=views.delete_keyboard())
    await account.delete_asked(context.services, actor, asked.message_id)


async def on_delete_button(update: Update, context: CoachContext) -> None:
    query, actor = update.callback_query, context.actor
    assert query is not None and actor is not None
    tap = decode(query.data, views.PREFIX)
    if tap is None:
        await query.answer(EXPIRED_BUTTON)
        return
    if not isinstance(query.message, Message):
        await query.answer()
        return
    outcome = await account.answer_delete(context.services, actor,
                                          confirm=tap.button == views.DELETE,
                                          tapped_message_id=query.message.message_id)
    if outcome == "expired":
        await query.answer(views.DELETE_EXPIRED_TOAST)
        await quiet_edit(query.message, views.DELETE_EXPIRED)
        return
    await query.answer()
    await quiet_edit(query.message, views.DELETED if outcome == "deleted" else views.KEPT)


async def on_member_change(update: Update, context: CoachContext) -> None:
    """Telegram tells us when a user blocks (kicked) or unblocks (member) the bot."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private" or context.actor is None:
        return
    status = change.new_chat_member.status
    if status in (ChatMember.BANNED, ChatMember.MEMBER):
        await account.blocked_or_unblocked(context.services, context.actor,
                                           blocked=status == ChatMember.BANNED)
