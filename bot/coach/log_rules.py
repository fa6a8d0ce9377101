"""How a session log is made: from parsed text, a Done tap, a clarifying answer, or an edit.

Pure: every way of logging goes through these rules, so the fallbacks are the same everywhere
(an activity the pack does not know is logged as "other"; a habit as its kind's activity, via
the pack). The repositories store what these return; no database, no Telegram, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from bot.coach.log_parser import LOOKS_LIKE_LOG_THRESHOLD, OTHER, CouldNotRead, LogEntry
from bot.content import ContentPack

__all__ = [
    "CLARIFY_CHOICES",
    "CONFIDENT",
    "DEFAULT_CLARIFY_CHOICES",
    "OTHER",
    "Content",
    "Draft",
    "EditBase",
    "clarified_draft",
    "clarify_choices",
    "content_defaults",
    "done_draft",
    "draft_from_entry",
    "edit_draft",
    "is_bare_answer",
    "reads_as_log",
]

# Below this parser confidence a message gets the clarifying question instead of a log.
CONFIDENT = 0.5
# Offered on the clarifying question after the message's own guess and the runner's usual ones.
DEFAULT_CLARIFY_CHOICES = ("swimming", "road_bike", "strength")
CLARIFY_CHOICES = 3
# Stored text is capped like Telegram's own messages; notes are shorter.
MAX_TEXT = 4096
MAX_NOTES = 1000

LogStatus = Literal["done", "skipped"]


@dataclass(frozen=True, slots=True)
class Content:
    """What a nudge's or suggestion's content stands for when it is logged."""

    activity_id: str
    session_id: str | None = None
    minutes: float | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """The facts of a log, before it has an owner, a message id or a time."""

    performed_on: date
    activity_id: str
    session_id: str | None = None
    minutes: float | None = None
    distance_km: float | None = None
    effort: int | None = None
    pain: int | None = None
    status: LogStatus = "done"
    notes: str = ""


@dataclass(frozen=True, slots=True)
class EditBase:
    """What an edit keeps from the log it changes."""

    activity_id: str
    session_id: str | None
    pain: int | None


def content_defaults(pack: ContentPack, content_id: str | None) -> Content | None:
    """The activity, session and minutes a session, habit or activity id stands for; None when
    the id is none of them. A habit is logged as its kind's activity, and any activity the pack
    does not know as "other": the one fallback of every way of logging."""
    if content_id is None:
        return None
    session = pack.sessions.get(content_id)
    if session is not None:
        return Content(_known(pack, session.activity), session.id, float(session.minutes))
    nudge = pack.nudges.get(content_id)
    if nudge is not None:
        try:
            activity = pack.habit_activity(nudge.kind)
        except KeyError:  # a pack without habit kinds (hand-built in tests)
            activity = OTHER
        return Content(_known(pack, activity), None, round(nudge.seconds / 60, 1))
    if content_id in pack.activities:
        return Content(content_id)
    return None


def _known(pack: ContentPack, activity_id: str) -> str:
    return activity_id if activity_id in pack.activities else OTHER


def done_draft(pack: ContentPack, content_id: str | None, performed_on: date) -> Draft:
    """A Done tap on a nudge or a suggestion: its content, with its default minutes."""
    content = content_defaults(pack, content_id) or Content(OTHER)
    return Draft(performed_on, content.activity_id, content.session_id, content.minutes)


def has_details(entry: LogEntry) -> bool:
    return any(v is not None for v in (entry.minutes, entry.distance_km, entry.effort, entry.pain))


def reads_as_log(entry: LogEntry | CouldNotRead) -> bool:
    """For plain text that is not a reply: is it clearly a log, with no question needed? A known
    activity with an amount (or a session), or an explicit skip of one; a bare "done" is not
    enough, since without a reply nothing says what was done. (`looks_like_log`'s rule, on a
    parse the caller already has.)"""
    if not isinstance(entry, LogEntry) or entry.activity_id == OTHER:
        return False
    if entry.status == "skipped":
        return entry.confidence >= LOOKS_LIKE_LOG_THRESHOLD
    has_amount = entry.minutes is not None or entry.distance_km is not None \
        or entry.session_id is not None
    return has_amount and entry.confidence >= LOOKS_LIKE_LOG_THRESHOLD


def is_bare_answer(entry: LogEntry | CouldNotRead) -> bool:
    """"done" or "skipped" with nothing else: an answer to the message it replies to."""
    return isinstance(entry, LogEntry) and entry.activity_id == OTHER and entry.status != "logged"


def _status(entry: LogEntry) -> LogStatus:
    return "skipped" if entry.status == "skipped" else "done"


def draft_from_entry(entry: LogEntry | CouldNotRead, today: date,
                     answered: Content | None = None) -> Draft | None:
    """The log a message makes, or None when we should ask what it meant. `answered` is what
    the nudge or suggestion it replies to stands for."""
    if not isinstance(entry, LogEntry):
        return None
    activity, session, minutes = entry.activity_id, entry.session_id, entry.minutes
    if activity == OTHER:
        if answered is None or not (entry.status != "logged" or has_details(entry)):
            return None
        # "done", "20 min, rpe 5": the nudge or suggestion says what was done.
        activity, session = answered.activity_id, answered.session_id
        if minutes is None and entry.status == "done":
            minutes = answered.minutes
    elif entry.confidence < CONFIDENT:
        return None
    elif session is None and answered is not None and activity == answered.activity_id:
        session = answered.session_id
    status = _status(entry)
    return Draft(today - timedelta(days=entry.day_offset), activity, session,
                 minutes if status == "done" else None, entry.distance_km, entry.effort,
                 entry.pain, status, entry.notes[:MAX_NOTES])


def entry_fields(entry: LogEntry | CouldNotRead) -> dict[str, Any] | None:
    """What the clarifying question keeps of a parse, as plain JSON."""
    if not isinstance(entry, LogEntry):
        return None
    return {
        "activity_id": entry.activity_id, "session_id": entry.session_id,
        "minutes": entry.minutes, "distance_km": entry.distance_km, "effort": entry.effort,
        "effort_word": entry.effort_word, "pain": entry.pain, "day_offset": entry.day_offset,
        "status": entry.status, "notes": entry.notes,
    }


def clarified_draft(pack: ContentPack, choice: str, parsed: Mapping[str, Any], text: str,
                    asked_on: date, answered_session: str | None = None) -> Draft | None:
    """The log the answer to "Did you want to log a session?" makes from the kept parse
    (`entry_fields`); None for "No" or an activity the pack does not know."""
    if choice == "no" or (choice != OTHER and choice not in pack.activities):
        return None
    session = parsed.get("session_id") or answered_session
    if session not in pack.sessions or pack.sessions[session].activity != choice:
        session = None
    status: LogStatus = "skipped" if parsed.get("status") == "skipped" else "done"
    return Draft(
        asked_on - timedelta(days=int(parsed.get("day_offset") or 0)), choice, session,
        parsed.get("minutes") if status == "done" else None, parsed.get("distance_km"),
        parsed.get("effort"), parsed.get("pain"), status,
        text if choice == OTHER else str(parsed.get("notes") or ""),
    )


def edit_draft(entry: LogEntry | CouldNotRead, base: EditBase, asked_on: date) -> Draft | None:
    """What an edited message makes of its log; None when the edit cannot be read (the log then
    stays as it was)."""
    if not isinstance(entry, LogEntry) or (entry.activity_id == OTHER and entry.status == "logged"
                                           and not has_details(entry)):
        return None
    activity, session = entry.activity_id, entry.session_id
    if activity == OTHER:
        # "done" or "40 min" on a reply: the activity stays what the log already says.
        activity, session = base.activity_id, session or base.session_id
    status = _status(entry)
    return Draft(asked_on - timedelta(days=entry.day_offset), activity, session,
                 entry.minutes if status == "done" else None, entry.distance_km, entry.effort,
                 entry.pain if entry.pain is not None else base.pain, status,
                 entry.notes[:MAX_NOTES])


def clarify_choices(pack: ContentPack, guessed: str | None, answered: str | None,
                    recent_activity_ids: Iterable[str]) -> list[str]:
    """The activities offered on the clarifying question, best first: the message's own guess,
    what the message answers, the runner's most used in the recent logs, then the defaults."""
    by_use: dict[str, int] = {}
    for activity_id in recent_activity_ids:
        by_use[activity_id] = by_use.get(activity_id, 0) + 1
    choices = [c for c in (guessed, answered) if c]
    choices += sorted(by_use, key=lambda a: -by_use[a])
    choices += DEFAULT_CLARIFY_CHOICES
    return list(dict.fromkeys(c for c in choices if c in pack.activities))[:CLARIFY_CHOICES]
