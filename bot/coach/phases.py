"""Where an injury stands: its phase, its pain model and the urgency of any warning sign.

Pure functions over the content pack. The phase comes from irritability and time, not from
today's pain alone:
- a warning sign is not a phase: it puts the runner in the protect mode (bot/coach/suggest.py)
  until a clinician has cleared activity;
- pain with walking or daily life, or resting pain at the pain model's `rest_acute`, means the
  first phase (acute);
- bone and tendon injuries stay in the first phase for the condition's `acute_min_days` from
  onset (an unknown onset counts as recent), unless a clinician has cleared more;
- "coming back" needs a clinician's look: without one, the runner gets the settling rules; a
  condition with `returning_needs_clearance` (bone stress) needs their clearance.

The phase is computed when the runner answers the injury questions and stored; it never moves
silently with the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.coach.profile import (
    RED_FLAG_CONDITION,
    RED_FLAG_SCREEN,
    RED_FLAG_TEXT,
    RED_FLAG_TEXT_EMERGENCY,
    RED_FLAG_TEXT_PROMPT,
    RunnerProfile,
)
from bot.coach.statuses import InjuryStatus, Phase
from bot.content.models import URGENCY_ORDER, Condition, ContentPack, PainModel, Urgency

FALLBACK_CONDITION = "not_sure"
# The general screen and signs written in a message include "can't put weight on it" and "one
# spot on a bone that is very sore to press" (a suspected fracture): both call for today.
_SOURCE_URGENCY: dict[str, Urgency] = {
    RED_FLAG_SCREEN: "same_day", RED_FLAG_TEXT: "same_day", RED_FLAG_TEXT_EMERGENCY: "emergency",
    RED_FLAG_TEXT_PROMPT: "prompt",
}


def condition_of(pack: ContentPack, condition_id: str | None) -> Condition:
    """The condition's rules, or the conservative "not sure" ones for an unknown or missing id
    (a condition removed from the pack after a runner chose it must not clear every rule)."""
    condition = pack.conditions.get(condition_id or FALLBACK_CONDITION)
    if condition is None:
        condition = pack.conditions.get(FALLBACK_CONDITION)
    if condition is None:
        raise KeyError(f"unknown condition '{condition_id}' and no '{FALLBACK_CONDITION}'")
    return condition


def pain_model(pack: ContentPack, condition_id: str | None) -> PainModel:
    return pack.pain_models[condition_of(pack, condition_id).pain_model]


def phase_for(
    pack: ContentPack,
    status: InjuryStatus,
    condition_id: str | None,
    *,
    pain: int | None,
    started_on: date | None,
    hurts_daily_life: bool | None,
    clinician_seen: bool | None,
    clinician_cleared: bool,
    today: date,
) -> Phase | None:
    """The phase whose rules apply (see the module docstring), or None when not injured."""
    if status == "none":
        return None
    condition = condition_of(pack, condition_id)
    model = pack.pain_models[condition.pain_model]
    if hurts_daily_life or (pain is not None and pain >= model.rest_acute):
        return "acute"
    if condition.acute_min_days and not clinician_cleared:
        days = None if started_on is None else (today - started_on).days
        if days is None or days < condition.acute_min_days:
            return "acute"
    if status == "returning":
        if condition.returning_needs_clearance and not clinician_cleared:
            return "settling"
        if not clinician_seen and not clinician_cleared:
            return "settling"
        return "returning"
    return "settling"


def profile_phase(pack: ContentPack, profile: RunnerProfile, today: date) -> Phase | None:
    return phase_for(
        pack, profile.injury_status, profile.condition_id, pain=profile.pain_today,
        started_on=profile.injury_started_on, hurts_daily_life=profile.hurts_daily_life,
        clinician_seen=profile.clinician_seen, clinician_cleared=profile.clinician_cleared,
        today=today,
    )


def red_flag_urgency(pack: ContentPack, condition_id: str | None,
                     flags: tuple[str, ...]) -> Urgency | None:
    """The most urgent of the reported warning signs, or None when none was reported."""
    worst: Urgency | None = None
    for flag in flags:
        if flag == RED_FLAG_CONDITION:
            urgency: Urgency = max(
                (f.urgency for f in condition_of(pack, condition_id).red_flags),
                key=URGENCY_ORDER.__getitem__, default="prompt",
            )
        else:
            urgency = _SOURCE_URGENCY.get(flag, "prompt")
        if worst is None or URGENCY_ORDER[urgency] > URGENCY_ORDER[worst]:
            worst = urgency
    return worst


@dataclass(frozen=True)
class PainLimits:
    """The pain model's numbers as they apply to one runner today."""

    during_max: int  # the most pain a session may cause
    session_stop: int  # after a session at or above this: rest the area
    rest_protect: int  # resting pain at or above this: rest the area
    bone: bool  # pain-free work only


def pain_limits(pack: ContentPack, condition_id: str | None) -> PainLimits:
    model = pain_model(pack, condition_id)
    return PainLimits(model.during_max, model.session_stop, model.rest_protect,
                      model.during_max == 0)


def stop_rule(pack: ContentPack, condition_id: str | None, pain_today: int | None,
              lang: str = "en") -> str:
    """The stop rule for a session card, stated relative to where the runner is: never "stop
    above 3/10" to someone already at 4/10."""
    model = pain_model(pack, condition_id)
    text = model.stop_rule.get(lang) or model.stop_rule["en"]
    rule = text.replace("{limit}", str(model.during_max))
    if pain_today is not None and model.during_max < pain_today:
        return (f"You're at {pain_today}/10 already: the session must not add to that. Stop if "
                f"the pain rises at all or changes how you move, and it should be no worse "
                f"tomorrow morning.")
    return rule
