"""What the coach tells a runner about their injury alongside a suggestion: the clinician advice
that fits the safety state, the stop rule stated from the condition's pain model, and the
condition's warning signs in one line. Plain text from the content pack; the views escape it.
"""

from __future__ import annotations

import re

from bot.coach.phases import condition_of, stop_rule
from bot.coach.profile import RunnerProfile
from bot.coach.safety import Mode
from bot.content.models import ContentPack, Session, Urgency, localize

_URGENCY_TEXT: dict[str, str] = {
    "emergency": "red_flag_emergency",
    "same_day": "red_flag_same_day",
    "prompt": "red_flag_prompt",
}
# The clause of a warning sign before its advice ("...: possible rupture, get seen the same
# day"), so the reminder line stays one short line.
_CLAUSE_END = re.compile(r"[:;.]")


def urgency_text(pack: ContentPack, urgency: Urgency, lang: str = "en") -> str:
    """How soon to get a warning sign seen, in the pack's words."""
    return pack.text(_URGENCY_TEXT[urgency], lang)


def clinician_advice(pack: ContentPack, mode: Mode, urgency: Urgency | None,
                     see_clinician: bool, lang: str = "en") -> str | None:
    """The advice that fits the state: urgent care for a sign that needs it, an assessment for
    other signs, rest for the sore area when pain is high, or "get it looked at"."""
    if urgency is not None:
        return urgency_text(pack, urgency, lang)
    if mode == "protect":
        return pack.text("protect_mode", lang)
    if see_clinician:
        return pack.text("see_clinician", lang)
    return None


def session_stop_rule(pack: ContentPack, session: Session, profile: RunnerProfile | None,
                      lang: str = "en") -> str:
    """The stop rule on a session card. An injured runner gets their tissue's pain limit, said
    relative to today's pain; a runner who is not injured gets no injury pain rule at all."""
    if profile is not None and profile.injury_status != "none":
        return stop_rule(pack, profile.condition_id, profile.pain_today, lang)
    if session.stop_rule is not None:
        return localize(session.stop_rule, lang)
    return pack.text("stop_rule_default", lang)


def warning_signs_line(pack: ContentPack, condition_id: str | None, lang: str = "en") -> str:
    """The condition's own warning signs as one line, for repeating under a suggestion."""
    condition = condition_of(pack, condition_id)
    signs = []
    for flag in condition.red_flags:
        text = localize(flag.text, lang)
        clause = _CLAUSE_END.split(text, maxsplit=1)[0].strip()
        signs.append(clause[:1].lower() + clause[1:] if clause[1:2].islower() else clause)
    return "Stop and get it checked if: " + "; ".join(signs) + "."
