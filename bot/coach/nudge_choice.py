"""Choosing today's nudge: a safe, fresh micro-habit at the right level, or the day's session.

Pure: the caller passes what it knows about the user (condition, recent nudges, how often each
habit was marked done) and gets back what to send. No database, no Telegram, no clock.

Rules, in order:
1. A planned training day carries that session instead of a habit, unless the session is unknown
   or unsafe for the user's condition. `planned_session_for` reads it off the same plan /week
   shows today (`plan_week` from today): a cross-training session on a training day; rest days,
   run days and users who never set their days a week keep the habit.
2. Habits unsafe for the condition (`nudge_is_safe`) are never chosen.
3. Progression: habits form chains along `progresses_to`. On each chain the user is offered one
   level, the *frontier*: they move one step up once the current level has been marked done
   `done_to_progress` times (and the next level is safe for them).
4. Variety: frontier habits sent within the last `repeat_window_days` are avoided when any other
   is available; otherwise the one sent longest ago is repeated.
5. Ties break on a stable hash of (user, date, habit), so two users on the same day get
   different habits, while a retried choice for the same user and day is the same one.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.coach.profile import RunnerProfile
from bot.coach.safety import Mode, assess_session, nudge_is_safe
from bot.coach.suggest import PastSession, safety_state
from bot.coach.week_plan import plan_week
from bot.coach.windows import COACH_HISTORY_DAYS
from bot.content.models import ContentPack, Nudge

__all__ = [
    "DONE_TO_PROGRESS",
    "PLAN_HISTORY_DAYS",
    "REPEAT_WINDOW_DAYS",
    "NudgeChoice",
    "RecentNudge",
    "choose_nudge",
    "frontier_habits",
    "nudge_safety",
    "planned_session_for",
]

REPEAT_WINDOW_DAYS = 7
# The logs the coach looks back on, as /week and /suggest do.
PLAN_HISTORY_DAYS = COACH_HISTORY_DAYS
# Three "done" taps on a level is enough practice to try the next one: the habits are tiny
# (under two minutes) and the next level is only slightly harder (see content/nudges.yaml).
DONE_TO_PROGRESS = 3


@dataclass(frozen=True, slots=True)
class RecentNudge:
    """A habit nudge the user got on a local date (whatever they did with it)."""

    local_date: date
    content_id: str


@dataclass(frozen=True, slots=True)
class NudgeChoice:
    """What today's nudge carries: a habit id or a session id."""

    kind: Literal["habit", "session"]
    content_id: str


def frontier_habits(
    pack: ContentPack,
    condition_id: str | None,
    phase: str | None,
    done_counts: Mapping[str, int],
    done_to_progress: int = DONE_TO_PROGRESS,
    mode: Mode = "normal",
) -> list[Nudge]:
    """The one level per progression chain that the user should practise now, safe ones only."""
    targets = {n.progresses_to for n in pack.nudges.values() if n.progresses_to}
    roots = [n for n in pack.nudges.values() if n.id not in targets]
    frontier: list[Nudge] = []
    for root in roots:
        current: Nudge | None = root
        seen: set[str] = set()
        # Unsafe lower levels are stepped over, so an ankle-sprain runner whose level 1 is fine
        # but level 2 is not stays on level 1, and one whose level 1 is unsafe gets nothing from
        # that chain unless a safe level exists further up *and* was earned (it cannot be).
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if not nudge_is_safe(pack, current, condition_id, phase, mode):
                current = None
                break
            nxt = pack.nudges.get(current.progresses_to) if current.progresses_to else None
            earned = done_counts.get(current.id, 0) >= done_to_progress
            if nxt is None or not earned or \
                    not nudge_is_safe(pack, nxt, condition_id, phase, mode):
                break
            current = nxt
        if current is not None:
            frontier.append(current)
    return frontier


def nudge_safety(pack: ContentPack, profile: RunnerProfile | None,
                 history: Sequence[PastSession], today: date
                 ) -> tuple[str | None, str | None, Mode]:
    """(condition, phase, mode) the habit must be safe for: the coaching engine's safety state,
    so an injured runner without a named condition gets the careful "not sure" rules, rising or
    high pain the gentlest phase, and warning signs the protect mode (or no habit at all),
    exactly as /suggest and /week do."""
    if profile is None:
        return None, None, "normal"
    state = safety_state(pack, profile, history, today)
    return state.condition_id, state.phase, state.mode


def planned_session_for(pack: ContentPack, profile: RunnerProfile | None,
                        history: Sequence[PastSession], today: date) -> str | None:
    """The cross-training session /week plans for `today`, or None (rest, a run, no plan).

    /week always plans from the day it is asked, so today's entry is `plan_week(...)[0]`; a
    runner who never chose their days a week has no plan to follow and keeps the habit.
    """
    if profile is None or profile.days_per_week is None:
        return None
    planned = plan_week(pack, profile, history, today)[0]
    return planned.suggestion.session.id if planned.suggestion is not None else None


def choose_nudge(
    pack: ContentPack,
    *,
    user_id: int,
    today: date,
    condition_id: str | None = None,
    phase: str | None = None,
    recent: Sequence[RecentNudge] = (),
    done_counts: Mapping[str, int] | None = None,
    planned_session_id: str | None = None,
    repeat_window_days: int = REPEAT_WINDOW_DAYS,
    done_to_progress: int = DONE_TO_PROGRESS,
    mode: Mode = "normal",
) -> NudgeChoice | None:
    """Today's nudge for one user, or None when no habit is safe for them (send nothing).

    planned_session_id: the session the week planner put on `today`, if any (hook for the
        coaching engine); it wins over a habit when it exists and is not `avoid` for the user.
    """
    if planned_session_id is not None:
        session = pack.sessions.get(planned_session_id)
        if session is not None and \
                assess_session(pack, session, condition_id, phase, mode=mode).allowed:
            return NudgeChoice("session", session.id)

    candidates = frontier_habits(pack, condition_id, phase, done_counts or {}, done_to_progress,
                                 mode)
    if not candidates:
        return None
    last_sent: dict[str, date] = {}
    for item in recent:
        if item.local_date < today:
            last_sent[item.content_id] = max(item.local_date, last_sent.get(item.content_id,
                                                                              item.local_date))
    window_start = today - timedelta(days=repeat_window_days)
    fresh = [n for n in candidates if last_sent.get(n.id, date.min) <= window_start]
    if fresh:
        return NudgeChoice("habit", min(fresh, key=lambda n: _tiebreak(user_id, today, n.id)).id)
    # Everything was sent within the window: repeat the one the user saw longest ago.
    oldest = min(candidates, key=lambda n: (last_sent.get(n.id, date.min),
                                            _tiebreak(user_id, today, n.id)))
    return NudgeChoice("habit", oldest.id)


def _tiebreak(user_id: int, day: date, nudge_id: str) -> int:
    # crc32, not hash(): str hashes are salted per process, and two workers (or a retry after a
    # restart) must make the same choice for the same user and day.
    return zlib.crc32(f"{user_id}:{day.toordinal()}:{nudge_id}".encode())
