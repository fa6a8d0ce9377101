"""/suggest, /convert and /week: parse the update, call one action of bot.actions.coaching and
render its result with bot.telegram.views.coaching (where the callback data is described).

The /convert conversation keeps its step in conversation_states (flow "convert"), with the
message id of the ForceReply prompt, so a restart or another worker continues it. The answer is
a reply to that prompt, or simply the next plain message (runners on a phone often just type):
`on_typed_answer` is a gate in its own handler group between the onboarding gate and the main
group. It claims plain text only while the flow waits (bot.coach.rotation.answers_convert), so
logging keeps working during the flow.

"Done" stores the log through bot/db/logs.py (source "suggestion", keyed by the suggestion's
message id, so a detailed reply to the suggestion replaces it) and asks an injured runner the
logging area's "Any pain during?", whose answer feeds the pain rule of the next suggestions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import CallbackQuery, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    filters,
)

from bot.actions import coaching as actions
from bot.actions.actor import Actor
from bot.coach.rotation import Step, answers_convert
from bot.db.coaching import CONVERT_FLOW, ConvertState, convert_state_of
from bot.telegram.context import CoachContext
from bot.telegram.handlers.basics import not_onboarded_text
from bot.telegram.views import logbook as log_views
from bot.telegram.views.callbacks import Tap, decode
from bot.telegram.views.coaching import (
    EXPIRED,
    LOGGED,
    NOTED,
    PREFIX,
    PROMPT_MARKERS,
    QUESTION_PASSED,
    convert_prompt,
    feeling_keyboard,
    logged_keyboard,
    logged_text,
    pace_learnt,
    refusal,
    render_conversions,
    render_day,
    render_nothing_to_suggest,
    render_suggestion,
    render_week,
    render_why,
    suggestion_keyboard,
    swap_note,
    swap_refusal,
    week_keyboard,
)
from bot.telegram.views.edits import quiet_edit

if TYPE_CHECKING:
    pass

# Kept importable from here for the chat tests, which read the texts and renderers through
# this module.
__all__ = ["EXPIRED", "ReplyToConvertPrompt", "convert_command", "on_button", "on_reply",
           "on_typed_answer", "render_conversions", "render_day", "render_suggestion",
           "render_week", "render_why", "suggest_command", "week_command"]

_SWAPS: dict[str, Step | None] = {"more": None, "short": "shorter", "long": "longer"}


def _actor(context: CoachContext) -> Actor:
    # The user gate sets it for every update that reaches the main groups.
    actor = context.actor
    assert actor is not None
    return actor


def _refused(context: CoachContext, refused: actions.Refused) -> str:
    if refused.reason == "not_onboarded":
        return not_onboarded_text(context)
    return refusal(refused.reason)


# ---------------------------------------------------------------------------------- /suggest


async def _send_suggestion(context: CoachContext, chat_id: int) -> None:
    result = await actions.suggest_session(context.services, _actor(context))
    if isinstance(result, actions.Refused):
        await context.bot.send_message(chat_id, _refused(context, result))
        return
    pack, found, profile = context.services.content, result.suggestions, result.profile
    top = found.top
    if top is None:
        await context.bot.send_message(chat_id, render_nothing_to_suggest(
            pack, found, profile, otherwise=not_onboarded_text(context)))
        return
    await context.bot.send_message(chat_id, render_suggestion(pack, found, top, None, profile),
                                   reply_markup=suggestion_keyboard(top.session.id))


async def suggest_command(update: Update, context: CoachContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    await _send_suggestion(context, chat.id)


async def on_button(update: Update, context: CoachContext) -> None:
    """Every "sg:" button: the main menu's, the suggestion card's and the /week plan's."""
    query = update.callback_query
    assert query is not None
    message = query.message
    tap = decode(query.data, PREFIX)
    if tap is None or not isinstance(message, Message):
        await query.answer(EXPIRED)
        return
    if tap.action == "menu":
        await query.answer()
        await _send_suggestion(context, message.chat_id)
    elif tap.action == "convert":
        await query.answer()
        await _show_convert(context, message,
                            await actions.convert(context.services, _actor(context), ""))
    elif tap.action == "day":
        await _show_day(context, query, message, tap)
    elif tap.action == "feel":
        await _feel(context, query, message, tap)
    elif tap.action == "done":
        await _done(context, query, message, tap)
    elif tap.action == "why":
        await _why(context, query, message, tap)
    elif tap.action in _SWAPS:
        await _swap(context, query, message, tap)
    else:
        await query.answer(EXPIRED)


async def _done(context: CoachContext, query: CallbackQuery, message: Message, tap: Tap
                ) -> None:
    session_id = tap.str(0)
    result = await actions.done(context.services, _actor(context), session_id=session_id,
                                message_id=message.message_id, shown_at=message.date)
    if isinstance(result, actions.Refused):
        await query.answer(_refused(context, result))
        return
    await query.answer(LOGGED)
    await quiet_edit(message, logged_text(message.text_html or ""), feeling_keyboard(session_id))
    if result.ask_pain:
        # The logging area's question and buttons: its answer is judged there (safety reply)
        # and stored on this log, so the next suggestion steps down after real pain.
        await context.bot.send_message(message.chat_id, log_views.PAIN_QUESTION,
                                       reply_markup=log_views.pain_keyboard(result.log_id))


async def _feel(context: CoachContext, query: CallbackQuery, message: Message, tap: Tap
                ) -> None:
    session_id = tap.str(0)
    result = await actions.felt(context.services, _actor(context), session_id=session_id,
                                message_id=message.message_id, effort=tap.int(1))
    if isinstance(result, actions.Refused):
        await query.answer(_refused(context, result))
        return
    await query.answer(NOTED)
    await quiet_edit(message, message.text_html or "",
                     logged_keyboard(session_id, result.feeling))


async def _swap(context: CoachContext, query: CallbackQuery, message: Message, tap: Tap
                ) -> None:
    """Another / Shorter / Longer: edit the suggestion in place."""
    result = await actions.swap(context.services, _actor(context), session_id=tap.str(0),
                                message_id=message.message_id, shown_at=message.date,
                                step=_SWAPS[tap.action])
    if isinstance(result, actions.Refused):
        await query.answer(_refused(context, result))
        return
    if result.chosen is None:
        await query.answer(swap_refusal(result))
        return
    await query.answer()
    text = render_suggestion(context.services.content, result.suggestions, result.chosen,
                             swap_note(result), result.profile)
    await quiet_edit(message, text, suggestion_keyboard(result.chosen.session.id))


async def _why(context: CoachContext, query: CallbackQuery, message: Message, tap: Tap
               ) -> None:
    result = await actions.why(context.services, _actor(context), session_id=tap.str(0),
                               shown_at=message.date)
    if isinstance(result, actions.Refused):
        await query.answer(_refused(context, result))
        return
    await query.answer()
    await context.bot.send_message(
        message.chat_id, render_why(context.services.content, result.chosen, result.others))


# ---------------------------------------------------------------------------------- /convert


async def convert_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    text = (message.text or "").partition(" ")[2].strip()
    await _show_convert(context, message,
                        await actions.convert(context.services, _actor(context), text))


async def _show_convert(context: CoachContext, message: Message,
                        result: actions.ConvertResult) -> None:
    """Say what a /convert step came to. A prompt is sent first and then stored, since its
    answer is recognised by the prompt's message id."""
    if isinstance(result, actions.Refused):
        await context.bot.send_message(message.chat_id, _refused(context, result))
        return
    if isinstance(result, actions.AskRun | actions.AskPace):
        text, force_reply = convert_prompt(result)
        sent = await context.bot.send_message(message.chat_id, text, reply_markup=force_reply)
        await actions.remember_prompt(context.services, _actor(context),
                                      prompt_message_id=sent.message_id, ask=result)
        return
    if result.learnt_pace is not None:
        await message.reply_text(pace_learnt(result.learnt_pace))
    await message.reply_text(render_conversions(context.services.content, result.profile,
                                                result.asked, result.conversion))


class ReplyToConvertPrompt(filters.MessageFilter):
    """A reply to one of the /convert prompts (cheap, no database: the handler then checks the
    stored prompt id)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (replied is not None and replied.from_user is not None
                and replied.from_user.is_bot
                and any(marker in (replied.text or "") for marker in PROMPT_MARKERS))


def _convert_state(context: CoachContext) -> ConvertState | None:
    """The /convert step the user is at, as the user gate read it (no query)."""
    conv = context.conversation
    if conv is None or conv.flow != CONVERT_FLOW:
        return None
    return convert_state_of(conv.step, conv.keyboard_message_id, conv.data)


async def on_reply(update: Update, context: CoachContext) -> None:
    """A reply to one of our /convert prompts that the gate did not take: an older prompt, or
    the current one when the flow has ended."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    state = _convert_state(context)
    if state is None or state.prompt_message_id != message.reply_to_message.message_id:
        await message.reply_text(QUESTION_PASSED)
        return
    await _answer(context, message, state)


async def on_typed_answer(update: Update, context: CoachContext) -> None:
    """Gate: while /convert waits, its answer goes to the flow (see the module docstring).
    Returns without a word when it is not, so the main group reads the text."""
    message = update.effective_message
    if message is None or message.text is None or update.edited_message is not None:
        return
    state = _convert_state(context)
    if state is None:
        return
    replied = message.reply_to_message
    if not answers_convert(context.services.content, message.text,
                           replied_to=replied.message_id if replied is not None else None,
                           prompt_message_id=state.prompt_message_id,
                           asked_at=state.asked_at, now=context.services.clock.now()):
        return
    await _answer(context, message, state)
    raise ApplicationHandlerStop


async def _answer(context: CoachContext, message: Message, state: ConvertState) -> None:
    result = await actions.convert_answer(context.services, _actor(context), state,
                                          message.text or "")
    await _show_convert(context, message, result)


# ------------------------------------------------------------------------------------- /week


async def week_command(update: Update, context: CoachContext) -> None:
    """/week, and the main menu's "My week" button."""
    message = update.effective_message
    assert message is not None
    result = await actions.week(context.services, _actor(context))
    if isinstance(result, actions.Refused):
        await context.bot.send_message(message.chat_id, _refused(context, result))
        return
    await message.reply_text(
        render_week(context.services.content, result.days, result.see_clinician,
                    result.advice),
        reply_markup=week_keyboard(result.days))


async def _show_day(context: CoachContext, query: CallbackQuery, message: Message, tap: Tap
                    ) -> None:
    result = await actions.week_day(context.services, _actor(context), start=tap.date(0),
                                    offset=tap.int(1))
    if isinstance(result, actions.Refused):
        await query.answer(_refused(context, result))
        return
    await query.answer()
    await context.bot.send_message(
        message.chat_id, render_day(context.services.content, result.day, result.profile))


# ---------------------------------------------------------------------------------- wiring
#
