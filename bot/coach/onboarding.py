"""The onboarding conversation as a pure state machine: steps, answers and what comes next.

The Telegram layer renders each step and feeds answers in (a button value or typed text); this
module validates them, updates the draft and says which step follows. It keeps no state itself:
the draft is a plain dict stored in the conversation_states table between updates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Literal

from rapidfuzz import fuzz, process

from bot.coach.profile import MINUTE_CHOICES, InjuryStatus, RunnerProfile, phase_for
from bot.coach.time_input import format_time, parse_local_time
from bot.coach.timezones import resolve_zone, zone_from_location
from bot.content import ContentPack

Step = Literal["disclaimer", "injury_status", "condition", "pain", "clinician", "red_flags",
               "equipment", "minutes", "days", "nudge_time", "timezone", "summary",
               "quiet_hours"]

ONBOARDING_STEPS: tuple[Step, ...] = (
    "disclaimer", "injury_status", "condition", "pain", "clinician", "red_flags",
    "equipment", "minutes", "days", "nudge_time", "timezone", "summary",
)
SECTIONS: dict[str, tuple[Step, ...]] = {
    "injury": ("injury_status", "condition", "pain", "clinician", "red_flags"),
    "equipment": ("equipment",),
    "time": ("minutes", "days"),
    "nudges": ("nudge_time", "timezone"),
    # Only in /settings: onboarding keeps the sensible default to stay short.
    "quiet": ("quiet_hours",),
}
QUIET_CHOICES = ("21:30-07:00", "22:00-06:30", "23:00-07:30", "20:00-08:00")
INJURY_CHOICES: dict[str, str] = {
    "none": "Not injured, I want to add cross-training",
    "injured": "Injured right now",
    "returning": "Coming back from an injury",
}
NUDGE_TIME_CHOICES = ("07:00", "08:00", "12:00", "18:00", "20:00")
MAX_ANSWER_CHARS = 200

_YES = {"yes", "y", "yep", "yeah", "yes please", "sure", "ok", "okay", "i understand",
        "understood", "agree", "i agree", "confirm", "correct", "right", "👍"}
_NO = {"no", "n", "nope", "not yet", "none", "nah", "no thanks", "none of these", "never"}
_NO_NUDGES = {"no", "none", "no nudges", "off", "never", "no thanks", "stop", "don't"}


@dataclass
class Draft:
    """Answers gathered so far. Stored as JSON between updates."""

    injury_status: InjuryStatus | None = None
    condition_id: str | None = None
    pain: int | None = None
    clinician_seen: bool | None = None
    red_flags: bool | None = None
    equipment: list[str] = field(default_factory=list)
    minutes: int | None = None
    days: int | None = None
    nudge_time: str | None = None  # "HH:MM", or None with nudges_off
    nudges_off: bool = False
    timezone: str | None = None
    timezone_label: str | None = None
    quiet: str | None = None  # "HH:MM-HH:MM", "off", or None for the default

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def from_profile(cls, profile: RunnerProfile, nudge_time: time | None,
                     timezone: str | None, quiet: tuple[time, time] | None = None) -> Draft:
        return cls(
            injury_status=profile.injury_status, condition_id=profile.condition_id,
            pain=profile.pain_today, clinician_seen=profile.clinician_seen,
            red_flags=bool(profile.red_flags), equipment=sorted(profile.equipment),
            minutes=profile.minutes_per_session, days=profile.days_per_week,
            nudge_time=format_time(nudge_time) if nudge_time else None,
            nudges_off=nudge_time is None, timezone=timezone, timezone_label=timezone,
            quiet=None if quiet is None else format_quiet(*quiet),
        )

    def to_profile(self, user_id: int, timezone: str) -> RunnerProfile:
        status: InjuryStatus = self.injury_status or "none"
        injured = status != "none"
        return RunnerProfile(
            user_id=user_id,
            injury_status=status,
            condition_id=self.condition_id if injured else None,
            phase=phase_for(status, self.pain, bool(self.red_flags)) if injured else None,
            pain_today=self.pain if injured else None,
            clinician_seen=self.clinician_seen if injured else None,
            red_flags=("screen",) if injured and self.red_flags else (),
            equipment=frozenset(self.equipment),
            minutes_per_session=self.minutes,
            days_per_week=self.days,
            timezone=timezone,
        )

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """(start, end) chosen by the user; start == end means no quiet hours at all."""
        if self.quiet is None:
            return None
        if self.quiet == "off":
            return time(0, 0), time(0, 0)
        return parse_quiet(self.quiet)

    @property
    def local_nudge_time(self) -> time | None:
        return None if self.nudges_off or not self.nudge_time else parse_local_time(self.nudge_time)


@dataclass(frozen=True)
class Outcome:
    """The result of one answer. `error` means: re-ask the same step with this hint."""

    accepted: bool
    error: str | None = None
    stay: bool = False  # accepted, but the step continues (equipment toggles)
    notice: str | None = None  # something to tell the user before the next step
    echo: str | None = None  # how to show the accepted answer under the old question


def applies(step: Step, draft: Draft) -> bool:
    """Whether a step is asked at all, given earlier answers."""
    if step in ("condition", "pain", "clinician", "red_flags"):
        return draft.injury_status in ("injured", "returning")
    if step == "timezone":
        return not draft.nudges_off
    return True


def next_step(current: Step, draft: Draft, steps: tuple[Step, ...] = ONBOARDING_STEPS
              ) -> Step | None:
    index = steps.index(current) if current in steps else -1
    for step in steps[index + 1:]:
        if applies(step, draft):
            return step
    return None


def previous_step(current: Step, draft: Draft, steps: tuple[Step, ...] = ONBOARDING_STEPS
                  ) -> Step | None:
    index = steps.index(current) if current in steps else 0
    for step in reversed(steps[:index]):
        if applies(step, draft) and step != "disclaimer":
            return step
    return None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower()).strip(" .!")


def _yes_no(text: str) -> bool | None:
    cleaned = _clean(text)
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    return None


def answer(step: Step, value: str, draft: Draft, pack: ContentPack, *, typed: bool) -> Outcome:
    """Apply a button value (typed=False) or typed text (typed=True) to the draft."""
    if typed and len(value) > MAX_ANSWER_CHARS:
        return Outcome(False, "That's a lot of text for this question. A short answer is enough.")
    handler = _HANDLERS[step]
    return handler(value, draft, pack, typed)


def _disclaimer(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    if (not typed and value == "ok") or (typed and _yes_no(value)):
        return Outcome(True, echo="I understand")
    return Outcome(False, "Please tap “I understand” (or type “ok”) to go on.")


def _injury_status(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    choice: str | None = value if value in INJURY_CHOICES else None
    if typed:
        cleaned = _clean(value)
        keywords = {"not injured": "none", "no": "none", "none": "none", "healthy": "none",
                    "injured": "injured", "hurt": "injured", "yes": "injured",
                    "coming back": "returning", "returning": "returning",
                    "recovering": "returning", "recovered": "returning"}
        choice = keywords.get(cleaned)
        if choice is None:
            labels = {label.lower(): key for key, label in INJURY_CHOICES.items()}
            found = process.extractOne(cleaned, list(labels), scorer=fuzz.WRatio, score_cutoff=80)
            choice = labels[found[0]] if found else None
    if choice is None:
        return Outcome(False, "Please pick one of the three options.")
    draft.injury_status = choice  # type: ignore[assignment]
    if choice == "none":
        draft.condition_id = None
        draft.pain = None
        draft.clinician_seen = None
        draft.red_flags = None
    return Outcome(True, echo=INJURY_CHOICES[choice])


def condition_choices(pack: ContentPack) -> list[tuple[str, str]]:
    """(id, label) for the condition keyboard, with "Not sure" last."""
    items = [(c.id, c.name["en"]) for c in pack.conditions.values() if c.id != "not_sure"]
    if "not_sure" in pack.conditions:
        items.append(("not_sure", "Not sure"))
    return items


def match_condition(text: str, pack: ContentPack) -> str | None:
    cleaned = _clean(text)
    if not cleaned:
        return None
    phrases: dict[str, str] = {}
    for condition in pack.conditions.values():
        phrases[condition.name["en"].lower()] = condition.id
        phrases[condition.id.replace("_", " ")] = condition.id
        for alias in condition.aliases:
            phrases[alias.lower()] = condition.id
    if cleaned in phrases:
        return phrases[cleaned]
    found = process.extractOne(cleaned, list(phrases), scorer=fuzz.WRatio, score_cutoff=85)
    return phrases[found[0]] if found else None


def _condition(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    condition_id = match_condition(value, pack) if typed else (
        value if value in pack.conditions else None)
    if condition_id is None:
        return Outcome(False, "I don't know that one. Pick the closest from the list, "
                              "or tap “Not sure”.")
    draft.condition_id = condition_id
    return Outcome(True, echo=dict(condition_choices(pack))[condition_id])


def _pain(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:/\s*10)?\s*", value)
    pain = int(match[1]) if match else None
    if pain is None or not 0 <= pain <= 10:
        return Outcome(False, "Please give a number from 0 (no pain) to 10 (worst imaginable).")
    draft.pain = pain
    return Outcome(True, echo=f"{pain}/10")


def _clinician(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    seen = _yes_no(value) if typed else {"yes": True, "no": False}.get(value)
    if seen is None:
        return Outcome(False, "Please answer yes or no.")
    draft.clinician_seen = seen
    return Outcome(True, echo="Yes" if seen else "Not yet")


def _red_flags(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    flagged = _yes_no(value) if typed else {"yes": True, "no": False}.get(value)
    if flagged is None:
        return Outcome(False, "Please answer yes or no.")
    draft.red_flags = flagged
    notice = None
    if flagged:
        notice = (pack.text("see_clinician") + "\n\nUntil then I'll only suggest the gentlest "
                  "options, and you can stop any of them at any time.")
    elif draft.clinician_seen is False:
        notice = pack.text("see_clinician")
    return Outcome(True, notice=notice, echo="Yes, one or more" if flagged else "None of these")


def equipment_choices(pack: ContentPack) -> list[tuple[str, str, str]]:
    """(place, id, label) grouped by the first place each item is found, `nothing` last."""
    order = ("home", "gym", "pool", "outdoors", "commute")
    items = [(e.places[0] if e.places else "home", e.id, e.name["en"])
             for e in pack.equipment.values() if e.id != "nothing"]
    items.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return items


def match_equipment(text: str, pack: ContentPack) -> list[str]:
    phrases: dict[str, str] = {}
    for item in pack.equipment.values():
        phrases[item.name["en"].lower()] = item.id
        for alias in item.aliases:
            phrases[alias.lower()] = item.id
    found: list[str] = []
    for part in re.split(r",|\band\b|&|\+|/|\n", text.lower()):
        part = _clean(part)
        if not part:
            continue
        hit = phrases.get(part)
        if hit is None:
            best = process.extractOne(part, list(phrases), scorer=fuzz.WRatio, score_cutoff=86)
            hit = phrases[best[0]] if best else None
        if hit is not None and hit not in found:
            found.append(hit)
    return found


def _equipment(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    if typed:
        if _clean(value) in {"done", "finished", "that's all", "thats all", "that's it"}:
            return Outcome(True, echo=_equipment_echo(draft, pack))
        ids = match_equipment(value, pack)
        if not ids:
            return Outcome(False, "I didn't recognise that equipment. Tap the items you have, "
                                  "then Done.")
        if "nothing" in ids:
            draft.equipment = []
            return Outcome(True, echo="Nothing at all")
        draft.equipment = sorted(set(draft.equipment) | set(ids))
        return Outcome(True, stay=True)
    if value == "done":
        return Outcome(True, echo=_equipment_echo(draft, pack))
    if value == "nothing":
        draft.equipment = []
        return Outcome(True, echo="Nothing at all")
    if value not in pack.equipment:
        return Outcome(False, "That option is no longer available.")
    chosen = set(draft.equipment)
    chosen ^= {value}
    draft.equipment = sorted(chosen)
    return Outcome(True, stay=True)


def _equipment_echo(draft: Draft, pack: ContentPack) -> str:
    if not draft.equipment:
        return "Nothing at all"
    return ", ".join(pack.equipment[i].name["en"] for i in draft.equipment if i in pack.equipment)


def _minutes(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    match = re.fullmatch(r"\s*(\d{1,3})\s*\+?\s*(?:m|min|mins|minutes)?\s*", value)
    minutes = int(match[1]) if match else None
    if minutes is None or not 10 <= minutes <= 180:
        return Outcome(False, "Please give the minutes you have per session, e.g. 30 "
                              "(between 10 and 180).")
    if not typed and minutes not in MINUTE_CHOICES:
        return Outcome(False, "Please pick one of the options.")
    draft.minutes = minutes
    return Outcome(True, echo="60+ min" if minutes == 60 and not typed else f"{minutes} min")


def _days(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    match = re.fullmatch(r"\s*(\d)\s*(?:days?|x)?\s*", value)
    days = int(match[1]) if match else None
    if days is None or not 1 <= days <= 7:
        return Outcome(False, "Please give a number of days from 1 to 7.")
    draft.days = days
    return Outcome(True, echo=f"{days} day{'s' if days > 1 else ''} a week")


def _nudge_time(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    if (not typed and value == "off") or (typed and _clean(value) in _NO_NUDGES):
        draft.nudges_off = True
        draft.nudge_time = None
        return Outcome(True, echo="No nudges")
    parsed = parse_local_time(value)
    if parsed is None:
        return Outcome(False, "I couldn't read that time. Try 7:30, 19h or 7pm, or tap a button.")
    draft.nudges_off = False
    draft.nudge_time = format_time(parsed)
    return Outcome(True, echo=draft.nudge_time)


def _timezone(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    if value.startswith("loc:"):
        try:
            lat, lon = (float(part) for part in value[4:].split(","))
        except ValueError:
            return Outcome(False, "I couldn't read that location.")
        zone = zone_from_location(lat, lon)
        if zone is None:
            return Outcome(False, "I couldn't find a time zone there. Type your city instead.")
        draft.timezone, draft.timezone_label = zone, zone
        return Outcome(True, echo=zone)
    match = resolve_zone(value)
    if match is None:
        return Outcome(False, "I don't know that place or zone. Type a big city near you "
                              "(e.g. London), a zone like Europe/Berlin, or an offset like UTC+2.")
    draft.timezone, draft.timezone_label = match.zone, match.label
    shown = match.zone if match.label == match.zone else f"{match.label} ({match.zone})"
    return Outcome(True, echo=shown)


def format_quiet(start: time, end: time) -> str:
    return "off" if start == end else f"{format_time(start)}-{format_time(end)}"


def parse_quiet(text: str) -> tuple[time, time] | None:
    parts = re.split(r"\s*(?:-|–|—|to|until)\s*", text.strip().lower())
    if len(parts) != 2:
        return None
    start, end = parse_local_time(parts[0]), parse_local_time(parts[1])
    if start is None or end is None or start == end:
        return None
    return start, end


def _quiet_hours(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    if _clean(value) in {"off", "none", "no", "no quiet hours"}:
        draft.quiet = "off"
        return Outcome(True, echo="No quiet hours")
    hours = parse_quiet(value)
    if hours is None:
        return Outcome(False, "Give quiet hours as two times, e.g. 22:00-07:00, or tap a button.")
    draft.quiet = format_quiet(*hours)
    return Outcome(True, echo=draft.quiet.replace("-", "–"))


def _summary(value: str, draft: Draft, pack: ContentPack, typed: bool) -> Outcome:
    if (typed and _yes_no(value)) or value == "confirm":
        return Outcome(True, echo="Confirmed")
    return Outcome(False, "Tap Confirm, or Edit to change a section.")


_HANDLERS = {
    "disclaimer": _disclaimer, "injury_status": _injury_status, "condition": _condition,
    "pain": _pain, "clinician": _clinician, "red_flags": _red_flags, "equipment": _equipment,
    "minutes": _minutes, "days": _days, "nudge_time": _nudge_time, "timezone": _timezone,
    "summary": _summary, "quiet_hours": _quiet_hours,
}


def summary_lines(draft: Draft, pack: ContentPack) -> dict[str, str]:
    """One line per section, for the summary and for /settings."""
    if draft.injury_status in ("injured", "returning") and draft.condition_id:
        condition = dict(condition_choices(pack)).get(draft.condition_id, draft.condition_id)
        status = "Injured" if draft.injury_status == "injured" else "Coming back"
        injury = f"{status}: {condition}, pain {draft.pain}/10, " + (
            "seen by a clinician" if draft.clinician_seen else "not yet seen by a clinician")
        if draft.red_flags:
            injury += ", warning signs reported"
    else:
        injury = "Not injured"
    time_line = f"{draft.minutes or '?'} min per session, {draft.days or '?'} days a week"
    if draft.nudges_off:
        nudges = "No daily nudges"
    else:
        label, zone = draft.timezone_label, draft.timezone
        where = zone if not label or label == zone else f"{label}, {zone}"
        nudges = f"Daily nudge at {draft.nudge_time} ({where})"
    return {"injury": injury, "equipment": _equipment_echo(draft, pack), "time": time_line,
            "nudges": nudges}
