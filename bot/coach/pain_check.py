"""After a logged session: does the pain the runner reports call for the safety reply?

The limits are the condition's pain model (content/pain_models.yaml, through
bot/coach/phases.py): pain above the model's `during_max`, or higher than the last pain they
logged, means "step down"; pain at the model's `session_stop` means "rest the sore area today";
a warning sign (written in the log, or unresolved in the profile) means "get it assessed", today
where the sign calls for it. Pure; the texts come from the content pack, as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.coach.advice import urgency_text
from bot.coach.phases import PainLimits
from bot.coach.profile import TEXT_FLAGS, RunnerProfile
from bot.content import ContentPack
from bot.content.models import URGENCY_ORDER, Urgency

# Words for warning signs, by how soon they need a clinician. The general list mirrors the
# content's red_flags_general text.
_SIGNS: dict[Urgency, re.Pattern[str]] = {
    "emergency": re.compile(
        r"\b(?:chest\s+pain|faint(?:ed)?|saddle\s+numb\w*|numb\w*\s+(?:between|around)\s+"
        r"(?:my|the)\s+legs|(?:bladder|bowel)\s+(?:trouble|problems?|control))\b"),
    "same_day": re.compile(
        r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to)\s+(?:put\s+weight|bear\s+weight|"
        r"walk|stand|take\s+(?:a\s+few\s+|four\s+|4\s+|two\s+|2\s+)?steps?)"
        r"|snap(?:ped)?|popped?|pop\s+sound|kicked\s+in\s+the\s+(?:back|heel|calf)\b"),
    "prompt": re.compile(
        r"\b(?:numb(?:ness)?|tingl(?:e|ing|y)|pins\s+and\s+needles|swollen|swelling|swelled"
        r"|limp(?:ing|ed)?|woke\s+me|wakes\s+me|night\s+pain|pain\s+at\s+night|fever"
        r"|gave\s+way|giving\s+way|locked|locking)\b"),
}


@dataclass(frozen=True)
class PainVerdict:
    step_down: bool
    high: bool  # pain at the model's session_stop: rest the sore area
    above_limit: bool  # pain above the model's during_max
    rising: bool  # higher than the previous logged pain
    red_flag: bool
    urgency: Urgency | None = None  # of a warning sign written in the log


def sign_urgency(text: str) -> Urgency | None:
    """How soon a warning sign written in `text` needs a clinician (None: no sign)."""
    lowered = text.lower()
    for urgency in ("emergency", "same_day", "prompt"):
        if _SIGNS[urgency].search(lowered):
            return urgency
    return None


def mentions_red_flag(text: str) -> bool:
    return sign_urgency(text) is not None


def record_sign(profile: RunnerProfile, verdict: PainVerdict,
                notes: str) -> RunnerProfile | None:
    """The profile with a warning sign written in a log kept on it, or None when nothing
    changes. The sign holds, as one reported in the injury questions does, until the runner
    tells the bot a clinician has seen it and cleared activity; so an earlier clearance no
    longer counts."""
    urgency = sign_urgency(notes)
    if urgency is None:
        return None
    code = TEXT_FLAGS[urgency]
    if code in profile.red_flags and not profile.clinician_cleared:
        return None
    return replace(profile, red_flags=(*dict.fromkeys((*profile.red_flags, code)),),
                   clinician_cleared=False)


def assess_pain(pain: int | None, previous: int | None, limits: PainLimits, *,
                notes: str = "", profile_red_flags: bool = False) -> PainVerdict:
    high = pain is not None and pain >= limits.session_stop
    above = pain is not None and pain > limits.during_max
    rising = pain is not None and previous is not None and pain > previous
    urgency = sign_urgency(notes)
    if profile_red_flags and (urgency is None or URGENCY_ORDER[urgency] < URGENCY_ORDER["prompt"]):
        urgency = urgency or "prompt"
    red_flag = urgency is not None
    return PainVerdict(high or above or rising or red_flag, high, above, rising, red_flag,
                       urgency)


def safety_reply(pack: ContentPack, verdict: PainVerdict, pain: int | None,
                 previous: int | None, limits: PainLimits, lang: str = "en") -> str:
    """The message for a step-down verdict, in plain text (the view escapes it)."""
    limit = "pain-free" if limits.bone else f"up to {limits.during_max}/10"
    lines: list[str] = []
    if verdict.high and pain is not None:
        lines.append(f"⚠️ Thanks for telling me. Pain of {pain}/10 is clearly past what this "
                     f"injury should take ({limit}).")
        lines += ["", "Rest the sore area today. Until it settles I'll only suggest work that "
                      "spares it. If it hasn't settled within a few days, see a physio or "
                      "doctor."]
    elif verdict.above_limit or verdict.rising:
        reasons = []
        if verdict.above_limit and pain is not None:
            reasons.append(f"pain of {pain}/10 is above the limit for this injury ({limit})")
        if verdict.rising and pain is not None and previous is not None:
            reasons.append(f"it is higher than last time ({previous}/10)")
        lines.append(f"⚠️ Thanks for telling me. Let's be careful: {'; '.join(reasons)}.")
        lines += ["", "Step down for now: make the next sessions shorter and easier, or pick "
                      "one with less load on the sore area, and stop if the pain climbs. It "
                      "should be no worse tomorrow morning."]
    else:
        lines.append("⚠️ Thanks for telling me.")
    if verdict.urgency is not None:
        lines += ["", "What you describe can be a warning sign. "
                  + urgency_text(pack, verdict.urgency, lang)]
    elif verdict.high or verdict.above_limit or verdict.rising:
        lines += ["", pack.text("see_clinician", lang)]
    lines += ["", pack.text("red_flags_general", lang)]
    return "\n".join(lines)
