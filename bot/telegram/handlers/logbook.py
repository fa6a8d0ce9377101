"""Logging sessions by replying, /log, plain text that reads as a log, and /history and /stats.

Which text this module claims (everything else falls through to the other handlers and the
fallback reply): replies to our nudges, suggestions and /log prompt, and plain text that
`looks_like_log` (a known activity with an amount). The decision is a synchronous filter, so an
unclaimed message never enters a handler here.

Idempotence: a log made from a message is keyed by (user, message id) in the database, so a
redelivered update finds the first log; button taps re-check the database, never memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.coach.log_parser import OTHER, CouldNotRead, LogEntry, looks_like_log, parse_log
from bot.coach.nudge_choice import HABIT_ACTIVITY
from bot.coach.pain_check import assess_pain, mentions_red_flag, record_sign, safety_reply
from bot.coach.phases import pain_limits
from bot.coach.profile import RunnerProfile
from bot.coach.progress import (
    CHART_WEEKS,
    compare_weeks,
    pause_freeze,
    rest_days_allowed,
    streaks,
    weekly_series,
)
from bot.coach.schedule import local_date, week_bounds
from bot.coach.vocabulary import build_vocabulary
from bot.content import ContentPack
from bot.db.logs import LogChanges, LogRecord, LogRepository, NewLog
from bot.progress_chart import render_weekly_minutes
from bot.telegram.context import CoachContext, services_of
from bot.telegram.views import logbook as views

if TYPE_CHECKING:
    from bot.telegram.context import CoachApplication

# Below this parser confidence a message gets the clarifying question instead of a log.
CONFIDENT = 0.5
DEFAULT_CLARIFY_CHOICES = ("swimming", "road_bike", "strength")
CLARIFY_CHOICES = 3
# Callback prefixes of the messages a reply to which is a log (nudges carry REPLY_TO_LOG
# instead: their buttons go once answered, and "Still want these?" shares their prefix).
_LOGGABLE_PREFIXES = ("sg:",)
# Callback ids beyond BIGINT cannot be ours; refusing them keeps the driver from overflowing.
_MAX_ID = 2**63 - 1
_LOG_COMMAND_RE = re.compile(r"^/log(?:@\w+)?(?:\s+|$)", re.IGNORECASE)


# --- which messages are ours ---------------------------------------------------------------------


def _callback_data(message: Message | None) -> list[str]:
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return []
    return [b.callback_data for row in markup.inline_keyboard for b in row
            if isinstance(b.callback_data, str)]


def answers_our_message(reply: Message | None) -> bool:
    """A reply to one of our nudges or suggestions, or to the /log prompt. A nudge is known by
    its "reply to log" line, which stays after Done, Snooze or Skip took its buttons away."""
    if reply is None or reply.from_user is None or not reply.from_user.is_bot:
        return False
    text = reply.text or ""
    if text.startswith(views.LOG_PROMPT) or views.REPLY_TO_LOG in text:
        return True
    return any(data.startswith(_LOGGABLE_PREFIXES) for data in _callback_data(reply))


class _ClaimsText(filters.MessageFilter):
    """Text this module should answer: replies to our messages, or text that reads as a log."""

    def __init__(self, pack: ContentPack) -> None:
        super().__init__(name="LogText")
        self._pack = pack

    def filter(self, message: Message) -> bool:
        if message.text is None:
            return False
        if answers_our_message(message.reply_to_message):
            return True
        return looks_like_log(message.text, build_vocabulary(self._pack))


# --- what a reply is tied to ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the message answers: a nudge, a suggestion, the /log prompt, or nothing."""

    source: str = "text"
    bot_message_id: int | None = None
    nudge_delivery_id: int | None = None
    activity_id: str | None = None
    session_id: str | None = None
    default_minutes: float | None = None


def _content_activity(pack: ContentPack, content_id: str | None
                      ) -> tuple[str | None, str | None, float | None]:
    """(activity, session, minutes) that a nudge or suggestion's content stands for."""
    if content_id is None:
        return None, None, None
    session = pack.sessions.get(content_id)
    if session is not None:
        return session.activity, session.id, float(session.minutes)
    nudge = pack.nudges.get(content_id)
    if nudge is not None:
        activity = HABIT_ACTIVITY.get(nudge.kind)
        activity = activity if activity in pack.activities else OTHER
        return activity, None, round(nudge.seconds / 60, 1)
    if content_id in pack.activities:
        return content_id, None, None
    return None, None, None


async def _target(repo: LogRepository, pack: ContentPack, user_id: int,
                  reply: Message | None) -> Target:
    if reply is None or reply.from_user is None or not reply.from_user.is_bot:
        return Target()
    nudge = await repo.nudge_for_message(user_id, reply.message_id)
    if nudge is not None:
        activity, session, minutes = _content_activity(pack, nudge.content_id)
        return Target("nudge", reply.message_id, nudge.id, activity, session, minutes)
    data = _callback_data(reply)
    if any(d.startswith("sg:") for d in data):
        # The suggestion's buttons carry its session id; find it without knowing their layout.
        tokens = {token for d in data for token in re.split(r"[:|,]", d)}
        session_id = next((t for t in sorted(tokens) if t in pack.sessions), None)
        activity, session, minutes = _content_activity(pack, session_id)
        return Target("suggestion", reply.message_id, None, activity, session, minutes)
    if (reply.text or "").startswith(views.LOG_PROMPT):
        return Target("command", reply.message_id)
    return Target("text", reply.message_id)


# --- helpers -------------------------------------------------------------------------------------


def _repo(context: CoachContext) -> LogRepository:
    return LogRepository(context.services.db)


def _zone(context: CoachContext) -> str:
    record = context.user_record
    return (record.timezone if record else None) or context.services.settings.default_timezone


def _today(context: CoachContext) -> date:
    return local_date(context.services.clock.now(), _zone(context))


def _strip_command(text: str) -> str:
    return _LOG_COMMAND_RE.sub("", text, count=1).strip()


async def _safe_edit(message: Any, text: str, markup: InlineKeyboardMarkup | None = None
                     ) -> None:
    if not isinstance(message, Message):
        return
    with contextlib.suppress(BadRequest):  # already edited, or too old to edit: harmless
        await message.edit_text(text, reply_markup=markup)


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
    await _log_message(update, context, text, Target(source="command"))


async def on_text(update: Update, context: CoachContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None and update.effective_user
    target = await _target(_repo(context), context.services.content, update.effective_user.id,
                           message.reply_to_message)
    await _log_message(update, context, message.text, target)


async def _log_message(update: Update, context: CoachContext, text: str, target: Target) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    pack = context.services.content
    today = _today(context)
    entry = parse_log(text, build_vocabulary(pack), today)
    new = _new_log(entry, target, user_id=user.id, message_id=message.message_id,
                   text=text, today=today, context=context)
    if new is None:
        await _ask_to_clarify(update, context, text, entry, target, today)
        return
    repo = _repo(context)
    bare = isinstance(entry, LogEntry) and entry.activity_id == OTHER and entry.status != "logged"
    if bare and target.nudge_delivery_id is not None:
        await repo.respond_to_nudge(target.nudge_delivery_id, new.status, new.logged_at)
        earlier = await repo.live_log_for_nudge(user.id, target.nudge_delivery_id)
        if earlier is not None and earlier.status == new.status:
            await message.reply_text(
                f"Already logged: {views.describe(pack, earlier, today)}",
                reply_markup=views.log_keyboard(earlier.id))
            return
    effort_word = entry.effort_word if isinstance(entry, LogEntry) else None
    await _store_and_confirm(update, context, new, target, effort_word, today)


def _has_details(entry: LogEntry) -> bool:
    return any(v is not None for v in (entry.minutes, entry.distance_km, entry.effort, entry.pain))


def _new_log(entry: LogEntry | CouldNotRead, target: Target, *, user_id: int, message_id: int,
             text: str, today: date, context: CoachContext) -> NewLog | None:
    """The log a message makes, or None when we should ask what it meant."""
    if not isinstance(entry, LogEntry):
        return None
    activity, session = entry.activity_id, entry.session_id
    minutes = entry.minutes
    if activity == OTHER:
        if target.activity_id is None or not (entry.status != "logged" or _has_details(entry)):
            return None
        # "done", "20 min, rpe 5": the nudge or suggestion says what was done.
        activity, session = target.activity_id, target.session_id
        if minutes is None and entry.status == "done":
            minutes = target.default_minutes
    elif entry.confidence < CONFIDENT:
        return None
    elif session is None and activity == target.activity_id:
        session = target.session_id
    status = "skipped" if entry.status == "skipped" else "done"
    return NewLog(
        user_id=user_id, source_message_id=message_id,
        performed_on=today - timedelta(days=entry.day_offset),
        logged_at=context.services.clock.now(), activity_id=activity, session_id=session,
        minutes=minutes if status == "done" else None, distance_km=entry.distance_km,
        effort=entry.effort, pain=entry.pain, status=status, source=target.source,
        nudge_delivery_id=target.nudge_delivery_id, raw_text=text[:4096], notes=entry.notes[:1000],
    )


async def _store_and_confirm(update: Update, context: CoachContext, new: NewLog, target: Target,
                             effort_word: str | None, today: date,
                             question: Message | None = None) -> None:
    """Create the log (once), confirm it, and run the pain check. With `question`, the
    clarifying question is edited into the confirmation instead of a new message."""
    repo = _repo(context)
    pack = context.services.content
    message = update.effective_message
    assert message is not None
    log, created = await repo.create(new)
    if not created:
        if log.undone:
            await message.reply_text("You undid this log. Send /log to log it again.")
        else:
            await message.reply_text(f"Already logged: {views.describe(pack, log, today)}",
                                     reply_markup=views.log_keyboard(log.id))
        return
    replaced = []
    if target.bot_message_id is not None:
        replaced = await repo.supersede(new.user_id, bot_message_id=target.bot_message_id,
                                        keep_log_id=log.id, now=new.logged_at)
    if target.nudge_delivery_id is not None:
        await repo.respond_to_nudge(target.nudge_delivery_id, log.status, new.logged_at)
    text = views.confirmation(pack, log, today, effort_word=effort_word,
                              replaced_button_log=bool(replaced))
    if question is not None:
        await _safe_edit(question, text, views.log_keyboard(log.id))
    else:
        await message.reply_text(text, reply_markup=views.log_keyboard(log.id))
    await pain_check(update, context, log)


async def pain_check(update: Update, context: CoachContext, log: LogRecord) -> None:
    """After a logged session (a message, or a Done button): injured runners get "Any pain
    during?"; pain given in the text, or a red flag in it, is judged at once."""
    if log.status != "done":
        return
    chat = update.effective_chat
    assert chat is not None
    profile = await context.services.profiles.get(log.user_id)
    injured = profile is not None and profile.injury_status != "none"
    # A warning sign in the text is answered at once, before any question about the score.
    if log.pain is not None or mentions_red_flag(log.raw_text):
        await _judge_pain(context, chat.id, log, log.pain, profile=profile,
                          notes=log.raw_text)
    if log.pain is None and injured:
        await context.bot.send_message(chat.id, views.PAIN_QUESTION,
                                       reply_markup=views.pain_keyboard(log.id))


async def _judge_pain(context: CoachContext, chat_id: int, log: LogRecord, pain: int | None,
                      *, profile: RunnerProfile | None, notes: str = "") -> bool:
    """The safety reply when the pain or a sign calls for it. `notes` is the text to read for
    warning signs: the log's own text when it is first logged or edited, nothing when only the
    score is added later (the text was read already)."""
    previous = await _repo(context).previous_pain(log.user_id, log.id)
    pack = context.services.content
    condition = profile.condition_id if profile and profile.injury_status != "none" else None
    limits = pain_limits(pack, condition)
    verdict = assess_pain(pain, previous, limits, notes=notes,
                          profile_red_flags=profile is not None
                          and profile.unresolved_red_flags)
    flagged = record_sign(profile, verdict, notes) if profile is not None else None
    if flagged is not None:
        await context.services.profiles.save(flagged, context.services.clock.now())
    if verdict.step_down:
        await context.bot.send_message(
            chat_id, html.escape(safety_reply(pack, verdict, pain, previous, limits)))
    return verdict.step_down


# --- the clarifying question ---------------------------------------------------------------------


async def _ask_to_clarify(update: Update, context: CoachContext, text: str,
                          entry: LogEntry | CouldNotRead, target: Target, today: date) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    repo = _repo(context)
    pack = context.services.content
    parsed = entry if isinstance(entry, LogEntry) else None
    data = {
        "text": text[:1000], "message_id": message.message_id, "today": today.isoformat(),
        "source": target.source, "bot_message_id": target.bot_message_id,
        "nudge_delivery_id": target.nudge_delivery_id, "session_id": target.session_id,
        "entry": None if parsed is None else {
            "activity_id": parsed.activity_id, "session_id": parsed.session_id,
            "minutes": parsed.minutes, "distance_km": parsed.distance_km,
            "effort": parsed.effort, "effort_word": parsed.effort_word, "pain": parsed.pain,
            "day_offset": parsed.day_offset, "status": parsed.status, "notes": parsed.notes,
        },
    }
    if not await repo.start_clarify(user.id, data, context.services.clock.now()):
        await message.reply_text("I couldn't read that as a session. Try e.g. "
                                 "<i>/log swam 30 min easy</i>.")
        return
    choices = [c for c in (parsed.activity_id if parsed else None, target.activity_id) if c]
    recent = await repo.recent(user.id, since=today - timedelta(days=28))
    by_use: dict[str, int] = {}
    for log in recent:
        by_use[log.activity_id] = by_use.get(log.activity_id, 0) + 1
    choices += sorted(by_use, key=lambda a: -by_use[a])
    choices += DEFAULT_CLARIFY_CHOICES
    picked = list(dict.fromkeys(c for c in choices if c in pack.activities))[:CLARIFY_CHOICES]
    question = await message.reply_text(views.clarify_text(text),
                                         reply_markup=views.clarify_keyboard(pack, picked))
    await repo.set_clarify_keyboard(user.id, question.message_id)


async def _on_clarify(update: Update, context: CoachContext, choice: str) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    pack = context.services.content
    question = query.message
    if not isinstance(question, Message):
        await query.answer(views.STALE)
        return
    pending = await _repo(context).finish_clarify(user.id, question.message_id)
    if pending is None:
        await query.answer(views.STALE)
        return
    await query.answer()
    if choice == "no" or (choice != OTHER and choice not in pack.activities):
        await _safe_edit(question, views.NOT_LOGGED)
        return
    data = pending.data
    parsed: dict[str, Any] = data.get("entry") or {}
    asked_on = date.fromisoformat(data["today"])
    day_offset = int(parsed.get("day_offset") or 0)
    session = parsed.get("session_id") or data.get("session_id")
    if session not in pack.sessions or pack.sessions[session].activity != choice:
        session = None
    status = "skipped" if parsed.get("status") == "skipped" else "done"
    text = str(data.get("text", ""))
    new = NewLog(
        user_id=user.id, source_message_id=int(data["message_id"]),
        performed_on=asked_on - timedelta(days=day_offset),
        logged_at=context.services.clock.now(), activity_id=choice, session_id=session,
        minutes=parsed.get("minutes") if status == "done" else None,
        distance_km=parsed.get("distance_km"), effort=parsed.get("effort"),
        pain=parsed.get("pain"), status=status, source=str(data.get("source") or "text"),
        nudge_delivery_id=data.get("nudge_delivery_id"), raw_text=text,
        notes=text if choice == OTHER else str(parsed.get("notes") or ""),
    )
    target = Target(source=new.source, bot_message_id=data.get("bot_message_id"),
                    nudge_delivery_id=new.nudge_delivery_id)
    await _store_and_confirm(update, context, new, target, parsed.get("effort_word"),
                             _today(context), question=question)


# --- edits ---------------------------------------------------------------------------------------


async def on_edit(update: Update, context: CoachContext) -> None:
    """An edited message updates its log; an edit that first makes a message a log, logs it."""
    edited, user = update.edited_message, update.effective_user
    if edited is None or edited.text is None or user is None:
        return
    repo = _repo(context)
    pack = context.services.content
    is_command = _LOG_COMMAND_RE.match(edited.text) is not None
    text = _strip_command(edited.text) if is_command else edited.text
    if edited.text.startswith("/") and not is_command:
        return
    log = await repo.by_message(user.id, edited.message_id)
    if log is None:
        if not text:
            return
        target = await _target(repo, pack, user.id, edited.reply_to_message)
        if is_command or target.bot_message_id is not None or looks_like_log(
                text, build_vocabulary(pack)):
            if is_command and target.source == "text":
                target = Target(source="command")
            await _log_message(update, context, text, target)
        return
    today = _today(context)
    if log.undone:
        await edited.reply_text("You undid this log, so I left it undone. "
                                "Send /log to log it again.")
        return
    asked_on = local_date(log.logged_at, _zone(context))
    entry = parse_log(text, build_vocabulary(pack), asked_on)
    if not isinstance(entry, LogEntry) or (entry.activity_id == OTHER and entry.status == "logged"
                                           and not _has_details(entry)):
        await edited.reply_text(
            f"I couldn't read the edited message, so the log stays as it was: "
            f"{views.describe(pack, log, today)}", reply_markup=views.log_keyboard(log.id))
        return
    activity, session = entry.activity_id, entry.session_id
    if activity == OTHER:
        # "done" or "40 min" on a reply: the activity stays what the log already says.
        activity, session = log.activity_id, log.session_id if not entry.session_id else session
    status = "skipped" if entry.status == "skipped" else "done"
    changes = LogChanges(
        performed_on=asked_on - timedelta(days=entry.day_offset), activity_id=activity,
        session_id=session, minutes=entry.minutes if status == "done" else None,
        distance_km=entry.distance_km, effort=entry.effort,
        pain=entry.pain if entry.pain is not None else log.pain, status=status,
        raw_text=text[:4096], notes=entry.notes[:1000],
    )
    updated = await repo.update_from_edit(user.id, edited.message_id, changes)
    if updated is None:
        return
    if updated.nudge_delivery_id is not None and updated.status != log.status:
        # "swam 20 min" edited into "skipped": the nudge's answer follows the log.
        await repo.respond_to_nudge(updated.nudge_delivery_id, updated.status,
                                    context.services.clock.now())
    await edited.reply_text(
        views.confirmation(pack, updated, today, effort_word=entry.effort_word, updated=True),
        reply_markup=views.log_keyboard(updated.id))
    if entry.pain is not None and entry.pain != log.pain:
        profile = await context.services.profiles.get(user.id)
        await _judge_pain(context, edited.chat_id, updated, entry.pain, profile=profile,
                          notes=updated.raw_text)


# --- buttons -------------------------------------------------------------------------------------


async def on_button(update: Update, context: CoachContext) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = (query.data or "").split(":")
    try:
        action = parts[1]
        if action == "c" and len(parts) == 3:
            await _on_clarify(update, context, parts[2])
        elif action == "undo" and len(parts) == 3:
            await _on_undo(update, context, _number(parts[2]))
        elif action == "edit" and len(parts) == 3:
            await _on_edit_button(update, context, _number(parts[2]))
        elif action == "pain" and len(parts) == 4:
            await _on_pain(update, context, _number(parts[2]), _number(parts[3]))
        elif action == "h" and len(parts) == 3:
            await _on_history_page(update, context, _number(parts[2]))
        else:
            await query.answer(views.STALE)
    except (IndexError, ValueError):
        await query.answer(views.STALE)


def _number(text: str) -> int:
    """A non-negative id or offset from callback data; ValueError for anything else."""
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_ID:
        raise ValueError(text)
    return int(text)


async def _on_undo(update: Update, context: CoachContext, log_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    log, changed = await _repo(context).undo(user.id, log_id, context.services.clock.now())
    if log is None:
        await query.answer(views.STALE)
        return
    if not changed:
        await query.answer(views.ALREADY_UNDONE)
        return
    await query.answer("Undone")
    described = views.describe(context.services.content, log, _today(context))
    await _safe_edit(query.message, f"↩️ Undone: <s>{described}</s>")


async def _on_edit_button(update: Update, context: CoachContext, log_id: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    log = await _repo(context).get(user.id, log_id)
    if log is None or log.undone:
        await query.answer(views.ALREADY_UNDONE if log else views.STALE)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.reply_text(views.EDIT_HELP)


async def _on_pain(update: Update, context: CoachContext, log_id: int, pain: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    repo = _repo(context)
    log = await repo.get(user.id, log_id)
    if log is None or not 0 <= pain <= 10:
        await query.answer(views.STALE)
        return
    if log.undone:
        await query.answer("That log was undone.")
        return
    already = log.pain == pain
    updated = await repo.set_pain(user.id, log_id, pain)
    assert updated is not None
    await query.answer("Noted")
    await _safe_edit(query.message, f"Pain during: {pain}/10. Noted, thank you.")
    if already:
        return  # a double tap: the safety reply has been sent once already
    profile = await context.services.profiles.get(user.id)
    chat = update.effective_chat
    assert chat is not None
    await _judge_pain(context, chat.id, updated, pain, profile=profile)


# --- /history and /stats -------------------------------------------------------------------------


async def history_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text, markup = await _history_page(context, user.id, 0)
    await message.reply_text(text, reply_markup=markup)


async def _history_page(context: CoachContext, user_id: int, offset: int
                        ) -> tuple[str, InlineKeyboardMarkup | None]:
    offset = max(0, offset)
    logs, total = await _repo(context).history(user_id, offset=offset, limit=views.HISTORY_PAGE)
    text = views.history_text(context.services.content, logs, total, offset, _today(context))
    return text, views.history_keyboard(offset, len(logs), total)


async def _on_history_page(update: Update, context: CoachContext, offset: int) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    text, markup = await _history_page(context, user.id, offset)
    await _safe_edit(query.message, text, markup)


async def stats_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    repo = _repo(context)
    zone = _zone(context)
    today = _today(context)
    monday, _ = week_bounds(today)
    facts = await repo.facts_since(user.id, monday - timedelta(weeks=CHART_WEEKS - 1))
    profile = await services.profiles.get(user.id)
    days_per_week = profile.days_per_week if profile is not None else None
    active = await repo.active_days(user.id)
    record = context.user_record
    paused_until = record.paused_until if record is not None else None
    paused_from = record.paused_from if record is not None else None
    pauses = pause_freeze(local_date(paused_until, zone) if paused_until else None,
                          local_date(paused_from, zone) if paused_from else None, active, today)
    streak = streaks(active, today, days_per_week=days_per_week, pauses=pauses)
    comparison = compare_weeks(facts, today)
    await message.reply_text(views.stats_text(services.content, comparison, streak,
                                              rest_days_allowed(days_per_week)))
    series = weekly_series(facts, today)
    shown = {a for week in series for a in week.minutes_by_activity}
    names = {a: views.activity_name(services.content, a) for a in shown}
    png = await asyncio.to_thread(render_weekly_minutes, series, names)
    await message.reply_photo(png, caption=f"Minutes per week, last {CHART_WEEKS} weeks")


# --- wiring --------------------------------------------------------------------------------------


def handlers(application: CoachApplication) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers, in order, for group 0 before the fallbacks."""
    pack = services_of(application).content
    new_message = filters.UpdateType.MESSAGE
    return [
        CommandHandler("log", log_command, filters=new_message),
        CommandHandler("history", history_command, filters=new_message),
        CommandHandler("stats", stats_command, filters=new_message),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, on_edit),
        MessageHandler(new_message & filters.TEXT & ~filters.COMMAND & _ClaimsText(pack),
                       on_text),
        CallbackQueryHandler(on_button, pattern=r"^lg:"),
    ]


def register(application: CoachApplication) -> None:
    for handler in handlers(application):
        application.add_handler(handler, group=0)
