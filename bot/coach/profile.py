"""The runner's profile as the coaching domain sees it: plain, typed, immutable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

InjuryStatus = Literal["none", "injured", "returning"]
Phase = Literal["acute", "settling", "returning"]

# Minutes offered in onboarding; "60+" is stored as 60 and means "an hour or more".
MINUTE_CHOICES = (15, 30, 45, 60)


@dataclass(frozen=True)
class RunnerProfile:
    user_id: int
    injury_status: InjuryStatus = "none"
    condition_id: str | None = None
    phase: Phase | None = None
    pain_today: int | None = None
    clinician_seen: bool | None = None
    red_flags: tuple[str, ...] = ()
    equipment: frozenset[str] = field(default_factory=frozenset)
    minutes_per_session: int | None = None
    days_per_week: int | None = None
    timezone: str = "UTC"
    run_pace_sec_per_km: int | None = None

    @property
    def injured(self) -> bool:
        return self.injury_status != "none" and self.condition_id is not None

    @property
    def has_red_flags(self) -> bool:
        return bool(self.red_flags)


def phase_for(injury_status: InjuryStatus, pain_today: int | None, red_flags: bool) -> Phase | None:
    """Which rule set applies. Red flags or pain of 4/10 or more get the gentlest (acute) rules,
    because until a clinician has looked, caution costs little and a wrong guess costs a lot."""
    if injury_status == "none":
        return None
    if red_flags or (pain_today is not None and pain_today >= 4):
        return "acute"
    if injury_status == "returning":
        return "returning"
    return "settling"
