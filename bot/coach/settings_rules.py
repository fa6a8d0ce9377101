"""The rules around the onboarding, /settings and /injury flows that are not one step's answer:
which steps a flow walks, which zone a draft lives in, and when the next nudge falls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import get_args

from bot.coach.nudge_timing import upcoming_nudge
from bot.coach.onboarding import ONBOARDING_STEPS, SECTIONS, Draft, Step
from bot.coach.schedule import QuietHours, local_date

# The flows whose state is kept in the conversation table and that typed answers go to.
FLOWS = ("onboarding", "settings", "injury")
_STEPS: dict[str, Step] = {step: step for step in get_args(Step)}


@dataclass(frozen=True)
class StoredSchedule:
    """What the user row already says about nudges: a draft's edit keeps the rest."""

    timezone: str | None = None
    paused_until: datetime | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    every_other_day_from: date | None = None

    @property
    def quiet(self) -> tuple[time, time] | None:
        """The user's own quiet hours; None when they never set both ends."""
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return self.quiet_start, self.quiet_end


def as_step(name: str) -> Step | None:
    """The step a stored name stands for; None for one this version does not ask."""
    return _STEPS.get(name)


def flow_steps(flow: str, section: str | None) -> tuple[Step, ...]:
    """The steps a flow walks. Editing a section from the onboarding summary walks that
    section and comes back to the summary; /settings and /injury walk only their section."""
    if flow == "onboarding":
        return SECTIONS[section] + ("summary",) if section else ONBOARDING_STEPS
    return SECTIONS[section or "injury"]


def draft_zone(draft: Draft, stored: StoredSchedule, default_zone: str) -> str:
    """The zone the runner lives in: the one just answered, else the stored one."""
    return draft.timezone or stored.timezone or default_zone


def draft_today(draft: Draft, stored: StoredSchedule, default_zone: str, now: datetime) -> date:
    """The runner's local date ("5 days ago" counts from it)."""
    return local_date(now, draft_zone(draft, stored, default_zone))


def next_nudge(draft: Draft, stored: StoredSchedule, now: datetime, zone: str,
               default_quiet: QuietHours) -> datetime | None:
    """When the first nudge after this draft is saved falls (UTC), or None for no nudges. A
    pause and the back-off cadence already on the user row still hold."""
    quiet = draft.quiet_hours or stored.quiet
    return upcoming_nudge(
        now, zone, draft.local_nudge_time,
        paused_until=stored.paused_until,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        default_quiet=default_quiet,
        every_other_day_from=stored.every_other_day_from,
    )
