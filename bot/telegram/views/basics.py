"""Texts of the basics: help, the replies to what the bot does not understand, and stale taps."""

from __future__ import annotations

import html

from bot.db.conversations import Conversation
from bot.telegram.commands import COMMANDS

LONG_MESSAGE = 1000
EXPIRED_BUTTON = "That button has expired. Send /help to see what I can do."
# What a tap from someone we do not know (never wrote, or deleted their data) is told.
UNKNOWN_TAP = "That button has expired."
NOT_ONBOARDED = "Let's set you up first: send /start."
MID_ONBOARDING = ("Let's finish setting you up first: answer the question above, or send "
                  "/start to see it again.")

GROUP_CHAT = "I coach one runner at a time. Write to me privately: @{username}"
NOT_TEXT = ("Nice! I can only read text and button taps, though. "
            "Tell me in words what you did (e.g. <i>bike 45 min</i>) or send /help.")
EMOJI_ONLY = "😊 I read words better than emoji. Send /help to see what I can do."
TOO_LONG = ("That's a long message! I work best with short ones, like <i>swam 30 min</i>. "
            "Send /help to see what I can do.")
NOT_UNDERSTOOD = "I'm not sure what you mean. Send /help to see what I can do."
SEND_HELP = "Send /help to see what I can do."
SET_UP_FIRST = "Send /start to set up your coaching first."


def not_onboarded_text(conversation: Conversation | None) -> str:
    """What to tell someone who asks for coaching before their profile exists."""
    if conversation is not None and conversation.flow == "onboarding":
        return MID_ONBOARDING
    return NOT_ONBOARDED


def zone_reset_text(bad_zone: str, default_zone: str) -> str:
    """Told once, when a stored time zone turned out unusable and the default replaced it."""
    return (f"I couldn't use your time zone <b>{html.escape(bad_zone[:64])}</b> any more "
            "(it is no longer in the time zone database), so for now I'm going by "
            f"<b>{html.escape(default_zone)}</b>. Send /settings to set yours again.")


def help_text() -> str:
    lines = ["<b>Here is what I can do</b>", ""]
    lines += [f"/{name} — {description}" for name, description in COMMANDS]
    lines += ["", "You can also just tell me what you did, e.g. <i>swam 30 min easy</i>."]
    return "\n".join(lines)


def is_emoji_only(text: str) -> bool:
    stripped = "".join(ch for ch in text if not ch.isspace())
    return bool(stripped) and not any(ch.isalnum() for ch in stripped)


def unknown_command_text(text: str) -> str:
    command = html.escape(text.split()[0][:40])
    return f"I don't know the command {command}. Send /help to see the ones I know."


def fallback_text(text: str, *, needs_setup: bool) -> str:
    """The reply to text no handler claimed: say what we can do instead of staying silent."""
    if is_emoji_only(text):
        reply = EMOJI_ONLY
    elif len(text) > LONG_MESSAGE:
        reply = TOO_LONG
    else:
        reply = NOT_UNDERSTOOD
    # Someone who never finished setting up gets pointed at the one thing they need.
    return reply.replace(SEND_HELP, SET_UP_FIRST) if needs_setup else reply
