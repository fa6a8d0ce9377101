"""Onboarding, /settings, /injury and /cancel: the user actions around the step-by-step flows.

The rules live in `bot.coach.onboarding` (each answer) and `bot.coach.settings_rules` (steps,
zone, next nudge). Asking a question is two halves: the action says which question comes next,
the handler sends it, and `asked` stores its message id as the live keyboard, in the action's
one write transaction (the question must exist before its id can be stored, and the network is
never awaited inside a transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Literal

from bot.actions.actor import Actor, transaction
from bot.coach.onboarding import (
    SECTIONS,
    Draft,
    Step,
    answer,
    completion_heading,
    injury_outlook,
    next_step,
    previous_step,
)
from bot.coach.profile import RunnerProfile
from bot.coach.schedule import local_date
from bot.coach.settings_rules import (
    FLOWS,
    StoredSchedule,
    as_step,
    draft_today,
    draft_zone,
    flow_steps,
    next_nudge,
)
from bot.coach.timezones import zone_info
from bot.db.conversations import Conversation
from bot.db.unit import Unit
from bot.services import Services

# What goes above a question: how the view opens it.
Lead = Literal["", "greeting", "resume", "injury", "more", "error"]
BACK = "__back"


@dataclass(frozen=True)
class Question:
    """A step to ask. The handler sends it (or, `in_place`, edits the tapped question into it)
    and then calls `asked` with the message id."""

    flow: str
    step: Step
    draft: Draft
    section: str | None = None
    with_back: bool = False
    lead: Lead = ""
    error: str = ""  # with lead "error": why the answer was not taken
    in_place: bool = False

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = {"draft": self.draft.to_json()}
        if self.section is not None:
            data["section"] = self.section
        return data


@dataclass(frozen=True)
class WelcomeBack:
    """/start from someone already set up."""


def _question(flow: str, step: Step, draft: Draft, section: str | None, *,
              lead: Lead = "", error: str = "", in_place: bool = False) -> Question:
    with_back = step != "summary" and previous_step(
        step, draft, flow_steps(flow, section)) is not None
    return Question(flow, step, draft, section, with_back, lead, error, in_place)


def _draft(conv: Conversation) -> Draft:
    return Draft.from_json(conv.data.get("draft", {}))


def _section(conv: Conversation) -> str | None:
    section = conv.data.get("section")
    return section if isinstance(section, str) and section in SECTIONS else None


def _stored(actor: Actor) -> StoredSchedule:
    user = actor.user
    return StoredSchedule(user.timezone, user.paused_until, user.quiet_start, user.quiet_end,
                          user.every_other_day_from)


async def start(services: Services, actor: Actor) -> Question | WelcomeBack:
    """/start: pick up the onboarding where it stopped, welcome back, or begin."""
    conv = actor.conversation
    step = as_step(conv.step) if conv is not None else None
    if conv is not None and conv.flow == "onboarding" and step is not None:
        return _question(conv.flow, step, _draft(conv), _section(conv), lead="resume")
    if actor.user.onboarded:
        return WelcomeBack()
    return _question("onboarding", "disclaimer", Draft(), None, lead="greeting")


async def asked(services: Services, actor: Actor, question: Question, message_id: int) -> None:
    """`question` was sent (or edited in place) as `message_id`: its keyboard is the live one."""
    async with transaction(services, actor) as unit:
        await services.conversations.save(actor.id, question.flow, question.step,
                                           question.state(), message_id, services.clock.now(),
                                           unit=unit)


# -- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Close:
    """Take the keyboard off the answered question; `echo` shows the answer under it when the
    question was tapped."""

    message_id: int
    echo: str | None = None


@dataclass(frozen=True)
class Completed:
    """Onboarding saved."""

    heading: str
    first_nudge: datetime | None  # local time of the runner's zone
    outlook: tuple[str, ...]


@dataclass(frozen=True)
class SectionSaved:
    """A /settings or /injury section saved."""

    flow: str
    draft: Draft
    next_nudge: datetime | None  # local time of the runner's zone
    outlook: tuple[str, ...]
    default_quiet: tuple[time, time]


@dataclass(frozen=True)
class Answered:
    """What one answer leads to, in the order the handler shows it: the tap's toast, the old
    question closed, a notice, then what follows (a question to send, or what was saved)."""

    toast: str | None = None
    stale: bool = False  # a tap on a question that has passed
    close: Close | None = None
    notice: str | None = None
    then: Question | Completed | SectionSaved | None = None


def _is_live(conv: Conversation | None) -> bool:
    return conv is not None and conv.flow in FLOWS and as_step(conv.step) is not None


async def tapped_answer(services: Services, actor: Actor, step: str, value: str,
                 message_id: int | None) -> Answered:
    """A button of a question: only the live question's keyboard counts."""
    conv = actor.conversation
    if (conv is None or not _is_live(conv) or conv.step != step or message_id is None
            or conv.keyboard_message_id != message_id):
        return Answered(stale=True)
    return await _answer(services, actor, conv, value, typed=False)


async def typed_answer(services: Services, actor: Actor, text: str | None = None,
                location: tuple[float, float] | None = None) -> Answered | None:
    """Typed text or a shared location; None when no flow of ours waits for it."""
    conv = actor.conversation
    if conv is None or not _is_live(conv):
        return None
    if location is not None:
        if conv.step != "timezone":
            return None
        value = f"loc:{location[0]},{location[1]}"
    elif text is not None and not text.startswith("/"):
        value = text
    else:
        return None
    return await _answer(services, actor, conv, value, typed=True)


def _close(conv: Conversation, echo: str | None = None) -> Close | None:
    if conv.keyboard_message_id is None:
        return None
    return Close(conv.keyboard_message_id, echo)


async def _answer(services: Services, actor: Actor, conv: Conversation, value: str, *,
                  typed: bool) -> Answered:
    step = as_step(conv.step)
    assert step is not None  # only live conversations get here
    draft = _draft(conv)
    section = _section(conv)
    steps = flow_steps(conv.flow, section)

    if value == BACK:
        back = previous_step(step, draft, steps)
        if back is None:
            return Answered()
        return Answered(close=_close(conv, "Back"),
                        then=_question(conv.flow, back, draft, section))

    if step == "summary" and value.startswith("edit:"):
        chosen = value.split(":", 1)[1]
        if chosen not in SECTIONS:
            return Answered(stale=True)
        return Answered(close=_close(conv, f"Edit {chosen}"),
                        then=_question(conv.flow, SECTIONS[chosen][0], draft, chosen))

    now = services.clock.now()
    today = draft_today(draft, _stored(actor), services.settings.default_timezone, now)
    outcome = answer(step, value, draft, services.content, typed=typed, today=today)
    if not outcome.accepted:
        if not typed and outcome.goto is None:
            return Answered(toast=outcome.error)
        # Re-ask (or ask the step it sends us to). The draft is kept: a rejected answer may
        # still have recorded something on purpose, such as a warning sign it mentioned.
        return Answered(close=_close(conv),
                        then=_question(conv.flow, outcome.goto or step, draft, section,
                                       lead="error", error=outcome.error or ""))
    if outcome.stay:
        if not typed:  # the tapped question changes in place (equipment ticks)
            return Answered(then=_question(conv.flow, step, draft, section, in_place=True))
        return Answered(close=_close(conv),
                        then=_question(conv.flow, step, draft, section, lead="more"))

    close = _close(conv, outcome.echo)
    following = outcome.goto or next_step(step, draft, steps)
    then: Question | Completed | SectionSaved | None = None
    if conv.flow == "onboarding":
        if step == "summary":
            then = await _complete(services, actor, draft)
        elif following is not None:
            # A section edited from the summary ends back at the summary, no longer in it.
            back_to_summary = section is not None and following == "summary"
            then = _question(conv.flow, following, draft, None if back_to_summary else section)
    elif following is not None:
        then = _question(conv.flow, following, draft, section)
    else:
        then = await _save_section(services, actor, conv.flow, draft, section)
    return Answered(close=close, notice=outcome.notice, then=then)


def _local(moment: datetime | None, zone: str) -> datetime | None:
    return None if moment is None else moment.astimezone(zone_info(zone))


async def _complete(services: Services, actor: Actor, draft: Draft) -> Completed:
    now = services.clock.now()
    stored = _stored(actor)
    zone = draft_zone(draft, stored, services.settings.default_timezone)
    due = next_nudge(draft, stored, now, zone, services.default_quiet)
    today = local_date(now, zone)
    profile = draft.to_profile(actor.id, zone, today, services.content)
    async with transaction(services, actor) as unit:
        # Also ends the conversation.
        await services.user_settings.complete_onboarding(
            profile, draft.local_nudge_time, zone, due, now, unit=unit)
    return Completed(completion_heading(draft, services.content), _local(due, zone),
                     tuple(injury_outlook(draft, services.content, today)))


async def _save_section(services: Services, actor: Actor, flow: str, draft: Draft,
                        section: str | None) -> SectionSaved:
    """The end of a /settings or /injury edit: save just that section."""
    now = services.clock.now()
    stored = _stored(actor)
    zone = draft_zone(draft, stored, services.settings.default_timezone)
    due = next_nudge(draft, stored, now, zone, services.default_quiet)
    today = local_date(now, zone)
    async with transaction(services, actor) as unit:
        before = await services.profiles.get(actor.id, unit=unit) if section == "injury" \
            else None
        await services.profiles.save(draft.to_profile(actor.id, zone, today, services.content),
                                     now, unit=unit)
        await services.user_settings.update_nudge_settings(
            actor.id, draft.local_nudge_time, zone, due, draft.quiet_hours, unit=unit)
        await services.conversations.clear(actor.id, unit=unit)
    outlook: tuple[str, ...] = ()
    if section == "injury":
        # The phase never moves silently: say where it stands, changed or not.
        outlook = tuple(injury_outlook(draft, services.content, today,
                                       old_phase=before.phase if before else None))
    quiet = services.default_quiet
    return SectionSaved(flow, draft, _local(due, zone), outlook, (quiet.start, quiet.end))


# -- /settings, /injury, /cancel -------------------------------------------------------------


@dataclass(frozen=True)
class NotOnboarded:
    """Asked for settings before the profile exists."""


@dataclass(frozen=True)
class SettingsShown:
    draft: Draft
    default_quiet: tuple[time, time]


def _settings_draft(actor: Actor, profile: RunnerProfile | None) -> Draft | None:
    user = actor.user
    if not user.onboarded or profile is None:
        return None
    return Draft.from_profile(profile, user.nudge_time, user.timezone, _stored(actor).quiet)


async def _read_settings(services: Services, actor: Actor, unit: Unit | None = None
                         ) -> Draft | None:
    if not actor.user.onboarded:
        return None
    if unit is not None:
        return _settings_draft(actor, await services.profiles.get(actor.id, unit=unit))
    # A question follows, and storing it is the action's one write: read outside it.
    async with services.db.reading() as reading:
        return _settings_draft(actor, await services.profiles.get(actor.id, unit=reading))


async def show_settings(services: Services, actor: Actor) -> SettingsShown | NotOnboarded:
    """/settings: what is set, with a button per section."""
    async with transaction(services, actor) as unit:
        draft = await _read_settings(services, actor, unit)
    if draft is None:
        return NotOnboarded()
    quiet = services.default_quiet
    return SettingsShown(draft, (quiet.start, quiet.end))


@dataclass(frozen=True)
class Stale:
    """A tap on a settings keyboard that no longer applies."""


async def open_section(services: Services, actor: Actor, section: str) -> Question | Stale:
    """A section button of /settings: its first question."""
    if section not in SECTIONS:
        return Stale()
    draft = await _read_settings(services, actor)
    if draft is None:
        return Stale()
    return _question("settings", SECTIONS[section][0], draft, section)


async def update_injury(services: Services, actor: Actor) -> Question | NotOnboarded:
    """/injury: the injury questions again, from the top."""
    draft = await _read_settings(services, actor)
    if draft is None:
        return NotOnboarded()
    return _question("injury", "injury_status", draft, "injury", lead="injury")


@dataclass(frozen=True)
class Cancelled:
    keyboard_message_id: int | None
    onboarded: bool


@dataclass(frozen=True)
class NothingToCancel:
    pass


async def cancel(services: Services, actor: Actor) -> Cancelled | NothingToCancel:
    """/cancel: leave the flow, changing nothing it was about to save."""
    conv = actor.conversation
    if conv is None:
        return NothingToCancel()
    async with transaction(services, actor) as unit:
        await services.conversations.clear(actor.id, unit=unit)
    return Cancelled(conv.keyboard_message_id, actor.user.onboarded)

