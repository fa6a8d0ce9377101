"""The daily nudge message, its buttons (Done / Snooze / Skip, and the back-off question) and
/admin.

Callback data: "nd:<delivery id>:<action>", e.g. "nd:812:d". Old or foreign data is answered
("That button has expired.") and never raises.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.coach.schedule import QuietHours, SnoozeChoice, local_date, snooze_until
from bot.coach.timezones import zone_info
from bot.content import ContentPack
from bot.content.models import localize
from bot.db.nudges import Delivery, NudgeRepository
from bot.services import Services
from bot.telegram.context import CoachContext
from bot.telegram.handlers import basics

if TYPE_CHECKING:
    from bot.app import CoachApplication

PREFIX = "nd:"
REPLY_LINE = "<i>Reply to this message to log what you did.</i>"
ALREADY_DONE = "Already done ✅"
EXPIRED = "That button has expired."

# Habit kind -> the activity a "Done" is logged as (content/activities.yaml ids).
HABIT_ACTIVITY = {
    "balance": "balance_agility",
    "agility": "balance_agility",
    "coordination": "balance_agility",
    "strength": "strength",
    "mobility": "mobility",
}
_ANCHOR_EMOJI = {
    "brushing_teeth": "🪥", "kettle": "🫖", "washing_up": "🍽", "commute": "🚌", "play": "🧒",
    "desk": "💻", "tv_adverts": "📺", "stairs": "🪜", "shower": "🚿", "bedtime": "🛏",
    "waking_up": "⏰", "shopping": "🛒", "laundry": "🧺", "microwave": "⏲",
}
_ANCHOR_LABEL = {"tv_adverts": "TV adverts"}
_SNOOZES: dict[str, SnoozeChoice] = {"s30": "30m", "s2h": "2h", "sev": "evening"}

Action = Literal["d", "s30", "s2h", "sev", "sk", "keep", "eod", "pause"]


# -- rendering (also used by the sender) ---------------------------------------------------------

def nudge_keyboard(delivery_id: int) -> InlineKeyboardMarkup:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"{PREFIX}{delivery_id}:{action}")

    return InlineKeyboardMarkup([
        [button("✅ Done", "d")],
        [button("⏰ 30 min", "s30"), button("⏰ 2 h", "s2h"), button("⏰ This evening", "sev")],
        [button("⏭ Skip today", "sk")],
    ])


def backoff_keyboard(delivery_id: int) -> InlineKeyboardMarkup:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"{PREFIX}{delivery_id}:{action}")

    return InlineKeyboardMarkup([
        [button("Yes, keep them", "keep")],
        [button("Every other day is fine", "eod")],
        [button("Pause nudges", "pause")],
    ])


def render_nudge(pack: ContentPack, delivery_id: int, kind: str, content_id: str | None,
                 lang: str = "en") -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The text and keyboard of one ledger row, or None if its content no longer exists."""
    if kind == "backoff_ask":
        text = ("<b>Still want these?</b>\n"
                "You haven't answered the last few nudges, so from now on I'll send them every "
                "other day. Tell me what suits you.")
        return text, backoff_keyboard(delivery_id)
    if kind == "backoff_pause":
        text = ("I've paused your daily nudges for now, since they didn't seem to fit your "
                "days.\nSend /resume whenever you want them back.")
        return text, None
    if kind == "session":
        session = pack.sessions.get(content_id or "")
        if session is None:
            return None
        title = html.escape(localize(session.title, lang))
        lines = [f"🗓 <b>Today's session: {title}</b> · {session.minutes} min"]
        if session.stop_rule is not None:
            lines.append(f"⚠️ {html.escape(localize(session.stop_rule, lang))}")
        lines += ["Tap ✅ when it's done.", "", REPLY_LINE]
        return "\n".join(lines), nudge_keyboard(delivery_id)
    nudge = pack.nudges.get(content_id or "")
    if nudge is None:
        return None
    emoji = _ANCHOR_EMOJI.get(nudge.anchor, "✨")
    anchor = html.escape(_ANCHOR_LABEL.get(nudge.anchor)
                         or nudge.anchor.replace("_", " ").capitalize())
    seconds = (f"{nudge.seconds // 60} min" if nudge.seconds % 60 == 0
               else f"{nudge.seconds} s")
    lines = [f"{emoji} <b>{anchor}</b> · {seconds} of {html.escape(nudge.kind)}",
             html.escape(localize(nudge.text, lang))]
    if nudge.safety_note is not None:
        lines.append(f"⚠️ {html.escape(localize(nudge.safety_note, lang))}")
    lines += ["", REPLY_LINE]
    return "\n".join(lines), nudge_keyboard(delivery_id)


def nudge_repository(services: Services) -> NudgeRepository:
    settings = services.settings
    return NudgeRepository(
        services.db, default_timezone=settings.default_timezone,
        default_quiet=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end))


# -- buttons -------------------------------------------------------------------------------------

def parse_callback(data: str | None) -> tuple[int, str] | None:
    if not data or not data.startswith(PREFIX):
        return None
    parts = data[len(PREFIX):].split(":")
    if len(parts) != 2 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1]


async def on_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    parsed = parse_callback(query.data)
    user = update.effective_user
    if parsed is None or user is None:
        await query.answer(EXPIRED)
        return
    delivery_id, action = parsed
    services = context.services
    repo = nudge_repository(services)
    delivery = await repo.get(delivery_id)
    if delivery is None or delivery.user_id != user.id:
        await query.answer(EXPIRED)
        return
    now = services.clock.now()
    record = context.user_record
    zone = (record.timezone if record else None) or services.settings.default_timezone
    message = query.message
    message_id = message.message_id if message is not None else 0

    if action == "d":
        answer, note = await _done(services, repo, delivery, user.id, message_id, now, zone)
    elif action in _SNOOZES:
        answer, note = await _snooze(services, repo, delivery, user.id, _SNOOZES[action], now,
                                     zone)
    elif action == "sk":
        ok = await repo.record_response(delivery.id, user.id, "skipped", now)
        answer, note = ("Skipped", "⏭ Skipped for today. See you tomorrow.") if ok \
            else (ALREADY_DONE, None)
    elif action == "keep":
        await repo.set_cadence(user.id, None)
        await repo.record_response(delivery.id, user.id, "keep", now)
        answer, note = "Daily it is", "👍 Great, I'll keep nudging you every day."
    elif action == "eod":
        await repo.set_cadence(user.id, local_date(now, zone))
        await repo.record_response(delivery.id, user.id, "every_other_day", now)
        answer, note = "Every other day", "👍 Every other day it is."
    elif action == "pause":
        await repo.pause_nudges(user.id)
        await repo.record_response(delivery.id, user.id, "paused", now)
        answer, note = "Paused", "⏸ Nudges paused. Send /resume whenever you want them back."
    else:
        await query.answer(EXPIRED)
        return
    await query.answer(answer)
    if note is not None and message is not None:
        # The buttons go away so the same choice cannot be made twice from this message.
        original = getattr(message, "text_html", None) or ""
        await query.edit_message_text(f"{original}\n\n{note}".strip(), reply_markup=None)


async def _done(services: Services, repo: NudgeRepository, delivery: Delivery, user_id: int,
                message_id: int, now: datetime, zone: str) -> tuple[str, str | None]:
    if delivery.response == "done":
        return ALREADY_DONE, None
    pack = services.content
    activity_id, session_id, minutes = "balance_agility", None, None
    if delivery.kind == "session" and delivery.content_id in pack.sessions:
        session = pack.sessions[delivery.content_id]
        activity_id, session_id, minutes = session.activity, session.id, float(session.minutes)
    elif delivery.content_id in pack.nudges:
        nudge = pack.nudges[delivery.content_id]
        activity_id = HABIT_ACTIVITY.get(nudge.kind, "balance_agility")
        minutes = round(nudge.seconds / 60, 1)
    result = await repo.record_done(delivery.id, user_id, message_id, now,
                                    local_date(now, zone), activity_id, session_id, minutes)
    if result != "done":
        return ALREADY_DONE, None
    return "Nice one! Logged ✅", "✅ Done — logged for today. Nice one!"


async def _snooze(services: Services, repo: NudgeRepository, delivery: Delivery, user_id: int,
                  choice: SnoozeChoice, now: datetime, zone: str) -> tuple[str, str | None]:
    if delivery.response == "done":
        return ALREADY_DONE, None
    settings = services.settings
    record = await services.users.get(user_id)
    quiet = QuietHours((record.quiet_start if record else None) or settings.quiet_hours_start,
                       (record.quiet_end if record else None) or settings.quiet_hours_end)
    until = snooze_until(now, zone, choice, quiet)
    if not await repo.record_snooze(delivery.id, user_id, until, now):
        return "This one can't be snoozed any more.", None
    local = until.astimezone(zone_info(zone))
    day = "" if local.date() == local_date(now, zone) else " tomorrow"
    when = f"{local:%H:%M}{day}"
    return f"Snoozed until {when}", f"⏰ Snoozed until {when}."


# -- /admin --------------------------------------------------------------------------------------

async def admin(update: Update, context: CoachContext) -> None:
    user = update.effective_user
    message = update.effective_message
    assert message is not None
    if user is None or user.id not in context.services.settings.admin_ids:
        # Non-admins must not learn the command exists.
        await basics.unknown_command(update, context)
        return
    counts = await nudge_repository(context.services).admin_counts(context.services.clock.now())
    failures = ", ".join(f"{kind} {n}" for kind, n in counts.failures.items())
    await message.reply_text(
        "<b>Admin</b>\n"
        f"Users: {counts.users}\n"
        f"Active users: {counts.active_users}\n"
        f"Nudges sent today (UTC): {counts.sent_today}\n"
        f"Failures today: {failures}"
    )


def register(application: CoachApplication) -> None:
    """Add the nudge buttons and /admin (group 0, before the fallbacks)."""
    application.add_handler(CommandHandler("admin", admin))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
