"""The runner's profile as the coaching domain sees it: plain, typed, immutable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.coach.statuses import InjuryStatus, Phase

# Minutes offered in onboarding; "60+" is stored as 60 and means "an hour or more".
MINUTE_CHOICES = (15, 30, 45, 60)

# Where a warning sign was reported. The urgency of each comes from the content pack
# (bot/coach/phases.py): the general screen and signs written in a message name things such as
# "can't put weight on it" that call for a same-day assessment; "condition" means the
# condition's own list, whose most urgent sign counts.
RED_FLAG_SCREEN = "screen"
RED_FLAG_CONDITION = "condition"
RED_FLAG_TEXT = "text"  # a sign written in a message that needs a look today
RED_FLAG_TEXT_PROMPT = "text_prompt"  # ... within days (swelling, numbness)
RED_FLAG_TEXT_EMERGENCY = "text_emergency"  # ... that needs care now
TEXT_FLAGS: dict[str, str] = {
    "prompt": RED_FLAG_TEXT_PROMPT, "same_day": RED_FLAG_TEXT, "emergency": RED_FLAG_TEXT_EMERGENCY,
}


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
    injury_started_on: date | None = None  # when it started, or was diagnosed
    hurts_daily_life: bool | None = None  # hurts with walking or everyday activity
    # A clinician has seen it and cleared activity: warning signs no longer hold the runner in
    # the protect mode, and time floors on the first phase no longer apply.
    clinician_cleared: bool = False

    @property
    def injured(self) -> bool:
        return self.injury_status != "none" and self.condition_id is not None

    @property
    def has_red_flags(self) -> bool:
        return bool(self.red_flags)

    @property
    def unresolved_red_flags(self) -> bool:
        """Warning signs that still hold: reported, and not cleared by a clinician since."""
        return bool(self.red_flags) and not self.clinician_cleared
