"""The daily nudge rules for one due user: pause, one a day, back-off, quiet once done, catch-up.

Pure: the nudge repository reads the due user, their recent ledger and the days they logged
something, calls `decide`, and writes what it returns (a ledger row, the users row update, the
older pending rows it supersedes). No database, no clock: `now` is passed in. Choosing *what*
to send is the chooser's job (`make_chooser`, on `bot.coach.nudge_choice`); `decide` only asks
for a choice when a nudge is to be written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.coach.nudge_choice import (
    NudgeChoice,
    RecentNudge,
    choose_nudge,
    nudge_safety,
    planned_session_for,
)
from bot.coach.profile import RunnerProfile
from bot.coach.safety import Mode
from bot.coach.schedule import (
    QuietHours,
    backoff_action,
    catch_up_decision,
    local_date,
    next_nudge_at,
)
from bot.coach.suggest import PastSession
from bot.content import ContentPack

__all__ = [
    "DAILY_KINDS",
    "NUDGE_KINDS",
    "ChoiceInput",
    "Chooser",
    "DueUser",
    "LedgerEntry",
    "NudgeDecision",
    "PlannedSessionLookup",
    "decide",
    "make_chooser",
    "was_ignored",
]

# Kinds that are "the daily nudge" (as opposed to the back-off messages).
NUDGE_KINDS = ("habit", "session")
# Kinds that take a user's one message of the day (the rules count only these).
DAILY_KINDS = (*NUDGE_KINDS, "backoff_ask", "backoff_pause")
# Only reached when a user without a nudge time is advanced, which `decide` never does; it
# keeps `next_nudge_at`'s argument typed.
_FALLBACK_TIME = time(7, 30)

Outcome = Literal["pending", "skipped", "paused", "duplicate", "unscheduled"]


@dataclass(frozen=True, slots=True)
class DueUser:
    """What the rules need to know about a user whose nudge fell due."""

    id: int
    zone: str
    nudge_time: time | None
    due_at: datetime
    paused_until: datetime | None
    quiet: QuietHours
    ignored: int
    every_other_day_from: date | None
    last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One of the user's recent ledger rows."""

    id: int
    local_date: date
    kind: str
    content_id: str | None
    status: str
    response: str | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class NudgeDecision:
    """What the claim does for one due user. `kind` is None when no ledger row is written."""

    local_date: date
    outcome: Outcome
    next_nudge_at: datetime | None
    ignored: int
    every_other_day_from: date | None
    kind: str | None = None
    content_id: str | None = None
    status: Literal["pending", "skipped"] | None = None
    reason: str | None = None  # why a row is skipped: done_today | late | no_safe_habit
    superseded: tuple[int, ...] = field(default=())


# Asked for today's content with the user's daily ledger rows; None when nothing is safe.
Pick = Callable[[date, Sequence[LedgerEntry]], NudgeChoice | None]


def was_ignored(row: LedgerEntry, last_seen_at: datetime | None) -> bool:
    """A daily nudge that went out and got no answer, and no message from the user since."""
    # The "Still want these?" question counts too: leaving it unanswered is ignoring a nudge,
    # and counting it moves the count past ask_after, so the question is asked only once.
    if row.kind not in (*NUDGE_KINDS, "backoff_ask") or row.status != "sent" \
            or row.response is not None:
        return False
    return not (last_seen_at is not None and row.sent_at is not None
                and last_seen_at >= row.sent_at)


def decide(user: DueUser, now: datetime, grace: timedelta, history: Sequence[LedgerEntry],
           logged_days: set[date], pick: Pick) -> NudgeDecision:
    """The rules for one due user, in order: no nudge time, pause, one a day, back-off, quiet
    once done, catch-up, then the content."""
    # Notices (a reset zone) are not the day's message: the rules look at these kinds only.
    daily = [r for r in history if r.kind in DAILY_KINDS]
    day = local_date(user.due_at, user.zone)
    if user.nudge_time is None:
        # Nothing to schedule from; onboarding sets it again.
        return NudgeDecision(day, "unscheduled", None, user.ignored, user.every_other_day_from)

    paused = user.paused_until if user.paused_until and user.paused_until > now else None

    def advance(every_other: date | None) -> datetime:
        return next_nudge_at(now, user.zone, user.nudge_time or _FALLBACK_TIME,
                             after_local_date=day, every_other_day_from=every_other,
                             paused_until=paused, quiet=user.quiet)

    if paused is not None:
        upcoming = next_nudge_at(now, user.zone, user.nudge_time,
                                 every_other_day_from=user.every_other_day_from,
                                 paused_until=paused, quiet=user.quiet)
        return NudgeDecision(day, "paused", upcoming, user.ignored, user.every_other_day_from)
    if any(r.local_date == day for r in daily):
        # Already handled this local date (e.g. the nudge time was moved later the same day):
        # never a second nudge on one date.
        return NudgeDecision(day, "duplicate", advance(user.every_other_day_from),
                             user.ignored, user.every_other_day_from)

    # Back-off: the previous ledger row is judged once, by the claim that follows it.
    ignored = user.ignored
    earlier = [r for r in daily if r.local_date < day]
    previous = max(earlier, key=lambda r: (r.local_date, r.id)) if earlier else None
    if previous is not None and was_ignored(previous, user.last_seen_at):
        ignored += 1

    status: Literal["pending", "skipped"] = "pending"
    reason: str | None = None
    if day in logged_days:
        status, reason = "skipped", "done_today"  # quiet once done
    elif catch_up_decision(user.due_at, now, grace, zone=user.zone, quiet=user.quiet) == "skip":
        status, reason = "skipped", "late"

    every_other = user.every_other_day_from
    kind = "habit"
    content_id: str | None = None
    action = backoff_action(ignored) if status == "pending" else "none"
    upcoming_at: datetime | None
    if action == "pause":
        kind = "backoff_pause"
        upcoming_at = None
    else:
        if action == "ask_and_every_other_day":
            kind = "backoff_ask"
            every_other = every_other or day
        elif status == "pending":
            choice = pick(day, daily)
            if choice is None:
                status, reason = "skipped", "no_safe_habit"
            else:
                kind, content_id = choice.kind, choice.content_id
        upcoming_at = advance(every_other)

    superseded = tuple(r.id for r in earlier if r.status == "pending") \
        if status == "pending" else ()
    return NudgeDecision(day, status, upcoming_at, ignored, every_other, kind=kind,
                         content_id=content_id, status=status, reason=reason,
                         superseded=superseded)


# -- choosing the content ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceInput:
    """What the content chooser gets for one due user."""

    user_id: int
    today: date
    condition_id: str | None
    phase: str | None
    recent: tuple[RecentNudge, ...]
    done_counts: dict[str, int]
    # The whole profile and the recent logs, for the safety state and today's planned session
    # (None / empty when the repository was built without `history_days`, e.g. in benches).
    profile: RunnerProfile | None = None
    history: tuple[PastSession, ...] = ()


Chooser = Callable[[ChoiceInput], NudgeChoice | None]

# An override for the week planner: (user id, local date) -> the session id planned for that
# day, or None. It runs inside the claim transaction, so it must be a fast, synchronous lookup.
# Without it the chooser follows /week itself (`planned_session_for`, about 1 ms a user).
PlannedSessionLookup = Callable[[int, date], str | None]


def make_chooser(pack: ContentPack, planned: PlannedSessionLookup | None = None) -> Chooser:
    """The content chooser the sweep uses: the coaching safety state, then /week's plan."""

    def choose(data: ChoiceInput) -> NudgeChoice | None:
        condition, phase = data.condition_id, data.phase
        mode: Mode = "normal"
        if data.profile is not None:
            condition, phase, mode = nudge_safety(pack, data.profile, data.history, data.today)
        if planned is not None:
            planned_id = planned(data.user_id, data.today)
        else:
            planned_id = planned_session_for(pack, data.profile, data.history, data.today)
        return choose_nudge(pack, user_id=data.user_id, today=data.today,
                            condition_id=condition, phase=phase,
                            recent=data.recent, done_counts=data.done_counts,
                            planned_session_id=planned_id, mode=mode)

    return choose
