"""The onboarding conversation, /settings, /injury, /cancel and the main menu's buttons.

Each handler reads the update, calls one action of `bot.actions.onboarding` and renders its
result with `bot.telegram.views.onboarding`. A question is sent first and its message id stored
after (`asked`), in the action's one write transaction.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.actions import onboarding as actions
from bot.actions.actor import Actor
from bot.telegram.context import CoachContext
from bot.telegram.handlers.basics import EXPIRED_BUTTON, not_onboarded_text
from bot.telegram.handlers.coaching import week_command
from bot.telegram.handlers.logbook import stats_command
from bot.telegram.views import onboarding as views
from bot.telegram.views.callbacks import decode
from bot.telegram.views.edits import quiet_edit, quiet_edit_by_id


def _actor(context: CoachContext) -> Actor:
    actor = context.actor
    assert actor is not None, "the user gate runs before these handlers"
    return actor


async def _ask(context: CoachContext, chat_id: int, question: actions.Question,
               first_name: str = "", tapped: Message | None = None) -> None:
    """Send `question` (or edit the tapped question into it), then store it as the live one."""
    services = context.services
    text, keyboard = views.question(question, services.content,
                                    default_zone=services.settings.default_timezone,
                                    first_name=first_name)
    if question.in_place and tapped is not None:
        await quiet_edit(tapped, text, keyboard)
        message_id = tapped.message_id
    else:
        sent = await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        message_id = sent.message_id
    await actions.asked(services, _actor(context), question, message_id)


async def start(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    result = await actions.start(context.services, _actor(context))
    if isinstance(result, actions.WelcomeBack):
        text, keyboard = views.welcome_back(user.first_name)
        await message.reply_text(text, reply_markup=keyboard)
        return
    await _ask(context, message.chat_id, result, user.first_name)


async def on_button(update: Update, context: CoachContext) -> None:
    """A tap on a question's button: "ob:<step>:<value>"."""
    query = update.callback_query
    assert query is not None
    tap = decode(query.data, views.ANSWER.prefix)
    if tap is None:
        await query.answer(EXPIRED_BUTTON)
        return
    message = query.message if isinstance(query.message, Message) else None
    result = await actions.tapped_answer(context.services, _actor(context), tap.str(0), tap.str(1),
                                  message.message_id if message is not None else None)
    await query.answer(views.STALE if result.stale else result.toast)
    if message is not None:
        await _show(context, message.chat_id, result, message)


async def on_text(update: Update, context: CoachContext) -> None:
    """Gate for typed answers: claims text and locations only while a flow of ours is active."""
    message = update.effective_message
    if message is None or update.effective_user is None or update.edited_message is not None:
        return
    location = message.location
    result = await actions.typed_answer(
        context.services, _actor(context), message.text,
        (location.latitude, location.longitude) if location is not None else None)
    if result is None:
        return
    await _show(context, message.chat_id, result, None)
    raise ApplicationHandlerStop


async def _show(context: CoachContext, chat_id: int, result: actions.Answered,
                tapped: Message | None) -> None:
    """Render an answer: close the old question, tell the notice, then what follows."""
    close = result.close
    if close is not None:
        if tapped is not None and close.echo and tapped.text_html:
            await quiet_edit_by_id(context.bot, chat_id, close.message_id,
                                   views.answered(tapped.text_html, close.echo))
        else:
            await quiet_edit_by_id(context.bot, chat_id, close.message_id)
    if result.notice:
        await context.bot.send_message(chat_id, views.notice(result.notice))
    then = result.then
    if isinstance(then, actions.Question):
        await _ask(context, chat_id, then, tapped=tapped)
    elif isinstance(then, actions.Completed):
        text, keyboard = views.completed(then)
        await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    elif isinstance(then, actions.SectionSaved):
        text, keyboard = views.section_saved(then, context.services.content)
        await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def settings_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    result = await actions.show_settings(context.services, _actor(context))
    if isinstance(result, actions.NotOnboarded):
        await message.reply_text(not_onboarded_text(context))
        return
    text, keyboard = views.settings(result, context.services.content)
    await message.reply_text(text, reply_markup=keyboard)


async def on_settings_button(update: Update, context: CoachContext) -> None:
    """A section button under /settings: "st:<section>"."""
    query = update.callback_query
    assert query is not None
    tap = decode(query.data, "st")
    if tap is None or not isinstance(query.message, Message):
        await query.answer(views.STALE)
        return
    result = await actions.open_section(context.services, _actor(context), tap.action)
    if isinstance(result, actions.Stale):
        await query.answer(views.STALE)
        return
    await query.answer()
    await _ask(context, query.message.chat_id, result)


async def injury_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    result = await actions.update_injury(context.services, _actor(context))
    if isinstance(result, actions.NotOnboarded):
        await message.reply_text(not_onboarded_text(context))
        return
    await _ask(context, message.chat_id, result)


async def cancel_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None
    result = await actions.cancel(context.services, _actor(context))
    if isinstance(result, actions.NothingToCancel):
        await message.reply_text(views.NOTHING_TO_CANCEL)
        return
    if result.keyboard_message_id is not None:
        await quiet_edit_by_id(context.bot, message.chat_id, result.keyboard_message_id)
    await message.reply_text(views.cancelled(result))


async def on_menu_button(update: Update, context: CoachContext) -> None:
    """The main menu's shortcuts to /week and /stats: the same handlers, one tap away."""
    query = update.callback_query
    assert query is not None
    tap = decode(query.data, "mn")
    if tap is None:
        await query.answer(EXPIRED_BUTTON)
        return
    await query.answer()
    if tap.action == views.MENU_WEEK.action:
        await week_command(update, context)
    else:
        await stats_command(update, context)
