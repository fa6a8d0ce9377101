"""After a logged session: does the pain the runner reports call for the safety reply?

Rule (issue 5, point 5, and the content's pain_rule): pain of PAIN_STEP_DOWN/10 or more, pain
higher than the last pain they logged, or a red flag (in what they wrote, or reported in their
profile) means: step down, and see a clinician. Pure; the texts come from the content pack.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.content import ContentPack

PAIN_STEP_DOWN = 5
# Words for the red flags listed in the content's red_flags_general text.
_RED_FLAG_RE = re.compile(
    r"\b(?:numb(?:ness)?|tingl(?:e|ing|y)|pins\s+and\s+needles|swollen|swelling|swelled"
    r"|limp(?:ing|ed)?|can'?t\s+(?:put|bear)\s+weight|cannot\s+(?:put|bear)\s+weight"
    r"|woke\s+me|wakes\s+me|night\s+pain|pain\s+at\s+night|fever|chest\s+pain|faint(?:ed)?"
    r"|gave\s+way|giving\s+way|locked|locking|pop(?:ped)?|snapped)\b"
)


@dataclass(frozen=True)
class PainVerdict:
    step_down: bool
    high: bool  # pain >= PAIN_STEP_DOWN
    rising: bool  # higher than the previous logged pain
    red_flag: bool


def mentions_red_flag(text: str) -> bool:
    return _RED_FLAG_RE.search(text.lower()) is not None


def assess_pain(pain: int | None, previous: int | None, *, notes: str = "",
                profile_red_flags: bool = False) -> PainVerdict:
    high = pain is not None and pain >= PAIN_STEP_DOWN
    rising = pain is not None and previous is not None and pain > previous
    red_flag = profile_red_flags or mentions_red_flag(notes)
    return PainVerdict(high or rising or red_flag, high, rising, red_flag)


def safety_reply(pack: ContentPack, verdict: PainVerdict, pain: int | None,
                 previous: int | None, lang: str = "en") -> str:
    """The message for a step-down verdict (HTML; content texts are escaped)."""
    reasons = []
    if verdict.high and pain is not None:
        reasons.append(f"pain of {pain}/10 is more than training should cause")
    if verdict.rising and pain is not None and previous is not None:
        reasons.append(f"it is higher than last time ({previous}/10)")
    if verdict.red_flag:
        reasons.append("what you describe can be a warning sign")
    why = "; ".join(reasons) if reasons else "your pain needs care"
    lines = [
        f"⚠️ Thanks for telling me. Let's be careful: {html.escape(why)}.",
        "",
        "<b>Step down for now:</b> make the next sessions shorter and easier, or pick one with "
        "less load on the sore area, and stop if the pain climbs during a session.",
        "",
        html.escape(pack.text("see_clinician", lang)),
        "",
        html.escape(pack.text("red_flags_general", lang)),
    ]
    return "\n".join(lines)
