"""The onboarding conversation, /settings and /injury: thin glue around bot.coach.onboarding.

State lives in the conversation_states table, so a restart, or another worker, continues the
conversation at the same step. A tap on a keyboard that is not the current question's is stale.
"""

from __future__ import annotations

import contextlib
import html
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.coach.nudge_timing import upcoming_nudge
from bot.coach.onboarding import (
    ONBOARDING_STEPS,
    SECTIONS,
    Draft,
    Step,
    answer,
    completion_heading,
    format_quiet,
    injury_outlook,
    next_step,
    previous_step,
)
from bot.coach.schedule import QuietHours, local_date
from bot.db.conversations import Conversation, ConversationRepository
from bot.db.users import UserSettingsRepository
from bot.telegram.context import CoachContext
from bot.telegram.handlers.basics import not_onboarded_text
from bot.telegram.handlers.coaching import week_command
from bot.telegram.handlers.logbook import stats_command
from bot.telegram.views.onboarding import prompt, settings_keyboard, summary_text

FLOWS = ("onboarding", "settings", "injury")
STALE = "That question has passed. Please answer the latest one."


def main_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("💡 Suggest a session", callback_data="sg:menu"),
         InlineKeyboardButton("🔁 Replace a run", callback_data="sg:convert")],
        [InlineKeyboardButton("📅 My week", callback_data="mn:week"),
         InlineKeyboardButton("📈 My progress", callback_data="mn:stats")],
    ])


async def on_menu_button(update: Update, context: CoachContext) -> None:
    """The main menu's shortcuts to /week and /stats: the same handlers, one tap away."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if query.data == "mn:week":
        await week_command(update, context)
    else:
        await stats_command(update, context)


def _steps(conv: Conversation) -> tuple[Step, ...]:
    section = conv.data.get("section")
    if conv.flow == "onboarding":
        return SECTIONS[section] + ("summary",) if section else ONBOARDING_STEPS
    return SECTIONS[section or "injury"]


def _convs(context: CoachContext) -> ConversationRepository:
    return ConversationRepository(context.services.db)


async def _ask(message: Message, context: CoachContext, user_id: int, flow: str, step: Step,
               draft: Draft, extra: dict[str, Any], *, prefix: str = "") -> None:
    """Send the question for `step` and remember its keyboard as the live one."""
    services = context.services
    conv_steps = _steps(Conversation(user_id, flow, step, extra, None))
    with_back = step != "summary" and previous_step(step, draft, conv_steps) is not None
    text, keyboard = prompt(step, draft, services.content,
                            default_zone=services.settings.default_timezone, with_back=with_back)
    sent = await message.get_bot().send_message(message.chat_id, prefix + text,
                                                reply_markup=keyboard)
    await _convs(context).save(user_id, flow, step, {**extra, "draft": draft.to_json()},
                               sent.message_id, services.clock.now())


async def start(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    record = context.user_record
    conv = context.conversation  # read by the user gate along with the user row
    if conv is not None and conv.flow == "onboarding":
        draft = Draft.from_json(conv.data.get("draft", {}))
        await _ask(message, context, user.id, conv.flow, conv.step, draft,  # type: ignore[arg-type]
                   _extra(conv), prefix="Let's pick up where we left off.\n\n")
        return
    if record is not None and record.onboarded:
        await message.reply_text(
            f"Welcome back, {html.escape(user.first_name or 'runner')}! What shall we do?\n"
            "Send /help to see everything I can do.", reply_markup=main_menu())
        return
    await _ask(message, context, user.id, "onboarding", "disclaimer", Draft(), {},
               prefix=f"Hi {html.escape(user.first_name or 'there')}! ")


def _extra(conv: Conversation) -> dict[str, Any]:
    return {k: v for k, v in conv.data.items() if k != "draft"}


async def on_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, step, value = query.data.split(":", 2)
    conv = context.conversation  # read by the user gate along with the user row
    message = query.message
    if (conv is None or conv.flow not in FLOWS or conv.step != step
            or not isinstance(message, Message) or conv.keyboard_message_id != message.message_id):
        await query.answer(STALE)
        return
    await _handle(update, context, conv, value, typed=False, question=message)


async def on_text(update: Update, context: CoachContext) -> None:
    """Gate for typed answers: claims text and locations only while a flow of ours is active."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or update.edited_message is not None:
        return
    # The user gate already read the conversation with the user row: no second query.
    conv = context.conversation
    if conv is None or conv.flow not in FLOWS:
        return
    if message.location is not None:
        if conv.step != "timezone":
            return
        value = f"loc:{message.location.latitude},{message.location.longitude}"
    elif message.text is not None and not message.text.startswith("/"):
        value = message.text
    else:
        return
    await _handle(update, context, conv, value, typed=True, question=None)
    raise ApplicationHandlerStop


async def _close_question(context: CoachContext, chat_id: int, conv: Conversation,
                          question: Message | None, echo: str | None) -> None:
    """Take the keyboard off the answered question, showing the answer under it."""
    if conv.keyboard_message_id is None:
        return
    with contextlib.suppress(BadRequest):  # already edited, or too old to edit: harmless
        if question is not None and echo and question.text_html:
            await context.bot.edit_message_text(
                f"{question.text_html}\n\n<i>→ {html.escape(echo)}</i>", chat_id=chat_id,
                message_id=conv.keyboard_message_id)
        else:
            await context.bot.edit_message_reply_markup(chat_id, conv.keyboard_message_id,
                                                        reply_markup=None)


async def _handle(update: Update, context: CoachContext, conv: Conversation, value: str, *,
                  typed: bool, question: Message | None) -> None:
    services = context.services
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    query = update.callback_query
    step: Step = conv.step  # type: ignore[assignment]
    draft = Draft.from_json(conv.data.get("draft", {}))
    steps = _steps(conv)
    extra = _extra(conv)

    if value == "__back":
        back = previous_step(step, draft, steps)
        if query:
            await query.answer()
        if back is None:
            return
        await _close_question(context, message.chat_id, conv, question, "Back")
        await _ask(message, context, user.id, conv.flow, back, draft, extra)
        return

    if step == "summary" and value.startswith("edit:"):
        section = value.split(":", 1)[1]
        if section not in SECTIONS:
            if query:
                await query.answer(STALE)
            return
        if query:
            await query.answer()
        await _close_question(context, message.chat_id, conv, question, f"Edit {section}")
        await _ask(message, context, user.id, conv.flow, SECTIONS[section][0], draft,
                   {**extra, "section": section})
        return

    outcome = answer(step, value, draft, services.content, typed=typed,
                     today=_today(context, draft))
    if not outcome.accepted:
        if query and outcome.goto is None:
            await query.answer(outcome.error)
            return
        if query:
            await query.answer()
        # Re-ask (or ask the step it sends us to). The draft is kept: a rejected answer may
        # still have recorded something on purpose, such as a warning sign it mentioned.
        await _close_question(context, message.chat_id, conv, None, None)
        await _ask(message, context, user.id, conv.flow, outcome.goto or step, draft, extra,
                   prefix=f"{html.escape(outcome.error or '')}\n\n")
        return
    if query:
        await query.answer()
    if outcome.stay:
        if query and question is not None:
            text, keyboard = prompt(step, draft, services.content,
                                    default_zone=services.settings.default_timezone,
                                    with_back=previous_step(step, draft, steps) is not None)
            await question.edit_text(text, reply_markup=keyboard)
            await _convs(context).save(user.id, conv.flow, step,
                                       {**extra, "draft": draft.to_json()},
                                       conv.keyboard_message_id, services.clock.now())
        else:
            await _close_question(context, message.chat_id, conv, None, None)
            await _ask(message, context, user.id, conv.flow, step, draft, extra,
                       prefix="Got it. Anything else? Tap Done when that's everything.\n\n")
        return

    await _close_question(context, message.chat_id, conv, question, outcome.echo)
    if outcome.notice:
        await message.get_bot().send_message(message.chat_id, html.escape(outcome.notice))

    following = outcome.goto or next_step(step, draft, steps)
    if conv.flow == "onboarding":
        if step == "summary":
            await _complete_onboarding(message, context, user.id, draft)
            return
        if following is not None:
            section_done = extra.get("section") and following == "summary"
            await _ask(message, context, user.id, conv.flow, following, draft,
                       {} if section_done else extra)
        return
    if following is not None:
        await _ask(message, context, user.id, conv.flow, following, draft, extra)
        return
    await _save_section(message, context, user.id, conv.flow, draft, extra.get("section"))


def _zone(context: CoachContext, draft: Draft) -> str:
    record = context.user_record  # read by the gate at the start of this update
    return (draft.timezone or (record.timezone if record else None)
            or context.services.settings.default_timezone)


def _today(context: CoachContext, draft: Draft) -> date:
    """The runner's local date, from the injected clock ("5 days ago" counts from it)."""
    return local_date(context.services.clock.now(), _zone(context, draft))


async def _schedule_for(context: CoachContext, user_id: int, draft: Draft
                        ) -> tuple[Any, str, Any]:
    services = context.services
    settings = services.settings
    record = context.user_record  # read by the gate at the start of this update
    zone = _zone(context, draft)
    nudge_time = draft.local_nudge_time
    quiet = draft.quiet_hours or ((record.quiet_start, record.quiet_end) if record else None)
    due = upcoming_nudge(
        services.clock.now(), zone, nudge_time,
        paused_until=record.paused_until if record else None,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        default_quiet=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end),
        every_other_day_from=record.every_other_day_from if record else None,
    )
    return nudge_time, zone, due


async def _complete_onboarding(message: Message, context: CoachContext, user_id: int,
                               draft: Draft) -> None:
    services = context.services
    nudge_time, zone, due = await _schedule_for(context, user_id, draft)
    today = local_date(services.clock.now(), zone)
    profile = draft.to_profile(user_id, zone, today, services.content)
    await UserSettingsRepository(services.db).complete_onboarding(
        profile, nudge_time, zone, due, services.clock.now())
    lines = [completion_heading(draft, services.content)]
    if due is not None:
        local = due.astimezone(_tz(zone))
        lines.append(f"Your first nudge comes {local:%A} at {local:%H:%M}.")
    lines += injury_outlook(draft, services.content, today)
    lines.append("Tap below, or send /help to see everything I can do.")
    await message.get_bot().send_message(message.chat_id, html.escape("\n".join(lines)),
                                         reply_markup=main_menu())


def _tz(zone: str) -> Any:
    from bot.coach.timezones import zone_info

    return zone_info(zone)


async def _save_section(message: Message, context: CoachContext, user_id: int, flow: str,
                        draft: Draft, section: str | None) -> None:
    """End of a /settings or /injury edit: save just that section and show the result."""
    services = context.services
    now = services.clock.now()
    nudge_time, zone, due = await _schedule_for(context, user_id, draft)
    today = local_date(now, zone)
    before = await services.profiles.get(user_id) if section == "injury" else None
    await services.profiles.save(draft.to_profile(user_id, zone, today, services.content), now)
    await UserSettingsRepository(services.db).update_nudge_settings(
        user_id, nudge_time, zone, due, draft.quiet_hours)
    await _convs(context).clear(user_id)
    heading = "Saved ✅" if flow == "settings" else "Injury updated ✅"
    text = settings_text(draft, context, heading)
    if due is not None:
        local = due.astimezone(_tz(zone))
        text += f"\nNext nudge: {local:%A %H:%M}."
    if section == "injury":
        # The phase never moves silently: say where it stands, changed or not.
        outlook = injury_outlook(draft, services.content, today,
                                 old_phase=before.phase if before else None)
        if outlook:
            text += "\n\n" + html.escape("\n".join(outlook))
    await message.get_bot().send_message(message.chat_id, text, reply_markup=settings_keyboard())


async def _draft_or_ask_to_start(message: Message, context: CoachContext, user_id: int
                                 ) -> Draft | None:
    draft = await _current_draft(context, user_id)
    if draft is None:
        await message.reply_text(not_onboarded_text(context))
    return draft


async def _current_draft(context: CoachContext, user_id: int) -> Draft | None:
    services = context.services
    record = context.user_record
    if record is None or not record.onboarded:
        return None
    profile = await services.profiles.get(user_id)
    if profile is None:
        return None
    quiet = (record.quiet_start, record.quiet_end) if record.quiet_start is not None and \
        record.quiet_end is not None else None
    return Draft.from_profile(profile, record.nudge_time, record.timezone, quiet)


def settings_text(draft: Draft, context: CoachContext, heading: str) -> str:
    settings = context.services.settings
    default = format_quiet(settings.quiet_hours_start, settings.quiet_hours_end)
    hours = draft.quiet or f"{default} (default)"
    quiet = "none" if hours == "off" else hours.replace("-", "–")
    return summary_text(draft, context.services.content, heading) + (
        f"\n<b>Quiet hours:</b> {quiet}")


async def settings_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    draft = await _draft_or_ask_to_start(message, context, user.id)
    if draft is None:
        return
    await message.reply_text(settings_text(draft, context, "<b>Your settings</b>")
                             + "\n\nTap to change a section.",
                             reply_markup=settings_keyboard())


async def on_settings_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    section = query.data.split(":", 1)[1]
    draft = await _current_draft(context, update.effective_user.id)
    if section not in SECTIONS or draft is None or not isinstance(query.message, Message):
        await query.answer(STALE)
        return
    await query.answer()
    await _ask(query.message, context, update.effective_user.id, "settings", SECTIONS[section][0],
               draft, {"section": section})


async def injury_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    draft = await _draft_or_ask_to_start(message, context, user.id)
    if draft is None:
        return
    await _ask(message, context, user.id, "injury", "injury_status", draft, {"section": "injury"},
               prefix="Let's update your injury. ")


async def cancel_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    conv = context.conversation  # read by the user gate along with the user row
    if conv is None:
        await message.reply_text("There's nothing to cancel.")
        return
    if conv.keyboard_message_id is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(message.chat_id, conv.keyboard_message_id,
                                                        reply_markup=None)
    await _convs(context).clear(user.id)
    record = context.user_record
    tail = "" if record is not None and record.onboarded else " Send /start whenever you're ready."
    await message.reply_text(f"Cancelled. Nothing was changed.{tail}")
