"""The daily nudge message, its buttons (Done / Snooze / Skip, and the back-off question) and
/admin.

Callback data: "nd:<delivery id>:<action>", e.g. "nd:812:d". Old or foreign data is answered
("That button has expired.") and never raises.
"""

from __future__ import annotations

import contextlib
import html
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.coach.nudge_choice import HABIT_ACTIVITY
from bot.coach.schedule import QuietHours, SnoozeChoice, local_date, snooze_until
from bot.coach.timezones import zone_info
from bot.content import ContentPack
from bot.content.models import localize
from bot.db.logs import LogRepository
from bot.db.nudges import NUDGE_KINDS, ZONE_RESET, Delivery, NudgeRepository
from bot.services import Services
from bot.telegram.context import CoachContext
from bot.telegram.handlers import basics
from bot.telegram.handlers.logbook import pain_check
from bot.telegram.views.logbook import REPLY_TO_LOG

if TYPE_CHECKING:
    from bot.telegram.context import CoachApplication

PREFIX = "nd:"
# The logging handler claims replies to messages carrying this line (bot.telegram.views.logbook.py).
REPLY_LINE = f"<i>{REPLY_TO_LOG}</i>"
ALREADY_DONE = "Already done ✅"
EXPIRED = "That button has expired."
# Larger ids cannot be ours (BIGINT); refusing them keeps the database driver from overflowing.
_MAX_ID = 2**63 - 1

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
                 lang: str = "en", *, default_zone: str = "UTC"
                 ) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The text and keyboard of one ledger row, or None if its content no longer exists."""
    if kind == ZONE_RESET:
        return basics.zone_reset_text(content_id or "", default_zone), None
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
    if len(parts) != 2 or not parts[0].isascii() or not parts[0].isdigit():
        return None
    delivery_id = int(parts[0])
    return (delivery_id, parts[1]) if delivery_id <= _MAX_ID else None


# What each answer to "Still want these?" stores on the ledger row, and says.
_BACKOFF_ANSWERS = {
    "keep": ("keep", "Daily it is", "👍 Great, I'll keep nudging you every day."),
    "eod": ("every_other_day", "Every other day", "👍 Every other day it is."),
    "pause": ("paused", "Paused", "⏸ Nudges paused. Send /resume whenever you want them back."),
}


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

    logged = False
    if action == "d":
        answer, note = await _done(services, repo, delivery, user.id, message_id, now, zone)
        logged = note is not None
    elif action in _SNOOZES:
        answer, note = await _snooze(services, repo, delivery, user.id, _SNOOZES[action], now,
                                     zone)
    elif action == "sk" and delivery.kind in NUDGE_KINDS:
        if delivery.response == "skipped":
            answer, note = "Skipped", None  # a second tap: already said
        else:
            ok = await repo.record_response(delivery.id, user.id, "skipped", now)
            answer, note = ("Skipped", "⏭ Skipped for today. See you tomorrow.") if ok \
                else (ALREADY_DONE, None)
    elif action in _BACKOFF_ANSWERS and delivery.kind == "backoff_ask":
        response, answer, text = _BACKOFF_ANSWERS[action]
        note = None if delivery.response == response else text  # a second tap changes nothing
        if note is not None:
            await _apply_backoff_answer(repo, user.id, action, now, zone)
            await repo.record_response(delivery.id, user.id, response, now)
    else:
        await query.answer(EXPIRED)
        return
    await query.answer(answer)
    if note is not None and message is not None:
        # The buttons go away so the same choice cannot be made twice from this message.
        original = getattr(message, "text_html", None) or ""
        with contextlib.suppress(BadRequest):  # too old to edit, or edited already: harmless
            await query.edit_message_text(f"{original}\n\n{note}".strip(), reply_markup=None)
    if logged:
        log = await LogRepository(services.db).by_message(user.id, message_id)
        if log is not None:
            await pain_check(update, context, log)


async def _apply_backoff_answer(repo: NudgeRepository, user_id: int, action: str,
                                now: datetime, zone: str) -> None:
    if action == "keep":
        await repo.set_cadence(user_id, None)
    elif action == "eod":
        await repo.set_cadence(user_id, local_date(now, zone))
    else:
        await repo.pause_nudges(user_id)


async def _done(services: Services, repo: NudgeRepository, delivery: Delivery, user_id: int,
                message_id: int, now: datetime, zone: str) -> tuple[str, str | None]:
    if delivery.response == "done" or delivery.kind not in NUDGE_KINDS:
        return ALREADY_DONE if delivery.response == "done" else EXPIRED, None
    pack = services.content
    activity_id, session_id, minutes = "balance_agility", None, None
    if delivery.kind == "session" and delivery.content_id in pack.sessions:
        session = pack.sessions[delivery.content_id]
        activity_id, session_id, minutes = session.activity, session.id, float(session.minutes)
    elif delivery.content_id in pack.nudges:
        nudge = pack.nudges[delivery.content_id]
        activity_id = HABIT_ACTIVITY.get(nudge.kind, "balance_agility")
        minutes = round(nudge.seconds / 60, 1)
    # The nudge's own local date: Done on yesterday's nudge logs yesterday's session, and
    # leaves today's nudge alone.
    result = await repo.record_done(delivery.id, user_id, message_id, now,
                                    delivery.local_date, activity_id, session_id, minutes)
    if result != "done":
        return ALREADY_DONE, None
    when = "today" if delivery.local_date == local_date(now, zone) else \
        f"{delivery.local_date:%A %-d %B}"
    return "Nice one! Logged ✅", f"✅ Done — logged for {when}. Nice one!"


async def _snooze(services: Services, repo: NudgeRepository, delivery: Delivery, user_id: int,
                  choice: SnoozeChoice, now: datetime, zone: str) -> tuple[str, str | None]:
    if delivery.response == "done":
        return ALREADY_DONE, None
    settings = services.settings
    record = await services.users.get(user_id)
    quiet = QuietHours((record.quiet_start if record else None) or settings.quiet_hours_start,
                       (record.quiet_end if record else None) or settings.quiet_hours_end)
    today = local_date(now, zone)
    if delivery.local_date != today:
        return "This nudge was for an earlier day. Today's comes as usual.", None
    until = snooze_until(now, zone, choice, quiet)
    if local_date(until, zone) != delivery.local_date:
        # It would come back tomorrow, next to tomorrow's own nudge: two in one morning. So the
        # snooze stops at the end of the day; the buttons stay for a Done later tonight.
        why = (f"Your quiet hours start at {quiet.start:%H:%M}, so that's"
               if quiet.start != quiet.end else "That's")
        return f"{why} too late for a reminder today. Tap ✅ Done if you do it.", None
    if not await repo.record_snooze(delivery.id, user_id, until, now):
        return "This one can't be snoozed any more.", None
    when = f"{until.astimezone(zone_info(zone)):%H:%M}"
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
    # An edited old message is not a new command (bot/app.py, edits).
    application.add_handler(CommandHandler("admin", admin, filters=filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
