"""/start, /help and the replies to everything the bot does not understand."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.telegram.commands import COMMANDS
from bot.telegram.context import CoachContext

LONG_MESSAGE = 1000
NOT_ONBOARDED = "Let's set you up first: send /start."
MID_ONBOARDING = ("Let's finish setting you up first: answer the question above, or send "
                  "/start to see it again.")


def not_onboarded_text(context: CoachContext) -> str:
    """What to tell someone who asks for coaching before their profile exists."""
    conversation = context.conversation
    if conversation is not None and conversation.flow == "onboarding":
        return MID_ONBOARDING
    return NOT_ONBOARDED


async def private_chats_only(update: Update, context: CoachContext) -> None:
    """Gate: the coach talks one-to-one. In a group it asks to be written to privately."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if update.effective_message is not None and update.effective_message.text:
        username = context.bot.username
        await update.effective_message.reply_text(
            f"I coach one runner at a time. Write to me privately: @{username}"
        )
    raise ApplicationHandlerStop


async def remember_user(update: Update, context: CoachContext) -> None:
    """Gate: every update from a person refreshes their row (and resets ignored nudges)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    services = context.services
    record, is_new, conversation = await services.users.seen_with_conversation(
        user.id, chat.id, user.first_name or "", user.language_code, services.clock.now()
    )
    context.user_record, context.is_new_user, context.conversation = record, is_new, conversation


def help_text() -> str:
    lines = ["<b>Here is what I can do</b>", ""]
    lines += [f"/{name} — {description}" for name, description in COMMANDS]
    lines += ["", "You can also just tell me what you did, e.g. <i>swam 30 min easy</i>."]
    return "\n".join(lines)


async def help_command(update: Update, context: CoachContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text())


async def unknown_command(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    command = html.escape(message.text.split()[0][:40])
    await message.reply_text(
        f"I don't know the command {command}. Send /help to see the ones I know."
    )


async def not_text(update: Update, context: CoachContext) -> None:
    """Stickers, photos, voice notes and the like."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "Nice! I can only read text and button taps, though. "
        "Tell me in words what you did (e.g. <i>bike 45 min</i>) or send /help."
    )


def is_emoji_only(text: str) -> bool:
    stripped = "".join(ch for ch in text if not ch.isspace())
    return bool(stripped) and not any(ch.isalnum() for ch in stripped)


async def fallback_text(update: Update, context: CoachContext) -> None:
    """Text that no other handler claimed: say what we can do instead of staying silent."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text
    if is_emoji_only(text):
        reply = "😊 I read words better than emoji. Send /help to see what I can do."
    elif len(text) > LONG_MESSAGE:
        reply = ("That's a long message! I work best with short ones, like <i>swam 30 min</i>. "
                 "Send /help to see what I can do.")
    else:
        reply = "I'm not sure what you mean. Send /help to see what I can do."
    record = context.user_record
    if record is not None and not record.onboarded and context.conversation is None:
        # Someone who never finished setting up gets pointed at the one thing they need.
        reply = reply.replace("Send /help to see what I can do.",
                              "Send /start to set up your coaching first.")
    await message.reply_text(reply)


async def stale_button(update: Update, context: CoachContext) -> None:
    """A tap on a button no handler recognises: an old message, or one from an older version."""
    query = update.callback_query
    assert query is not None
    await query.answer("That button has expired. Send /help to see what I can do.")
