"""What the daily nudge looks like: its text, its buttons, and the back-off question. No I/O.

The sender renders ledger rows with `render_nudge`; the nudge handlers read taps through
`NUDGE` (the callback codec). Callback data: "nd:<delivery id>:<answer>", e.g. "nd:812:d".
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import ContentPack
from bot.content.models import localize
from bot.db.nudges import ZONE_RESET
from bot.telegram.views.callbacks import WILDCARD, Button, Int, Token
from bot.telegram.views.logbook import REPLY_TO_LOG

PREFIX = "nd"
# The delivery id comes first so that the data stays "nd:<id>:<answer>", the shape of every
# nudge already sent: the answer is a field, read by the handler.
NUDGE = Button(PREFIX, WILDCARD, (Int(), Token(max_len=8)))

# The logging handler claims replies to messages carrying this line.
REPLY_LINE = f"<i>{REPLY_TO_LOG}</i>"
ALREADY_DONE = "Already done ✅"
EXPIRED = "That button has expired."
SKIPPED = "Skipped"
SKIPPED_NOTE = "⏭ Skipped for today. See you tomorrow."
DONE_ANSWER = "Nice one! Logged ✅"
EARLIER_DAY = "This nudge was for an earlier day. Today's comes as usual."
CANNOT_SNOOZE = "This one can't be snoozed any more."

__all__ = [
    "BACKOFF_TEXTS",
    "NUDGE",
    "REPLY_LINE",
    "backoff_keyboard",
    "done_note",
    "nudge_keyboard",
    "render_nudge",
    "snoozed",
    "too_late_to_snooze",
    "zone_reset_text",
]


def _button(label: str, delivery_id: int, answer: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=NUDGE.data(delivery_id, answer))


def nudge_keyboard(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button("✅ Done", delivery_id, "d")],
        [_button("⏰ 30 min", delivery_id, "s30"), _button("⏰ 2 h", delivery_id, "s2h"),
         _button("⏰ This evening", delivery_id, "sev")],
        [_button("⏭ Skip today", delivery_id, "sk")],
    ])


def backoff_keyboard(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button("Yes, keep them", delivery_id, "keep")],
        [_button("Every other day is fine", delivery_id, "eod")],
        [_button("Pause nudges", delivery_id, "pause")],
    ])


def zone_reset_text(bad_zone: str, default_zone: str) -> str:
    """Told once, when a stored time zone turned out unusable and the default replaced it."""
    return (f"I couldn't use your time zone <b>{html.escape(bad_zone[:64])}</b> any more "
            "(it is no longer in the time zone database), so for now I'm going by "
            f"<b>{html.escape(default_zone)}</b>. Send /settings to set yours again.")


def render_nudge(pack: ContentPack, delivery_id: int, kind: str, content_id: str | None,
                 lang: str = "en", *, default_zone: str = "UTC"
                 ) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The text and keyboard of one ledger row, or None if its content no longer exists."""
    if kind == ZONE_RESET:
        return zone_reset_text(content_id or "", default_zone), None
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
    anchor = pack.anchor(nudge.anchor)
    seconds = (f"{nudge.seconds // 60} min" if nudge.seconds % 60 == 0
               else f"{nudge.seconds} s")
    lines = [f"{anchor.emoji} <b>{html.escape(localize(anchor.label, lang))}</b> · {seconds} of "
             f"{html.escape(nudge.kind)}",
             html.escape(localize(nudge.text, lang))]
    if nudge.safety_note is not None:
        lines.append(f"⚠️ {html.escape(localize(nudge.safety_note, lang))}")
    lines += ["", REPLY_LINE]
    return "\n".join(lines), nudge_keyboard(delivery_id)


def done_note(when: str) -> str:
    return f"✅ Done — logged for {when}. Nice one!"


def too_late_to_snooze(quiet_start: str | None) -> str:
    """Why a snooze that would reach tomorrow is refused; the buttons stay for a Done later."""
    why = f"Your quiet hours start at {quiet_start}, so that's" if quiet_start else "That's"
    return f"{why} too late for a reminder today. Tap ✅ Done if you do it."


def snoozed(until: str) -> tuple[str, str]:
    """(the tap's answer, the note added to the message)."""
    return f"Snoozed until {until}", f"⏰ Snoozed until {until}."


# What each answer to "Still want these?" says: (the tap's answer, the note).
BACKOFF_TEXTS = {
    "keep": ("Daily it is", "👍 Great, I'll keep nudging you every day."),
    "every_other_day": ("Every other day", "👍 Every other day it is."),
    "paused": ("Paused", "⏸ Nudges paused. Send /resume whenever you want them back."),
}
