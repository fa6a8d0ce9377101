"""Logging sessions by replying, /log, plain text that reads as a log, and /history and /stats.

Which text this module claims: replies to our nudges, suggestions and /log prompt, and any
other plain text, which it parses once: text that does not read as a log (a known activity
with an amount) goes on to the fallback reply. Each log action is one transaction
(bot/actions/logbook.py); the replies are sent after it.

Idempotence: a log made from a message is keyed by (user, message id) in the database, so a
redelivered update finds the first log; button taps re-check the database, never memory.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update

from bot.actions import logbook as actions
from bot.actions import progress
from bot.actions.actor import Actor
from bot.actions.logbook import LogResult, PainFollowUp, Reply
from bot.coach.progress import (
    CHART_WEEKS,
)
from bot.progress_chart import render_weekly_minutes
from bot.telegram.context import CoachContext
from bot.telegram.handlers import basics
from bot.telegram.views import logbook as views
from bot.telegram.views.callbacks import decode
from bot.telegram.views.edits import quiet_edit

# Callback prefixes of the messages a reply to which is a log (nudges carry REPLY_TO_LOG
# instead: their buttons go once answered, and "Still want these?" shares their prefix).
_LOGGABLE_PREFIXES = ("sg:",)
_LOG_COMMAND_RE = re.compile(r"^/log(?:@\w+)?(?:\s+|$)", re.IGNORECASE)


# --- which messages are ours ---------------------------------------------------------------------


def _callback_data(message: Message | None) -> tuple[str, ...]:
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return ()
    return tuple(b.callback_data for row in markup.inline_keyboard for b in row
                 if isinstance(b.callback_data, str))


def answers_our_message(reply: Message | None) -> bool:
    """A reply to one of our nudges or suggestions, or to the /log prompt. A nudge is known by
    its "reply to log" line, which stays after Done, Snooze or Skip took its buttons away."""
    if reply is None or reply.from_user is None or not reply.from_user.is_bot:
        return False
    text = reply.text or ""
    if text.startswith(views.LOG_PROMPT) or views.REPLY_TO_LOG in text:
        return True
    return any(data.startswith(_LOGGABLE_PREFIXES) for data in _callback_data(reply))


def _reply(message: Message | None) -> Reply | None:
    """The bot message `message` replies to, as the action needs it; None for anything else."""
    if message is None or message.from_user is None or not message.from_user.is_bot:
        return None
    return Reply(message.message_id, (message.text or "").startswith(views.LOG_PROMPT),
                 _callback_data(message))


# --- helpers -------------------------------------------------------------------------------------


def _actor(context: CoachContext) -> Actor:
    # The user gate (group -3) sets it for every update that gets this far.
    actor = context.actor
    assert actor is not None
    return actor


def _today(context: CoachContext) -> date:
    return _actor(context).today(context.services)


def _strip_command(text: str) -> str:
    return _LOG_COMMAND_RE.sub("", text, count=1).strip()


# --- logging a message -------------------------------------------------------------------------


async def log_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    text = _strip_command(message.text)
    if not text:
        await message.reply_text(
            views.LOG_PROMPT,
            reply_markup=ForceReply(input_field_placeholder="swam 30 min easy"),
        )
        return
    result = await actions.log_message(context.services, _actor(context), text=text,
                                       message_id=message.message_id, reply=None, command=True)
    await _answer(update, context, result, text)


async def on_text(update: Update, context: CoachContext) -> None:
    """Plain text: a log when it replies to our message or reads as one; else the fallback."""
    message = update.effective_message
    assert message is not None and message.text is not None
    reply = _reply(message.reply_to_message) \
        if answers_our_message(message.reply_to_message) else None
    result = await actions.log_message(context.services, _actor(context), text=message.text,
                                       message_id=message.message_id, reply=reply)
    if result.outcome == "not_a_log":
        await basics.fallback_text(update, context)
        return
    await _answer(update, context, result, message.text)


async def _answer(update: Update, context: CoachContext, result: LogResult, text: str,
                  *, question: Message | None = None) -> None:
    """Say what a log action did. With `question`, the clarifying question is edited into the
    confirmation instead of a new message."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    pack = context.services.content
    log = result.log
    if result.outcome == "clarify":
        sent = await message.reply_text(
            views.clarify_text(text),
            reply_markup=views.clarify_keyboard(pack, list(result.choices)))
        assert result.clarify_data is not None
        await actions.remember_question(context.services, _actor(context), sent.message_id,
                                        result.clarify_data)
    elif result.outcome == "cannot_clarify":
        await message.reply_text(views.CANNOT_CLARIFY)
    elif result.outcome == "undone_before":
        await message.reply_text(views.ALREADY_UNDONE_LOG)
    elif result.outcome == "already" and log is not None:
        await message.reply_text(f"Already logged: {views.describe(pack, log, result.today)}",
                                 reply_markup=views.log_keyboard(log.id))
    elif result.outcome == "logged" and log is not None:
        confirmation = views.confirmation(pack, log, result.today,
                                          effort_word=result.effort_word,
                                          replaced_button_log=result.replaced)
        if question is not None:
            await quiet_edit(question, confirmation, views.log_keyboard(log.id))
        else:
            await message.reply_text(confirmation, reply_markup=views.log_keyboard(log.id))
        await send_pain_follow_up(context, chat.id, log.id, result.pain)


async def send_pain_follow_up(context: CoachContext, chat_id: int, log_id: int,
                              pain: PainFollowUp) -> None:
    """The safety reply first (a warning sign is answered before any question), then "Any
    pain during?"."""
    if pain.safety_text is not None:
        await context.bot.send_message(chat_id, html.escape(pain.safety_text))
    if pain.ask_score:
        await context.bot.send_message(chat_id, views.PAIN_QUESTION,
                                       reply_markup=views.pain_keyboard(log_id))


# --- the clarifying question ---------------------------------------------------------------------


async def _on_clarify(update: Update, context: CoachContext, choice: str) -> None:
    query = update.callback_query
    assert query is not None
    question = query.message
    if not isinstance(question, Message):
        await query.answer(views.STALE)
        return
    result = await actions.answer_clarify(context.services, _actor(context),
                                          question_id=question.message_id, choice=choice)
    if result.outcome == "stale":
        await query.answer(views.STALE)
        return
    await query.answer()
    if result.outcome == "not_logged":
        await quiet_edit(question, views.NOT_LOGGED)
        return
    await _answer(update, context, result, "", question=question)


# --- edits ---------------------------------------------------------------------------------------


async def on_edit(update: Update, context: CoachContext) -> None:
    """An edited message updates its log; an edit that first makes a message a log, logs it."""
    edited = update.edited_message
    if edited is None or edited.text is None or update.effective_user is None:
        return
    is_command = _LOG_COMMAND_RE.match(edited.text) is not None
    if edited.text.startswith("/") and not is_command:
        return
    text = _strip_command(edited.text) if is_command else edited.text
    reply = _reply(edited.reply_to_message)
    result = await actions.edit_message(context.services, _actor(context),
                                        message_id=edited.message_id, text=text, reply=reply,
                                        command=is_command)
    pack = context.services.content
    log = result.log
    if result.outcome == "undone_before":
        await edited.reply_text(views.EDIT_OF_UNDONE)
    elif result.outcome == "unreadable_edit" and log is not None:
        await edited.reply_text(
            f"I couldn't read the edited message, so the log stays as it was: "
            f"{views.describe(pack, log, result.today)}", reply_markup=views.log_keyboard(log.id))
    elif result.outcome == "updated" and log is not None:
        await edited.reply_text(
            views.confirmation(pack, log, result.today, effort_word=result.effort_word,
                               updated=True),
            reply_markup=views.log_keyboard(log.id))
        await send_pain_follow_up(context, edited.chat_id, log.id, result.pain)
    elif result.outcome != "ignored":
        await _answer(update, context, result, text)


# --- buttons -------------------------------------------------------------------------------------


async def on_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    tap = decode(query.data, views.CALLBACK_PREFIX)
    if tap is None:
        await query.answer(views.STALE)
    elif tap.button is views.CLARIFY:
        await _on_clarify(update, context, tap.str(0))
    elif tap.button is views.UNDO:
        await _on_undo(update, context, tap.int(0))
    elif tap.button is views.EDIT:
        await _on_edit_button(update, context, tap.int(0))
    elif tap.button is views.PAIN:
        await _on_pain(update, context, tap.int(0), tap.int(1))
    elif tap.button is views.HISTORY:
        await _on_history_page(update, context, tap.int(0))
    else:
        await query.answer(views.STALE)


async def _on_undo(update: Update, context: CoachContext, log_id: int) -> None:
    query = update.callback_query
    assert query is not None
    result = await actions.undo(context.services, _actor(context), log_id)
    if result.log is None:
        await query.answer(views.STALE)
        return
    if not result.changed:
        await query.answer(views.ALREADY_UNDONE)
        return
    await query.answer("Undone")
    described = views.describe(context.services.content, result.log, result.today)
    await quiet_edit(query.message, f"↩️ Undone: <s>{described}</s>")


async def _on_edit_button(update: Update, context: CoachContext, log_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    log = await progress.live_log(context.services, _actor(context), log_id)
    if log is None or log.undone:
        await query.answer(views.ALREADY_UNDONE if log else views.STALE)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.reply_text(views.EDIT_HELP)


async def _on_pain(update: Update, context: CoachContext, log_id: int, pain: int) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    result = await actions.score_pain(context.services, _actor(context), log_id, pain)
    if result.outcome == "stale":
        await query.answer(views.STALE)
        return
    if result.outcome == "undone":
        await query.answer("That log was undone.")
        return
    await query.answer("Noted")
    await quiet_edit(query.message, f"Pain during: {pain}/10. Noted, thank you.")
    if result.safety_text is not None:
        await context.bot.send_message(chat.id, html.escape(result.safety_text))


# --- /history and /stats -------------------------------------------------------------------------


async def history_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    text, markup = await _history_page(context, 0)
    await message.reply_text(text, reply_markup=markup)


async def _history_page(context: CoachContext, offset: int
                        ) -> tuple[str, InlineKeyboardMarkup | None]:
    page = await progress.history_page(context.services, _actor(context), offset,
                                       views.HISTORY_PAGE)
    text = views.history_text(context.services.content, page.logs, page.total, page.offset,
                              page.today)
    return text, views.history_keyboard(page.offset, len(page.logs), page.total)


async def _on_history_page(update: Update, context: CoachContext, offset: int) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await _history_page(context, offset)
    await quiet_edit(query.message, text, markup)


async def stats_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    pack = context.services.content
    result = await progress.stats(context.services, _actor(context))
    await message.reply_text(views.stats_text(pack, result.comparison, result.streak,
                                              result.rest_days))
    shown = {a for week in result.series for a in week.minutes_by_activity}
    names = {a: views.activity_name(pack, a) for a in shown}
    png = await asyncio.to_thread(render_weekly_minutes, result.series, names)
    await message.reply_photo(png, caption=f"Minutes per week, last {CHART_WEEKS} weeks")
