"""Texts and keyboards of /pause, /resume, /stop, /privacy, /export and /delete."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.pausing import MAX_PAUSE_DAYS
from bot.telegram.views.callbacks import Button

PREFIX = "acct"
DELETE = Button(PREFIX, "delete")
KEEP = Button(PREFIX, "keep")

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
PAUSE_USAGE = f"Use /pause or /pause DAYS, with 1 to {MAX_PAUSE_DAYS} days."
STOPPED = ("Done: no more nudges. Your data is kept, and you can still log sessions. Send "
           "/resume to turn nudges back on, or /delete to remove everything.")
EXPORT_DATA_CAPTION = "Everything I store about you."
EXPORT_LOGS_CAPTION = "Your logged sessions."
DELETE_QUESTION = ("This deletes your profile, logs, nudges and everything else I store about "
                   "you. It can't be undone. Are you sure?")
KEPT = "Kept. Nothing was deleted."
DELETED = "All your data is deleted. If you ever want to start again, send /start."
DELETE_EXPIRED_TOAST = "That question has expired."
DELETE_EXPIRED = ("That question has expired, so nothing was deleted. Send /delete again if you "
                  "still want to delete everything.")


def paused_text(days: int) -> str:
    return (f"Paused for {days} day{'s' if days > 1 else ''}. Your streak is frozen, not lost. "
            "Send /resume to come back sooner.")


def resumed_text(nudges_on: bool) -> str:
    text = "Welcome back! Nudges are on again." if nudges_on else "Welcome back!"
    return text + " Send /settings to change when they come."


def delete_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("🗑 Yes, delete everything", callback_data=DELETE.data()),
        InlineKeyboardButton("Keep my data", callback_data=KEEP.data())]])
