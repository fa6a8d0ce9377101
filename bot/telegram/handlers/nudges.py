"""The daily nudge's buttons (Done / Snooze / Skip, and the back-off question) and /admin.

Taps are read through the codec (bot/telegram/views/nudges.py: "nd:<delivery id>:<answer>");
old or foreign data is answered ("That button has expired.") and never raises. Each answer is
one action (bot/actions/nudges.py), one transaction.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest

from bot.actions import nudges as actions
from bot.actions.nudges import NudgeTap
from bot.coach.timezones import zone_info
from bot.telegram.context import CoachContext
from bot.telegram.handlers import basics
from bot.telegram.handlers.logbook import send_pain_follow_up
from bot.telegram.views import nudges as views
from bot.telegram.views.callbacks import decode


async def on_button(update: Update, context: CoachContext) -> None:
    query, actor = update.callback_query, context.actor
    assert query is not None
    tap = decode(query.data, views.PREFIX)
    if tap is None or actor is None:
        await query.answer(views.EXPIRED)
        return
    message = query.message
    result = await actions.answer(context.services, actor, delivery_id=tap.int(0),
                                  action=tap.str(1),
                                  message_id=message.message_id if message is not None else 0)
    answer, note = _texts(result, actor.zone(context.services))
    await query.answer(answer)
    if result.answered and message is not None:
        # The buttons go away so the same choice cannot be made twice from this message.
        original = getattr(message, "text_html", None) or ""
        with contextlib.suppress(BadRequest):  # too old to edit, or edited already: harmless
            await query.edit_message_text(f"{original}\n\n{note}".strip(), reply_markup=None)
    if result.outcome == "done" and result.log is not None and update.effective_chat:
        await send_pain_follow_up(context, update.effective_chat.id, result.log.id, result.pain)


def _texts(result: NudgeTap, zone: str) -> tuple[str, str]:
    """(the tap's answer, the note added to the message when the buttons go)."""
    outcome = result.outcome
    if outcome == "done":
        day = result.log.performed_on if result.log is not None else result.today
        when = "today" if day == result.today or day is None else f"{day:%A %-d %B}"
        return views.DONE_ANSWER, views.done_note(when)
    if outcome == "already_done":
        return views.ALREADY_DONE, ""
    if outcome in ("skipped", "skipped_again"):
        return views.SKIPPED, views.SKIPPED_NOTE
    if outcome == "snoozed" and result.until is not None:
        return views.snoozed(f"{result.until.astimezone(zone_info(zone)):%H:%M}")
    if outcome == "earlier_day":
        return views.EARLIER_DAY, ""
    if outcome == "too_late":
        quiet = result.quiet
        start = f"{quiet.start:%H:%M}" if quiet is not None and quiet.start != quiet.end \
            else None
        return views.too_late_to_snooze(start), ""
    if outcome == "cannot_snooze":
        return views.CANNOT_SNOOZE, ""
    if outcome in ("backoff", "backoff_again") and result.response in views.BACKOFF_TEXTS:
        return views.BACKOFF_TEXTS[result.response]
    return views.EXPIRED, ""


# -- /admin --------------------------------------------------------------------------------------

async def admin(update: Update, context: CoachContext) -> None:
    user = update.effective_user
    message = update.effective_message
    assert message is not None
    if user is None or user.id not in context.services.settings.admin_ids:
        # Non-admins must not learn the command exists.
        await basics.unknown_command(update, context)
        return
    # The counts include the admin: their own first message is written before they are read.
    await basics.settle_presence(update, context)
    counts = await context.services.nudges.admin_counts(context.services.clock.now())
    failures = ", ".join(f"{kind} {n}" for kind, n in counts.failures.items())
    await message.reply_text(
        "<b>Admin</b>\n"
        f"Users: {counts.users}\n"
        f"Active users: {counts.active_users}\n"
        f"Nudges sent today (UTC): {counts.sent_today}\n"
        f"Failures today: {failures}"
    )
