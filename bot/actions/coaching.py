"""Coaching actions: /suggest and its card's buttons, /convert and its answers, /week.

Each function is one user action: it reads (and writes) in one unit of work and returns a plain
result for `bot.telegram.views.coaching`. Read-only actions read through `db.reading()`; the
gate's pending presence is then written by the update's settle step, still one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from bot.actions.actor import Actor, transaction
from bot.coach import rotation
from bot.coach.advice import clinician_advice
from bot.coach.profile import RunnerProfile
from bot.coach.rotation import Step
from bot.coach.run_converter import (
    Conversion,
    RunWorkout,
    UnreadableRun,
    conversion,
    parse_pace,
    parse_run,
)
from bot.coach.suggest import (
    Constraints,
    PastSession,
    Suggestion,
    Suggestions,
    explain,
    safety_state,
    suggest,
)
from bot.coach.week_plan import PlannedDay, plan_week
from bot.coach.windows import COACH_HISTORY_DAYS
from bot.db.coaching import CONVERT_FLOW, ConvertState, convert_data
from bot.db.logs import NewLog
from bot.db.unit import Unit
from bot.services import Services

# The logs the coach looks back on for variety, balance, progression and pain.
WEEK_DAYS = 7

Reason = Literal[
    "expired",  # a malformed, unknown or too old button
    "not_onboarded",  # no profile yet
    "already_logged",  # Done on a card already logged
    "logged",  # Another / Shorter / Longer on a card already logged
    "no_longer_fits",  # Why for a session the profile no longer allows
    "log_changed",  # How it felt, after the Done log was undone or replaced
    "day_passed",  # a day of an old /week plan
]


@dataclass(frozen=True)
class Refused:
    """The action did nothing, for this reason."""

    reason: Reason


@dataclass(frozen=True)
class Suggested:
    profile: RunnerProfile
    suggestions: Suggestions


@dataclass(frozen=True)
class Swapped:
    """Another / Shorter / Longer. `chosen` None: nothing else fits (`step` says which way)."""

    profile: RunnerProfile
    suggestions: Suggestions
    chosen: Suggestion | None
    step: Step | None = None  # None for Another
    wrapped: bool = False  # Another ran out of sessions and starts at the top again


@dataclass(frozen=True)
class Explained:
    chosen: Suggestion
    others: list[Suggestion]


@dataclass(frozen=True)
class Logged:
    log_id: int
    ask_pain: bool  # an injured runner is asked about pain, which feeds the next suggestions


@dataclass(frozen=True)
class Felt:
    feeling: str


@dataclass(frozen=True)
class AskRun:
    """Ask (again) for the run to replace; `problem` says why the last answer did not do."""

    problem: str | None = None


@dataclass(frozen=True)
class AskPace:
    run_text: str
    unreadable: bool = False  # the last answer was not a pace


@dataclass(frozen=True)
class Converted:
    profile: RunnerProfile
    asked: RunWorkout
    conversion: Conversion
    learnt_pace: int | None = None  # the pace the runner just told us (sec/km)


@dataclass(frozen=True)
class Week:
    days: list[PlannedDay]
    see_clinician: bool
    advice: str | None


@dataclass(frozen=True)
class WeekDay:
    profile: RunnerProfile
    day: PlannedDay


SuggestResult = Refused | Suggested
SwapResult = Refused | Swapped
WhyResult = Refused | Explained
DoneResult = Refused | Logged
FeelResult = Refused | Felt
ConvertResult = Refused | AskRun | AskPace | Converted
WeekResult = Refused | Week
DayResult = Refused | WeekDay

_NOT_ONBOARDED = Refused("not_onboarded")
_EXPIRED = Refused("expired")


async def _history(services: Services, actor: Actor, today: date, unit: Unit
                   ) -> list[PastSession]:
    return await services.coaching.recent_history(
        actor.id, today - timedelta(days=COACH_HISTORY_DAYS), unit=unit)


# ---------------------------------------------------------------------------------- /suggest


async def suggest_session(services: Services, actor: Actor) -> SuggestResult:
    """/suggest and the menu's button: today's best session."""
    today = actor.today(services)
    async with services.db.reading() as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
        if profile is None:
            return _NOT_ONBOARDED
        history = await _history(services, actor, today, unit)
    return Suggested(profile, suggest(services.content, profile, history, today))


async def swap(services: Services, actor: Actor, *, session_id: str, message_id: int,
               shown_at: datetime, step: Step | None) -> SwapResult:
    """Another (`step` None), Shorter or Longer on the card showing `session_id`."""
    pack = services.content
    current = pack.sessions.get(session_id)
    if current is None:
        return _EXPIRED
    now = services.clock.now()
    if rotation.is_stale(shown_at, now):
        return _EXPIRED
    today = actor.today(services, now)
    async with services.db.reading() as unit:
        if await services.logs.by_message(actor.id, message_id, unit=unit):
            return Refused("logged")
        profile = await services.profiles.get(actor.id, unit=unit)
        if profile is None:
            return _NOT_ONBOARDED
        history = await _history(services, actor, today, unit)
    if step is None:
        result = suggest(pack, profile, history, today)
        picked = rotation.another(result.ranked, session_id)
        return Swapped(profile, result, picked.chosen, wrapped=picked.wrapped)
    result = suggest(pack, profile, history, today, Constraints(
        preference=step, reference_minutes=current.minutes,
        exclude_ids=frozenset({session_id})))
    return Swapped(profile, result, rotation.stepped(result, current, step), step)


async def why(services: Services, actor: Actor, *, session_id: str, shown_at: datetime
              ) -> WhyResult:
    """Why this one: the reasons for the session on the card, and two others that fit."""
    pack = services.content
    now = services.clock.now()
    if session_id not in pack.sessions or rotation.is_stale(shown_at, now):
        return _EXPIRED
    today = actor.today(services, now)
    async with services.db.reading() as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
        if profile is None:
            return _NOT_ONBOARDED
        history = await _history(services, actor, today, unit)
    chosen = explain(pack, profile, history, today, session_id)
    if chosen is None:
        return Refused("no_longer_fits")
    result = suggest(pack, profile, history, today)
    return Explained(chosen, [s for s in result.ranked if s.session.id != session_id][:2])


async def done(services: Services, actor: Actor, *, session_id: str, message_id: int,
               shown_at: datetime) -> DoneResult:
    """Done: log the card's session for today, once, keyed by the card's message."""
    session = services.content.sessions.get(session_id)
    if session is None:
        return _EXPIRED
    now = services.clock.now()
    async with transaction(services, actor) as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
        if profile is None:
            return _NOT_ONBOARDED
        if await services.logs.by_message(actor.id, message_id, unit=unit):
            return Refused("already_logged")
        if rotation.is_stale(shown_at, now):
            return _EXPIRED
        log, created = await services.logs.create(NewLog(
            user_id=actor.id, source_message_id=message_id,
            performed_on=actor.today(services, now), logged_at=now,
            activity_id=session.activity, session_id=session.id,
            minutes=float(session.minutes), status="done", source="suggestion",
        ), unit=unit)
    if not created:
        return Refused("already_logged")
    return Logged(log.id, ask_pain=profile.injury_status != "none")


async def felt(services: Services, actor: Actor, *, session_id: str, message_id: int,
               effort: int) -> FeelResult:
    """The answer to "How did it feel?": the effort on the log Done made from the card."""
    word = rotation.feeling(effort)
    if word is None or session_id not in services.content.sessions:
        return _EXPIRED
    async with transaction(services, actor) as unit:
        changed = await services.coaching.set_suggestion_effort(actor.id, message_id, effort,
                                                                unit=unit)
    # Unchanged: no live Done log for this card (undone, or replaced by a detailed reply).
    return Felt(word) if changed else Refused("log_changed")


# ---------------------------------------------------------------------------------- /convert
#
# A prompt's message id must be stored, and it is only known once the prompt is sent: so the
# actions below decide without writing when the outcome is a prompt (AskRun, AskPace), the
# handler sends it, and `remember_prompt` writes the state. A final answer (Converted) ends the
# flow in the action's own transaction. Either way, one write transaction per message.


async def convert(services: Services, actor: Actor, text: str) -> ConvertResult:
    """/convert [run]: ask for the run, or convert the one in the command."""
    async with services.db.reading() as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
    if profile is None:
        return _NOT_ONBOARDED
    if not text:
        return AskRun()
    return await _convert_run(services, actor, profile, text)


async def convert_answer(services: Services, actor: Actor, state: ConvertState, text: str
                         ) -> ConvertResult:
    """The runner's answer to the current /convert prompt (`state`)."""
    async with services.db.reading() as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
    if profile is None:
        return _NOT_ONBOARDED
    text = text.strip()
    if state.step == "run":
        return await _convert_run(services, actor, profile, text)
    run_text = str(state.data.get("run", ""))
    pace = parse_pace(text)
    if pace is None and not rotation.is_dont_know(text):
        return AskPace(run_text, unreadable=True)
    run = parse_run(run_text, pace)
    if isinstance(run, UnreadableRun):  # cannot happen: the text parsed before; be safe anyway
        return AskRun()
    if pace is not None:
        profile = replace(profile, run_pace_sec_per_km=pace)
    return await _finish(services, actor, profile, run, learnt_pace=pace)


async def _convert_run(services: Services, actor: Actor, profile: RunnerProfile, text: str
                       ) -> ConvertResult:
    run = parse_run(text, profile.run_pace_sec_per_km)
    if isinstance(run, UnreadableRun):
        return AskRun(run.message)
    if run.needs_pace:
        return AskPace(text)
    return await _finish(services, actor, profile, run)


async def _finish(services: Services, actor: Actor, profile: RunnerProfile, run: RunWorkout,
                  *, learnt_pace: int | None = None) -> Converted:
    """End the flow (storing a pace the runner just gave) and convert `run`."""
    now = services.clock.now()
    today = actor.today(services, now)
    in_flow = actor.conversation is not None and actor.conversation.flow == CONVERT_FLOW
    if in_flow or learnt_pace is not None:
        async with transaction(services, actor) as unit:
            if learnt_pace is not None:
                await services.profiles.save(profile, now, unit=unit)
            if in_flow:
                await services.coaching.clear_convert_state(actor.id, unit=unit)
            history = await _history(services, actor, today, unit)
    else:  # nothing to end: a read
        async with services.db.reading() as unit:
            history = await _history(services, actor, today, unit)
    result = conversion(services.content, profile, run, history, today)
    return Converted(profile, run, result, learnt_pace)


async def remember_prompt(services: Services, actor: Actor, *, prompt_message_id: int,
                          ask: AskRun | AskPace) -> None:
    """Store the prompt just sent, so its answer (a reply, or the next plain message) is read
    as one; replaces any other flow: the runner chose /convert."""
    step, data = ("pace", {"run": ask.run_text}) if isinstance(ask, AskPace) else ("run", {})
    now = services.clock.now()
    async with transaction(services, actor) as unit:
        await services.conversations.save(actor.id, CONVERT_FLOW, step, convert_data(data, now),
                                          prompt_message_id, now, unit=unit)


# ------------------------------------------------------------------------------------- /week


async def week(services: Services, actor: Actor) -> WeekResult:
    """/week: the next seven days, with the advice for today's safety state."""
    pack = services.content
    today = actor.today(services)
    async with services.db.reading() as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
        if profile is None:
            return _NOT_ONBOARDED
        history = await _history(services, actor, today, unit)
    days = plan_week(pack, profile, history, today)
    state = safety_state(pack, profile, history, today)
    advice = clinician_advice(pack, state.mode, state.urgency, state.see_clinician)
    return Week(days, state.see_clinician, advice)


async def week_day(services: Services, actor: Actor, *, start: date, offset: int) -> DayResult:
    """A day button of a /week plan that started on `start`."""
    # The plan runs a week from `start`: a forged far-future date would overflow it.
    if not 0 <= offset < WEEK_DAYS or start > date.max - timedelta(days=WEEK_DAYS - 1):
        return _EXPIRED
    today = actor.today(services)
    async with services.db.reading() as unit:
        profile = await services.profiles.get(actor.id, unit=unit)
        if profile is None:
            return _NOT_ONBOARDED
        if start + timedelta(days=offset) < today:
            return Refused("day_passed")
        history = await _history(services, actor, today, unit)
    days = plan_week(services.content, profile, history, start)
    return WeekDay(profile, days[offset])
