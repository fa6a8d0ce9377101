"""Pausing, stopping, privacy, export and deletion, and noticing when a user blocks the bot."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from datetime import datetime, timedelta

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.coach.nudge_timing import upcoming_nudge
from bot.coach.schedule import QuietHours
from bot.db.privacy import PrivacyRepository
from bot.db.users import UserRecord, UserSettingsRepository
from bot.telegram.context import CoachContext
from bot.telegram.handlers.basics import not_onboarded_text

DEFAULT_PAUSE_DAYS = 7
MAX_PAUSE_DAYS = 90
# How long the "Yes, delete everything" button of the latest /delete question works.
DELETE_CONFIRM_WINDOW = timedelta(minutes=5)
DELETE_EXPIRED = ("That question has expired, so nothing was deleted. Send /delete again if you "
                  "still want to delete everything.")

PRIVACY_TEXT = (
    "<b>What I store and why</b>\n"
    "• Your Telegram id, first name and language, to talk to you.\n"
    "• Your answers: injury, pain, equipment, time and nudge schedule, to pick safe sessions "
    "and send nudges at your local time.\n"
    "• The sessions you log and how nudges went, to show your progress and adapt suggestions.\n"
    "• Where you are in a conversation, so it survives restarts.\n\n"
    "Nothing is shared or sold. /export sends you all of it; /delete removes all of it.\n"
    "This is general guidance, not medical advice."
)


def _next_due(context: CoachContext, record: UserRecord,
              paused_until: datetime | None = None) -> datetime | None:
    settings = context.services.settings
    return upcoming_nudge(
        context.services.clock.now(), record.timezone or settings.default_timezone,
        record.nudge_time, paused_until=paused_until, quiet_start=record.quiet_start,
        quiet_end=record.quiet_end,
        default_quiet=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end),
        every_other_day_from=record.every_other_day_from)


async def _onboarded(update: Update, context: CoachContext) -> UserRecord | None:
    record = context.user_record
    if record is None or not record.onboarded:
        assert update.effective_message is not None
        await update.effective_message.reply_text(not_onboarded_text(context))
        return None
    return record


async def pause_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    record = await _onboarded(update, context)
    if record is None:
        return
    args = context.args or []
    days = DEFAULT_PAUSE_DAYS
    if args:
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if not args[0].isdecimal() or not 1 <= int(args[0]) <= MAX_PAUSE_DAYS:
            await message.reply_text(f"Use /pause or /pause DAYS, with 1 to {MAX_PAUSE_DAYS} days.")
            return
        days = int(args[0])
    now = context.services.clock.now()
    until = now + timedelta(days=days)
    due = _next_due(context, record, paused_until=until)
    await UserSettingsRepository(context.services.db).update_schedule(
        record.id, status="active", paused_from=now, paused_until=until, next_nudge_at=due)
    await message.reply_text(f"Paused for {days} day{'s' if days > 1 else ''}. Your streak is "
                             "frozen, not lost. Send /resume to come back sooner.")


async def resume_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    record = await _onboarded(update, context)
    if record is None:
        return
    # Resuming starts the cadence afresh (daily), so plan without the old every-other-day.
    due = _next_due(context, replace(record, every_other_day_from=None))
    now = context.services.clock.now()
    # A pause ended early still happened: keep its end, so the streak stays frozen over it.
    ended = min(record.paused_until, now) if record.paused_until else None
    await UserSettingsRepository(context.services.db).update_schedule(
        record.id, status="active", paused_until=ended, next_nudge_at=due, reset_backoff=True)
    text = "Welcome back! Nudges are on again." if due else "Welcome back!"
    await message.reply_text(text + " Send /settings to change when they come.")


async def stop_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    record = await _onboarded(update, context)
    if record is None:
        return
    await UserSettingsRepository(context.services.db).update_schedule(
        record.id, status="stopped", paused_until=None, next_nudge_at=None)
    await message.reply_text("Done: no more nudges. Your data is kept, and you can still log "
                             "sessions. Send /resume to turn nudges back on, or /delete to "
                             "remove everything.")


async def privacy_command(update: Update, context: CoachContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(PRIVACY_TEXT)


async def export_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    repo = PrivacyRepository(context.services.db)
    data = await repo.export(user.id)
    payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
    await message.reply_document(payload, filename="crosscoach-data.json",
                                 caption="Everything I store about you.")
    await message.reply_document((await repo.logs_csv(user.id)).encode(),
                                 filename="crosscoach-logs.csv", caption="Your logged sessions.")


async def delete_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    asked = await message.reply_text(
        "This deletes your profile, logs, nudges and everything else I store about you. "
        "It can't be undone. Are you sure?",
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton("🗑 Yes, delete everything", callback_data="acct:delete"),
            InlineKeyboardButton("Keep my data", callback_data="acct:keep")]]))
    # Only this question's button deletes, and only for DELETE_CONFIRM_WINDOW.
    await context.services.users.ask_delete(user.id, asked.message_id,
                                            context.services.clock.now())


def delete_confirmed(record: UserRecord | None, tapped_message_id: int, now: datetime,
                     window: timedelta = DELETE_CONFIRM_WINDOW) -> bool:
    """True when a tap on "Yes, delete everything" counts: it is on the latest /delete
    question, asked less than `window` ago."""
    return (record is not None and record.delete_asked_message_id == tapped_message_id
            and record.delete_asked_at is not None
            and timedelta(0) <= now - record.delete_asked_at <= window)


async def on_delete_button(update: Update, context: CoachContext) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    if not isinstance(query.message, Message):
        await query.answer()
        return
    services = context.services
    if query.data == "acct:keep":
        await query.answer()
        await services.users.forget_delete_question(user.id)
        with contextlib.suppress(BadRequest):  # a second tap: the message already says so
            await query.message.edit_text("Kept. Nothing was deleted.")
        return
    if not delete_confirmed(context.user_record, query.message.message_id, services.clock.now()):
        await query.answer("That question has expired.")
        with contextlib.suppress(BadRequest):
            await query.message.edit_text(DELETE_EXPIRED)
        return
    await query.answer()
    await PrivacyRepository(services.db).delete_everything(user.id)
    with contextlib.suppress(BadRequest):
        await query.message.edit_text("All your data is deleted. If you ever want to start "
                                      "again, send /start.")


async def on_member_change(update: Update, context: CoachContext) -> None:
    """Telegram tells us when a user blocks (kicked) or unblocks (member) the bot."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    repo = UserSettingsRepository(context.services.db)
    record = context.user_record
    if record is None:
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        # Someone who sent /stop stays stopped: unblocking later must not restart nudges.
        if record.status != "stopped":
            await repo.update_schedule(record.id, status="blocked",
                                       paused_until=record.paused_until, next_nudge_at=None)
        return
    if change.new_chat_member.status == ChatMember.MEMBER and record.status == "blocked":
        await repo.update_schedule(record.id, status="active", paused_until=record.paused_until,
                                   next_nudge_at=_next_due(
                                       context, replace(record, every_other_day_from=None)),
                                   reset_backoff=True)
