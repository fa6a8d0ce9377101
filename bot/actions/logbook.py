"""Logging sessions: a message (free text, a reply, /log), the clarifying answer, an edit, Undo
and the pain score.

Each action reads and writes in ONE transaction: the log, the button logs it replaces, the
nudge it answers, and the pain judgment with the warning sign it may keep on the profile. The
handler sends the replies afterwards, from the plain result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from bot.actions.actor import Actor, transaction
from bot.coach.log_parser import CouldNotRead, LogEntry, parse_log
from bot.coach.log_rules import (
    Content,
    Draft,
    EditBase,
    clarified_draft,
    clarify_choices,
    content_defaults,
    draft_from_entry,
    edit_draft,
    entry_fields,
    is_bare_answer,
    reads_as_log,
)
from bot.coach.pain_check import assess_pain, mentions_red_flag, record_sign, safety_reply
from bot.coach.phases import pain_limits
from bot.coach.profile import RunnerProfile
from bot.coach.schedule import local_date
from bot.coach.vocabulary import build_vocabulary
from bot.coach.windows import COACH_HISTORY_DAYS
from bot.db.logs import LogChanges, LogRecord, NewLog
from bot.db.unit import Unit
from bot.services import Services

# The suggestion's buttons carry its session id; it is found without knowing their layout.
_SUGGESTION_PREFIX = "sg:"
_TOKEN_SPLIT = re.compile(r"[:|,]")
MAX_TEXT = 4096
# How far back the runner's usual activities are read for the clarifying question.
CLARIFY_HISTORY = timedelta(days=COACH_HISTORY_DAYS)

Outcome = Literal[
    "logged",          # a new log
    "already",         # this message was logged before (`log` is that log)
    "undone_before",   # this message's log was undone; it stays undone
    "clarify",         # ask "Did you want to log a session?" with `choices`
    "cannot_clarify",  # unclear, and another conversation is running: say how to log
    "not_a_log",       # plain text that is not a log: the fallback answers it
    "not_logged",      # "No" on the clarifying question
    "stale",           # a button whose question or log is gone
    "updated",         # an edit changed the log
    "unreadable_edit",  # an edit that cannot be read: the log stays (`log`)
    "ignored",         # nothing to do
]


@dataclass(frozen=True)
class Reply:
    """The bot message a user's message replies to, as the handler read it."""

    message_id: int
    is_log_prompt: bool = False
    callback_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """What a message answers: a nudge, a suggestion, the /log prompt, or nothing."""

    source: str = "text"
    bot_message_id: int | None = None
    nudge_delivery_id: int | None = None
    content: Content | None = None


@dataclass(frozen=True)
class PainFollowUp:
    """What follows a log: the safety reply (plain text) and whether to ask the score."""

    safety_text: str | None = None
    ask_score: bool = False


@dataclass(frozen=True)
class LogResult:
    outcome: Outcome
    today: date
    log: LogRecord | None = None
    replaced: bool = False
    effort_word: str | None = None
    pain: PainFollowUp = field(default_factory=PainFollowUp)
    choices: tuple[str, ...] = ()
    # The unclear message, stored by `remember_question` once the question is sent.
    clarify_data: dict[str, Any] | None = None


class _Decided(Exception):
    """Leaves a unit of work that must not commit: the action decided without writing, so what
    the gate learnt stays pending for the write that follows the reply."""

    def __init__(self, result: LogResult) -> None:
        self.result = result


def parse(services: Services, text: str, day: date) -> LogEntry | CouldNotRead:
    return parse_log(text, build_vocabulary(services.content), day)


# --- a message -----------------------------------------------------------------------------------


async def log_message(services: Services, actor: Actor, *, text: str, message_id: int,
                      reply: Reply | None, command: bool = False,
                      claim_all: bool = False) -> LogResult:
    """Log a message. Plain text that is not a reply, not /log and does not read as a log
    (`claim_all` False) is left alone ("not_a_log"), before any database work."""
    now = services.clock.now()
    today = actor.today(services, now)
    entry = parse(services, text, today)  # the one parse of this message
    if reply is None and not command and not claim_all and not reads_as_log(entry):
        return LogResult("not_a_log", today)
    try:
        async with transaction(services, actor) as unit:
            target = await _target(services, unit, actor.id, reply, command=command)
            return await _log_in(services, unit, actor.id, entry, text=text,
                                 message_id=message_id, target=target, today=today, now=now)
    except _Decided as decided:
        return decided.result


async def _target(services: Services, unit: Unit, user_id: int, reply: Reply | None,
                  *, command: bool = False) -> Target:
    if reply is None:
        return Target(source="command" if command else "text")
    pack = services.content
    nudge = await services.logs.nudge_for_message(user_id, reply.message_id, unit=unit)
    if nudge is not None:
        return Target("nudge", reply.message_id, nudge.id,
                      content_defaults(pack, nudge.content_id))
    if any(d.startswith(_SUGGESTION_PREFIX) for d in reply.callback_data):
        tokens = {token for d in reply.callback_data for token in _TOKEN_SPLIT.split(d)}
        session_id = next((t for t in sorted(tokens) if t in pack.sessions), None)
        return Target("suggestion", reply.message_id, None, content_defaults(pack, session_id))
    if reply.is_log_prompt:
        return Target("command", reply.message_id)
    # An edited "/log ..." replying to some other message of ours is a plain /log.
    return Target("command") if command else Target("text", reply.message_id)


def _new_log(user_id: int, message_id: int, draft: Draft, target: Target, text: str,
             now: datetime) -> NewLog:
    return NewLog(
        user_id=user_id, source_message_id=message_id, performed_on=draft.performed_on,
        logged_at=now, activity_id=draft.activity_id, session_id=draft.session_id,
        minutes=draft.minutes, distance_km=draft.distance_km, effort=draft.effort,
        pain=draft.pain, status=draft.status, source=target.source,
        nudge_delivery_id=target.nudge_delivery_id, raw_text=text[:MAX_TEXT], notes=draft.notes,
    )


async def _log_in(services: Services, unit: Unit, user_id: int,
                  entry: LogEntry | CouldNotRead, *, text: str, message_id: int, target: Target,
                  today: date, now: datetime) -> LogResult:
    draft = draft_from_entry(entry, today, target.content)
    if draft is None:
        return await _start_clarify(services, unit, user_id, entry, text=text,
                                    message_id=message_id, target=target, today=today, now=now)
    new = _new_log(user_id, message_id, draft, target, text, now)
    if is_bare_answer(entry) and target.nudge_delivery_id is not None:
        # "done" on a nudge already answered with Done: the nudge's log stands.
        await services.logs.respond_to_nudge(target.nudge_delivery_id, new.status, now,
                                             unit=unit)
        earlier = await services.logs.live_log_for_nudge(user_id, target.nudge_delivery_id,
                                                         unit=unit)
        if earlier is not None and earlier.status == new.status:
            return LogResult("already", today, earlier)
    effort_word = entry.effort_word if isinstance(entry, LogEntry) else None
    return await _store(services, unit, new, target, effort_word, today)


async def _store(services: Services, unit: Unit, new: NewLog, target: Target,
                 effort_word: str | None, today: date) -> LogResult:
    """Create the log (once), replace the button logs of the message it answers, answer the
    nudge, and judge the pain: all in the caller's unit."""
    log, created = await services.logs.create(new, unit=unit)
    if not created:
        return LogResult("undone_before" if log.undone else "already", today, log)
    replaced: list[int] = []
    if target.bot_message_id is not None:
        replaced = await services.logs.supersede(new.user_id,
                                                 bot_message_id=target.bot_message_id,
                                                 keep_log_id=log.id, now=new.logged_at,
                                                 unit=unit)
    if target.nudge_delivery_id is not None:
        await services.logs.respond_to_nudge(target.nudge_delivery_id, log.status,
                                             new.logged_at, unit=unit)
    pain = await pain_follow_up(services, unit, log)
    return LogResult("logged", today, log, replaced=bool(replaced), effort_word=effort_word,
                     pain=pain)


# --- the pain check ------------------------------------------------------------------------------


async def pain_follow_up(services: Services, unit: Unit, log: LogRecord) -> PainFollowUp:
    """After a logged session: injured runners are asked "Any pain during?"; pain given in the
    text, or a warning sign in it, is judged at once (in the same unit)."""
    if log.status != "done":
        return PainFollowUp()
    profile = await services.profiles.get(log.user_id, unit=unit)
    injured = profile is not None and profile.injury_status != "none"
    safety = None
    # A warning sign in the text is answered at once, before any question about the score.
    if log.pain is not None or mentions_red_flag(log.raw_text):
        safety = await _judge_pain(services, unit, log, log.pain, profile=profile,
                                   notes=log.raw_text)
    return PainFollowUp(safety, log.pain is None and injured)


async def _judge_pain(services: Services, unit: Unit, log: LogRecord, pain: int | None, *,
                      profile: RunnerProfile | None, notes: str = "") -> str | None:
    """The safety reply when the pain or a sign calls for it. `notes` is the text to read for
    warning signs: the log's own text when it is first logged or edited, nothing when only the
    score is added later (the text was read already). A sign is kept on the profile."""
    pack = services.content
    previous = await services.logs.previous_pain(log.user_id, log.id, unit=unit)
    condition = profile.condition_id if profile and profile.injury_status != "none" else None
    limits = pain_limits(pack, condition)
    verdict = assess_pain(pain, previous, limits, notes=notes,
                          profile_red_flags=profile is not None
                          and profile.unresolved_red_flags)
    flagged = record_sign(profile, verdict, notes) if profile is not None else None
    if flagged is not None:
        await services.profiles.save(flagged, services.clock.now(), unit=unit)
    return safety_reply(pack, verdict, pain, previous, limits) if verdict.step_down else None


# --- the clarifying question ---------------------------------------------------------------------


async def _start_clarify(services: Services, unit: Unit, user_id: int,
                         entry: LogEntry | CouldNotRead, *, text: str, message_id: int,
                         target: Target, today: date, now: datetime) -> LogResult:
    content = target.content
    data: dict[str, Any] = {
        "text": text[:1000], "message_id": message_id, "today": today.isoformat(),
        "source": target.source, "bot_message_id": target.bot_message_id,
        "nudge_delivery_id": target.nudge_delivery_id,
        "session_id": content.session_id if content else None,
        "entry": entry_fields(entry),
    }
    if await services.logs.in_other_flow(user_id, unit=unit):
        return LogResult("cannot_clarify", today)
    recent = await services.logs.recent(user_id, since=today - CLARIFY_HISTORY, unit=unit)
    guessed = entry.activity_id if isinstance(entry, LogEntry) else None
    choices = clarify_choices(services.content, guessed, content.activity_id if content else None,
                              [log.activity_id for log in recent])
    # Nothing is written until the question is sent: `remember_question` stores the text with
    # the question's message id, in the action's one write.
    raise _Decided(LogResult("clarify", today, choices=tuple(choices), clarify_data=data))


async def remember_question(services: Services, actor: Actor, question_id: int,
                            data: dict[str, Any]) -> None:
    """Keep the unclear text with the clarifying question's message id (known only once it was
    sent): only a tap on that message answers it."""
    async with transaction(services, actor) as unit:
        await services.logs.start_clarify(actor.id, data, services.clock.now(),
                                          keyboard_message_id=question_id, unit=unit)


async def answer_clarify(services: Services, actor: Actor, *, question_id: int,
                         choice: str) -> LogResult:
    now = services.clock.now()
    today = actor.today(services, now)
    async with transaction(services, actor) as unit:
        pending = await services.logs.finish_clarify(actor.id, question_id, unit=unit)
        if pending is None:
            return LogResult("stale", today)
        data = pending.data
        text = str(data.get("text", ""))
        draft = clarified_draft(services.content, choice, data.get("entry") or {}, text,
                                date.fromisoformat(data["today"]), data.get("session_id"))
        if draft is None:
            return LogResult("not_logged", today)
        target = Target(source=str(data.get("source") or "text"),
                        bot_message_id=data.get("bot_message_id"),
                        nudge_delivery_id=data.get("nudge_delivery_id"))
        new = _new_log(actor.id, int(data["message_id"]), draft, target, text, now)
        effort_word = (data.get("entry") or {}).get("effort_word")
        return await _store(services, unit, new, target, effort_word, today)


# --- edits ---------------------------------------------------------------------------------------


async def edit_message(services: Services, actor: Actor, *, message_id: int, text: str,
                       reply: Reply | None, command: bool) -> LogResult:
    """An edited message updates its log; an edit that first makes a message a log, logs it."""
    now = services.clock.now()
    today = actor.today(services, now)
    try:
        async with transaction(services, actor) as unit:
            log = await services.logs.by_message(actor.id, message_id, unit=unit)
            if log is None:
                if not text:
                    return LogResult("ignored", today)
                entry = parse(services, text, today)
                target = await _target(services, unit, actor.id, reply, command=command)
                if command or target.bot_message_id is not None or reads_as_log(entry):
                    return await _log_in(services, unit, actor.id, entry, text=text,
                                         message_id=message_id, target=target, today=today,
                                         now=now)
                return LogResult("ignored", today)
            if log.undone:
                return LogResult("undone_before", today, log)
            asked_on = local_date(log.logged_at, actor.zone(services))
            entry = parse(services, text, asked_on)
            draft = edit_draft(entry, EditBase(log.activity_id, log.session_id, log.pain), asked_on)
            if draft is None:
                return LogResult("unreadable_edit", today, log)
            changes = LogChanges(
                performed_on=draft.performed_on, activity_id=draft.activity_id,
                session_id=draft.session_id, minutes=draft.minutes, distance_km=draft.distance_km,
                effort=draft.effort, pain=draft.pain, status=draft.status,
                raw_text=text[:MAX_TEXT], notes=draft.notes)
            updated = await services.logs.update_from_edit(actor.id, message_id, changes, unit=unit)
            if updated is None:
                return LogResult("ignored", today)
            if updated.nudge_delivery_id is not None and updated.status != log.status:
                # "swam 20 min" edited into "skipped": the nudge's answer follows the log.
                await services.logs.respond_to_nudge(updated.nudge_delivery_id, updated.status, now,
                                                     unit=unit)
            pain = PainFollowUp()
            new_pain = entry.pain if isinstance(entry, LogEntry) else None
            if new_pain is not None and new_pain != log.pain:
                profile = await services.profiles.get(actor.id, unit=unit)
                pain = PainFollowUp(await _judge_pain(services, unit, updated, new_pain,
                                                      profile=profile, notes=updated.raw_text))
            effort_word = entry.effort_word if isinstance(entry, LogEntry) else None
            return LogResult("updated", today, updated, effort_word=effort_word, pain=pain)
    except _Decided as decided:
        return decided.result


# --- buttons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndoResult:
    log: LogRecord | None
    changed: bool
    today: date


async def undo(services: Services, actor: Actor, log_id: int) -> UndoResult:
    now = services.clock.now()
    async with transaction(services, actor) as unit:
        log, changed = await services.logs.undo(actor.id, log_id, now, unit=unit)
    return UndoResult(log, changed, actor.today(services, now))


PainOutcome = Literal["stale", "undone", "noted", "again"]


@dataclass(frozen=True)
class PainScoreResult:
    outcome: PainOutcome
    safety_text: str | None = None


async def score_pain(services: Services, actor: Actor, log_id: int, pain: int
                     ) -> PainScoreResult:
    """The answer to "Any pain during?". A second tap of the same score changes nothing and
    is not judged again (its safety reply went out once)."""
    async with transaction(services, actor) as unit:
        log = await services.logs.get(actor.id, log_id, unit=unit)
        if log is None or not 0 <= pain <= 10:
            return PainScoreResult("stale")
        if log.undone:
            return PainScoreResult("undone")
        if log.pain == pain:
            return PainScoreResult("again")
        updated = await services.logs.set_pain(actor.id, log_id, pain, unit=unit)
        assert updated is not None
        profile = await services.profiles.get(actor.id, unit=unit)
        safety = await _judge_pain(services, unit, updated, pain, profile=profile)
    return PainScoreResult("noted", safety)

