"""What logging and progress look like in the chat: texts and keyboards. No I/O.

Callback data, built and read through the codec (views/callbacks.py), all under 64 bytes:
  lg:undo:<log_id>          undo a log            lg:edit:<log_id>   how to correct a log
  lg:pain:<log_id>:<0-10>   pain during a session lg:c:<activity_id|other|no>  clarifying answer
  lg:h:<offset>             a /history page
"""

from __future__ import annotations

import html
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.log_parser import OTHER
from bot.coach.progress import Streak, Streaks, WeekComparison
from bot.content import ContentPack
from bot.db.logs import LogRecord
from bot.telegram.views.callbacks import Button, Int, Token

CALLBACK_PREFIX = "lg"
PREFIX = f"{CALLBACK_PREFIX}:"  # how every log button's data starts
UNDO = Button(CALLBACK_PREFIX, "undo", (Int(),))
EDIT = Button(CALLBACK_PREFIX, "edit", (Int(),))
PAIN = Button(CALLBACK_PREFIX, "pain", (Int(), Int(0, 10)))
CLARIFY = Button(CALLBACK_PREFIX, "c", (Token(),))  # an activity id, "other" or "no"
HISTORY = Button(CALLBACK_PREFIX, "h", (Int(),))
HISTORY_PAGE = 10
OTHER_EMOJI = "📝"
LOG_PROMPT = "What did you do? Reply to this message, e.g. swam 30 min easy, or bike 1h15 tempo."
# The line on every daily nudge; a reply to a message carrying it is a log tied to the nudge.
REPLY_TO_LOG = "Reply to this message to log what you did."
CLARIFY_QUESTION = "Did you want to log a session?"
EDIT_HELP = (
    "To correct this log, edit your original message (Telegram: long-press it, then Edit) and "
    "I'll update the log. Or tap Undo and send a corrected /log, e.g. /log swam 40 min easy."
)
NOT_LOGGED = "OK, I haven't logged anything."
ALREADY_UNDONE = "Already undone"
STALE = "That button has expired."
PAIN_QUESTION = "Any pain during? 0 = none, 10 = the worst imaginable."
ALREADY_UNDONE_LOG = "You undid this log. Send /log to log it again."
EDIT_OF_UNDONE = "You undid this log, so I left it undone. Send /log to log it again."
CANNOT_CLARIFY = "I couldn't read that as a session. Try e.g. <i>/log swam 30 min easy</i>."


def activity_label(pack: ContentPack, activity_id: str, lang: str = "en") -> str:
    """"🏊 Swimming"; unknown ids (and "other") show as "📝 Other"."""
    activity = pack.activities.get(activity_id)
    if activity is None:
        return f"{OTHER_EMOJI} Other"
    name = activity.name.get(lang) or activity.name["en"]
    return f"{activity.emoji} {html.escape(name)}"


def activity_name(pack: ContentPack, activity_id: str, lang: str = "en") -> str:
    activity = pack.activities.get(activity_id)
    if activity is None:
        return "Other"
    return activity.name.get(lang) or activity.name["en"]


def minutes_text(minutes: float) -> str:
    if minutes < 1:
        return f"{round(minutes * 60)} s"
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if hours == 0:
        return f"{whole} min"
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def km_text(km: float) -> str:
    return f"{km:.2f}".rstrip("0").rstrip(".") + " km"


def day_text(performed_on: date, today: date) -> str | None:
    if performed_on == today:
        return None
    if performed_on == today - timedelta(days=1):
        return "yesterday"
    return performed_on.strftime("on %a %-d %b")


def effort_text(effort: int | None, effort_word: str | None) -> str | None:
    if effort_word:
        return effort_word
    return f"RPE {effort}" if effort is not None else None


def describe(pack: ContentPack, log: LogRecord, today: date, *, effort_word: str | None = None,
             lang: str = "en") -> str:
    """"🏊 Swimming, 30 min, easy" (HTML-escaped)."""
    head = activity_label(pack, log.activity_id, lang)
    session = pack.sessions.get(log.session_id) if log.session_id else None
    if session is not None:
        head += f" ({html.escape(session.title.get(lang) or session.title['en'])})"
    parts = [head]
    if log.status == "skipped":
        parts.append("skipped")
    if log.minutes is not None:
        parts.append(minutes_text(log.minutes))
    if log.distance_km is not None:
        parts.append(km_text(log.distance_km))
    effort = effort_text(log.effort, effort_word)
    if effort:
        parts.append(effort)
    if log.pain is not None:
        parts.append(f"pain {log.pain}/10")
    when = day_text(log.performed_on, today)
    if when:
        parts.append(when)
    if log.activity_id == OTHER and log.notes:
        parts.append(f"“{html.escape(log.notes[:80])}”")
    return ", ".join(parts)


def confirmation(pack: ContentPack, log: LogRecord, today: date, *, effort_word: str | None,
                 updated: bool = False, replaced_button_log: bool = False) -> str:
    verb = "Updated" if updated else "Logged"
    text = f"✅ {verb}: {describe(pack, log, today, effort_word=effort_word)}"
    if replaced_button_log:
        text += "\n(This replaces your earlier ✅ Done, so it counts once.)"
    return text


def log_keyboard(log_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("↩️ Undo", callback_data=UNDO.data(log_id)),
        InlineKeyboardButton("✏️ Edit", callback_data=EDIT.data(log_id)),
    ]])


def pain_keyboard(log_id: int) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(str(n), callback_data=PAIN.data(log_id, n))
               for n in range(11)]
    return InlineKeyboardMarkup([buttons[:6], buttons[6:]])


def clarify_keyboard(pack: ContentPack, activity_ids: list[str]) -> InlineKeyboardMarkup:
    """[🏊 Swimming] [🚴 Road cycling] [💪 Strength training] / [Other…] [No]."""
    row = []
    for activity_id in activity_ids:
        activity = pack.activities.get(activity_id)
        if activity is not None:
            short = activity.name["en"].split(" (")[0]
            row.append(InlineKeyboardButton(f"{activity.emoji} {short}",
                                            callback_data=CLARIFY.data(activity_id)))
    return InlineKeyboardMarkup([
        row,
        [InlineKeyboardButton("Other…", callback_data=CLARIFY.data(OTHER)),
         InlineKeyboardButton("No", callback_data=CLARIFY.data("no"))],
    ])


def clarify_text(user_text: str) -> str:
    quoted = html.escape(user_text[:200])
    return (f"{CLARIFY_QUESTION}\n\n“{quoted}”\n\n"
            "Tap the activity, or No if it wasn't a session.")


def history_text(pack: ContentPack, logs: list[LogRecord], total: int, offset: int,
                 today: date) -> str:
    if total == 0:
        return ("No sessions logged yet. Tell me what you did, e.g. <i>swam 30 min</i>, "
                "or reply to one of my messages.")
    if not logs:
        return "No more sessions on this page."
    first, last = offset + 1, offset + len(logs)
    lines = [f"<b>Your sessions</b> ({first}–{last} of {total}, newest first)", ""]
    for log in logs:
        lines.append(f"{log.performed_on.strftime('%a %-d %b')}: "
                     f"{describe(pack, log, log.performed_on)}")
    return "\n".join(lines)


def history_keyboard(offset: int, shown: int, total: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if offset + shown < total:
        buttons.append(InlineKeyboardButton(
            "◀️ Older", callback_data=HISTORY.data(offset + HISTORY_PAGE)))
    if offset > 0:
        buttons.append(InlineKeyboardButton(
            "Newer ▶️", callback_data=HISTORY.data(max(0, offset - HISTORY_PAGE))))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _streak_line(label: str, streak: Streak | None) -> str:
    if streak is None:
        return f"{label}: none yet"
    sessions = "session" if streak.active_days == 1 else "sessions"
    days = "day" if streak.days == 1 else "days"
    return (f"{label}: {streak.days} {days} ({streak.active_days} {sessions}, "
            f"since {streak.start.strftime('%a %-d %b')})")


def stats_text(pack: ContentPack, comparison: WeekComparison, streak: Streaks,
               rest_days: int) -> str:
    this, last = comparison.this_week, comparison.last_week
    lines = [
        f"<b>This week</b> ({this.monday.strftime('%a %-d %b')} – "
        f"{this.sunday.strftime('%a %-d %b')}) vs last week",
        "",
    ]
    if not comparison.activities:
        lines.append("No sessions in the last two weeks yet.")
    for activity_id in comparison.activities:
        now_min = this.minutes_by_activity.get(activity_id, 0.0)
        now_n = this.sessions_by_activity.get(activity_id, 0)
        was_min = last.minutes_by_activity.get(activity_id, 0.0)
        was_n = last.sessions_by_activity.get(activity_id, 0)
        lines.append(f"{activity_label(pack, activity_id)}: {_amount(now_min, now_n)} "
                     f"(last week {_amount(was_min, was_n)})")
    change = comparison.minutes_change
    trend = "↑" if change > 0 else "↓" if change < 0 else "="
    lines += [
        "",
        f"<b>Total:</b> {_amount(this.total_minutes, this.sessions)} "
        f"(last week {_amount(last.total_minutes, last.sessions)}) {trend}",
        "",
        "🔥 " + _streak_line("Current streak", streak.current),
        "🏆 " + _streak_line("Best streak", streak.best),
        f"<i>Streaks allow {rest_days} rest day{'s' if rest_days != 1 else ''} a week, "
        "and a pause for injury freezes them.</i>",
    ]
    return "\n".join(lines)


def _amount(minutes: float, sessions: int) -> str:
    word = "session" if sessions == 1 else "sessions"
    return f"{minutes_text(minutes) if minutes else '0 min'} in {sessions} {word}"
