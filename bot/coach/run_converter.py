"""Turning a planned run into the same workout on another activity.

Two pure steps:
1. `parse_run(text, pace)` reads a runner's shorthand ("6x800m with 90s jog", "tempo 20 min",
   "long run 1h45", "10k at 5:00/km", ...) into a `RunWorkout`, or a `UnreadableRun`.
2. `convert(pack, profile, run, history, today)` gives, for every activity the user has the
   equipment for and that is safe for their injury, the equivalent session (see
   coaching-notes.md):
   - same structure: intervals stay intervals with the same reps and work:rest, long stays long;
   - matched by time, rounded up to 5 minutes, never by distance;
   - effort matched by RPE (heart rate differs between sports);
   - with the activity's conversion note (pool running: heart rate 10-15 bpm lower, ...).
   Which activities take part, in what order, for which run types, how long at most and with
   what extra load is pack data: each activity's `convert` block (content/activities.yaml), so a
   machine added in YAML takes part with no code change.
3. The same safety escalation as `suggest`: after pain of 5/10 or more, rising pain or a red
   flag (profile or logs), the rules of the most careful phase apply, and `step_down(run)` is
   what the bot converts instead: easy work of at most STEP_DOWN_MINUTES, never the hard run.

Documented assumptions:
- A distance is turned into time with the user's usual (easy) pace; without one we assume
  DEFAULT_PACE_SEC_PER_KM (6:00/km, a typical recreational easy pace) and set `needs_pace` so the
  bot can ask once. A pace written in the run ("10k at 5:00/km") always wins.
- Faster work is run faster than the usual pace: PACE_FACTOR scales it per run type
  (e.g. interval reps at 85% of the easy pace's seconds per km).
- Structured runs (intervals, hills, tempo) get a WARMUP_MINUTES warm-up and COOLDOWN_MINUTES
  cool-down unless the total time was given ("fartlek 30 min" is 30 minutes in all).
- "Nm" is metres from 100 up and minutes below ("6x800m" vs "3x10m"), as in bot/coach/numbers.py.
- "a:bb" is h:mm when a <= 4 ("long run 1:45"), else mm:ss.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.coach.profile import RunnerProfile
from bot.coach.safety import Mode, assess_session
from bot.coach.suggest import (
    PastSession,
    SafetyState,
    has_equipment,
    is_gentle,
    safety_state,
    time_limit,
    user_equipment,
)
from bot.content.models import (
    MIN_STAND_IN_MINUTES,
    Activity,
    Block,
    ContentPack,
    ConvertFacts,
    Session,
    Urgency,
    localize,
)

RunType = Literal["recovery", "easy", "tempo", "intervals", "hills", "long"]

DEFAULT_PACE_SEC_PER_KM = 360
MIN_PACE_SEC_PER_KM = 150  # 2:30/km: faster than world-class 5 km pace is a typo
MAX_PACE_SEC_PER_KM = 900  # 15:00/km: slower is walking, still plausible for a very easy jog
KM_PER_MILE = 1.609344
WARMUP_MINUTES = 10
COOLDOWN_MINUTES = 5
LONG_RUN_MINUTES = 90  # a continuous run this long is a long run whatever it is called
LONG_DURATION_TAG_MINUTES = 90  # matches the `long_duration` load tag's definition
MAX_RUN_MINUTES = 6 * 60
MAX_REPS = 50
STEP_DOWN_MINUTES = 30  # the longest easy stand-in while pain or a warning sign is unresolved

PACE_FACTOR: dict[str, float] = {
    "recovery": 1.12, "easy": 1.0, "long": 1.05, "tempo": 0.9, "intervals": 0.85, "hills": 0.9,
}  # fmt: skip
DEFAULT_RPE: dict[str, int] = {
    "recovery": 2, "easy": 3, "long": 4, "tempo": 7, "intervals": 8, "hills": 8,
}  # fmt: skip
RUN_TYPE_WORDS: dict[str, str] = {
    "recovery": "recovery run", "easy": "easy run", "long": "long run", "tempo": "tempo run",
    "intervals": "interval session", "hills": "hill session",
}  # fmt: skip
SESSION_WORDS: dict[str, str] = {
    "recovery": "recovery session", "easy": "easy session", "long": "long session",
    "tempo": "tempo session", "intervals": "intervals", "hills": "hill efforts",
}  # fmt: skip

LONG_ON_FEET_MINUTES = 60  # time on the feet that loads the sole and heel (`foot_load`)
# Shorter than this is not worth doing as a stand-in; the pack's machine maxima respect it.
MIN_CONVERTED_MINUTES = MIN_STAND_IN_MINUTES
EQUIVALENTS_KEPT = 4096  # converted sessions remembered per pack
MIN_WARMUP_MINUTES = 5
MIN_COOLDOWN_MINUTES = 3

EXAMPLES = ("6x800m with 90s jog", "tempo 20 min", "long run 1h45", "5k easy")
COULD_NOT_READ = "I couldn't read that run; try e.g. " + ", ".join(f"“{e}”" for e in EXAMPLES) + "."


@dataclass(frozen=True)
class RunWorkout:
    """A planned run, reduced to what a conversion needs. Continuous runs have reps=1,
    recovery_seconds=0 and no warm-up/cool-down of their own."""

    type: RunType
    reps: int
    work_seconds: int
    recovery_seconds: int
    warmup_minutes: int
    cooldown_minutes: int
    rpe: int
    needs_pace: bool = False  # a distance was converted with the default pace
    distance_km: float | None = None
    text: str = ""

    @property
    def structured(self) -> bool:
        return self.reps > 1 or self.warmup_minutes > 0

    @property
    def main_minutes(self) -> float:
        return self.reps * (self.work_seconds + self.recovery_seconds) / 60

    @property
    def total_minutes(self) -> int:
        return math.ceil(self.warmup_minutes + self.main_minutes + self.cooldown_minutes - 1e-9)

    def describe(self) -> str:
        """E.g. "interval session: 6 × 4 min (RPE 8) with 90 s easy, about 45 min in all"."""
        kind = RUN_TYPE_WORDS[self.type]
        if not self.structured:
            return f"{kind}: {self.total_minutes} min at RPE {self.rpe}"
        if self.reps == 1:
            return (f"{kind}: {_duration(self.work_seconds)} at RPE {self.rpe} plus warm-up and "
                    f"cool-down, about {self.total_minutes} min in all")
        rest = f" with {_duration(self.recovery_seconds)} easy" if self.recovery_seconds else ""
        return (f"{kind}: {self.reps} × {_duration(self.work_seconds)} (RPE {self.rpe}){rest}, "
                f"about {self.total_minutes} min in all")


@dataclass(frozen=True)
class UnreadableRun:
    message: str = COULD_NOT_READ


@dataclass(frozen=True)
class ConvertedSession:
    activity: Activity
    session: Session  # the equivalent workout, shaped like a pack session
    minutes: int
    rpe: int
    note: str  # the activity's conversion note: how it differs from running
    relevance: str  # first sentence of the activity's running relevance
    caution_notes: tuple[str, ...] = ()
    ready_made: Session | None = None  # a pack session of this activity for this run type


# ------------------------------------------------------------------------------------ parsing

_NUM = r"\d+(?:[.,]\d+)?"
_DIST_UNIT = r"(?:km|kms|k|kilomet(?:re|er)s?|mi|miles?|metres?|meters?|m)"
_TIME_UNIT = (r"(?:hours?|hrs?|h|minutes?|mins?|min|m|'|seconds?|secs?|sec|s|\")")
_QTY = rf"({_NUM})\s*({_DIST_UNIT}|{_TIME_UNIT})(?![a-z])"
_REPS_FIRST = re.compile(rf"\b(\d{{1,2}})\s*x\s*{_QTY}")
_REPS_LAST = re.compile(rf"\b{_QTY}\s*(?:repeats?|reps?|efforts?|intervals?)?\s*x\s*(\d{{1,2}})\b")
_PACE = re.compile(
    r"(\d{1,2})[:.'](\d{2})\"?\s*(?:min(?:utes?)?\s*)?(?:/|per\s+|a\s+)\s*"
    r"(km|k|kilomet(?:re|er)|mi|mile)\b"
)
_HOURS_MINUTES = re.compile(
    r"\b(\d{1,2})\s*(?:h|hr|hrs|hours?)\s*(?:and\s*)?(\d{1,2})\s*(?:m|min|mins|minutes?)?(?![a-z])"
)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b")
_RECOVERY_WORDS = r"(?:jog|jogging|rest|recovery|recoveries|walk|walking|easy|float|off|between)"
_RECOVERY_AFTER = re.compile(rf"{_QTY}\s*(?:of\s+)?{_RECOVERY_WORDS}\b")
_RECOVERY_BEFORE = re.compile(rf"(?:with|w/|/|,|and|rest|recovery|jog|r)\s*{_QTY}")
_RACE_DISTANCES = (
    (re.compile(r"\bhalf[\s-]*marathon\b(?!\s*pace)"), 21.0975),
    (re.compile(r"\bmarathon\b(?!\s*pace)"), 42.195),
    (re.compile(r"\bparkrun\b"), 5.0),
)
_HILLS = re.compile(r"\bhill")
_FARTLEK = re.compile(r"\bfartlek")
_LONG = re.compile(r"\blong\b")
_RECOVERY = re.compile(r"\b(?:recovery|shake\s*-?\s*out|very easy)\b")
_TEMPO = re.compile(
    r"\b(?:tempo|threshold|lt|cruise|marathon pace|mp|hmp|half[\s-]*marathon pace|progression"
    r"|comfortably hard|sweet ?spot)\b"
)
_SPEED = re.compile(
    r"\b(?:intervals?|repeats?|reps|speed|track|vo2(?:\s*max)?|[35]k pace|10k pace|mile pace)\b"
)
_EASY = re.compile(r"\b(?:easy|jog|jogging|steady|base|aerobic|gentle|conversational|z2|"
                   r"zone 2|run|running)\b")


def _to_seconds(value: float, unit: str) -> float | None:
    """Seconds for a time quantity, or None when the unit is a distance."""
    if unit in ("h", "hr", "hrs", "hour", "hours"):
        return value * 3600
    if unit in ("m", "min", "mins", "minute", "minutes", "'"):
        return value * 60
    if unit in ("s", "sec", "secs", "second", "seconds", '"'):
        return value
    return None


def _to_km(value: float, unit: str) -> float | None:
    if unit in ("km", "kms", "k") or unit.startswith("kilomet"):
        return value
    if unit in ("mi", "mile", "miles"):
        return value * KM_PER_MILE
    if unit.startswith(("metre", "meter")) or unit == "m":
        return value / 1000
    return None


@dataclass(frozen=True)
class _Qty:
    seconds: float | None = None
    km: float | None = None


def _qty(number: str, unit: str) -> _Qty:
    value = float(number.replace(",", "."))
    if unit == "m":
        # Metres from 100 up, minutes below: nobody runs 800-minute reps or 10-metre repeats.
        return _Qty(km=value / 1000) if value >= 100 else _Qty(seconds=value * 60)
    seconds = _to_seconds(value, unit)
    return _Qty(seconds=seconds) if seconds is not None else _Qty(km=_to_km(value, unit))


def parse_pace(text: str) -> int | None:
    """A usual pace in seconds per km: "5:30", "5:30/km", "9:00/mi", "9 min/mile", "5.30"."""
    s = text.lower().strip().replace("’", "'").replace("min/", "/").replace("mins/", "/")
    per_mile = bool(re.search(r"\b(?:mi|mile|miles)\b|/mi", s))
    match = re.search(r"(\d{1,2})\s*[:.'m]\s*(\d{2})", s)
    if match:
        seconds = int(match.group(1)) * 60 + int(match.group(2))
        if int(match.group(2)) >= 60:
            return None
    else:
        whole = re.fullmatch(r"\D*(\d{1,2})\s*(?:min(?:utes?)?|m)?\s*(?:/|per|a)?\s*\D*", s)
        if not whole:
            return None
        seconds = int(whole.group(1)) * 60
    if per_mile:
        seconds = round(seconds / KM_PER_MILE)
    if not MIN_PACE_SEC_PER_KM <= seconds <= MAX_PACE_SEC_PER_KM:
        return None
    return seconds


def format_pace(sec_per_km: int) -> str:
    return f"{sec_per_km // 60}:{sec_per_km % 60:02d}/km"


def _normalise(text: str) -> str:
    s = text.lower().strip()
    s = s.replace("×", "x").replace("*", "x").replace("’", "'").replace("″", '"')
    s = re.sub(r"(?<=\d)\s*x(?=\s*\d)", " x ", s)  # "6x800" -> "6 x 800"
    s = s.replace("w/", "with ")
    return re.sub(r"\s+", " ", s)


def _total_seconds(s: str) -> tuple[float | None, str]:
    """A single overall duration ("1h45", "long run 1:45", "40 min", "90'"), and the text left."""
    match = _HOURS_MINUTES.search(s)
    if match:
        seconds = int(match.group(1)) * 3600 + int(match.group(2)) * 60
        return seconds, s[: match.start()] + " " + s[match.end():]
    match = _CLOCK.search(s)
    if match:
        a, b, c = int(match.group(1)), int(match.group(2)), match.group(3)
        if c is not None:
            seconds = a * 3600 + b * 60 + int(c)
        else:
            seconds = a * 3600 + b * 60 if a <= 4 else a * 60 + b
        return seconds, s[: match.start()] + " " + s[match.end():]
    for found in re.finditer(_QTY, s):
        quantity = _qty(found.group(1), found.group(2))
        if quantity.seconds is not None:
            return quantity.seconds, s[: found.start()] + " " + s[found.end():]
    return None, s


def _distance_km(s: str) -> float | None:
    for pattern, km in _RACE_DISTANCES:
        if pattern.search(s):
            return km
    for found in re.finditer(_QTY, s):
        quantity = _qty(found.group(1), found.group(2))
        if quantity.km is not None:
            return quantity.km
    return None


def _round_to(seconds: float, step: int) -> int:
    return max(step, round(seconds / step) * step)


def _rpe_for(run_type: str, s: str) -> int:
    if run_type == "tempo":
        if re.search(r"\b(?:half[\s-]*marathon pace|hmp)\b", s):
            return 7
        if re.search(r"\b(?:marathon pace|mp)\b", s):
            return 6
    if run_type == "intervals":
        if re.search(r"\b(?:3k pace|mile pace|vo2)", s):
            return 9
        if re.search(r"\b10k pace\b|\bfartlek", s):
            return 7
    return DEFAULT_RPE[run_type]


def parse_run(text: str, pace_sec_per_km: int | None = None) -> RunWorkout | UnreadableRun:
    """Read a planned run. `pace_sec_per_km` is the user's usual pace (None = not known yet)."""
    s = _normalise(text)[:200]
    if not s:
        return UnreadableRun()
    explicit_pace: int | None = None
    match = _PACE.search(s)
    if match:
        written = int(match.group(1)) * 60 + int(match.group(2))
        if match.group(3) in ("mi", "mile"):
            written = round(written / KM_PER_MILE)
        if MIN_PACE_SEC_PER_KM <= written <= MAX_PACE_SEC_PER_KM:
            explicit_pace = written
        s = s[: match.start()] + " " + s[match.end():]
    pace = explicit_pace or pace_sec_per_km or DEFAULT_PACE_SEC_PER_KM
    needs_pace = False

    reps_match = _REPS_FIRST.search(s)
    reps = work = None
    if reps_match:
        reps, work = int(reps_match.group(1)), _qty(reps_match.group(2), reps_match.group(3))
    else:
        reps_match = _REPS_LAST.search(s)
        if reps_match:
            reps, work = int(reps_match.group(3)), _qty(reps_match.group(1), reps_match.group(2))
    rest = s
    if reps_match:
        rest = s[: reps_match.start()] + " " + s[reps_match.end():]

    hills = bool(_HILLS.search(s))
    tempo_words = bool(_TEMPO.search(s))
    if hills:
        run_type: RunType = "hills"
    elif reps_match:
        run_type = "tempo" if tempo_words else "intervals"
    elif _FARTLEK.search(s) or (_SPEED.search(s) and not _LONG.search(s)):
        run_type = "intervals"
    elif _LONG.search(s):
        run_type = "long"
    elif tempo_words:
        run_type = "tempo"
    elif _RECOVERY.search(s):
        run_type = "recovery"
    else:
        run_type = "easy"
    rpe = _rpe_for(run_type, s)

    if reps_match and reps is not None and work is not None:
        if not 1 <= reps <= MAX_REPS:
            return UnreadableRun()
        if work.seconds is not None:
            work_seconds = work.seconds
        else:
            assert work.km is not None
            # Rounded to 15 s: a rep time from a distance and a guessed pace is no more precise.
            work_seconds = _round_to(work.km * pace * PACE_FACTOR[run_type], 15)
            needs_pace = explicit_pace is None and pace_sec_per_km is None
        recovery = _recovery_seconds(rest, pace)
        if recovery is None:
            recovery = _default_recovery(run_type, work_seconds)
        workout = RunWorkout(
            type=run_type, reps=reps, work_seconds=_round_to(work_seconds, 5),
            recovery_seconds=_round_to(recovery, 5) if recovery else 0,
            warmup_minutes=WARMUP_MINUTES, cooldown_minutes=COOLDOWN_MINUTES, rpe=rpe,
            needs_pace=needs_pace, text=text.strip(),
        )
        return workout if workout.total_minutes <= MAX_RUN_MINUTES else UnreadableRun()

    seconds, rest = _total_seconds(s)
    distance = None
    if seconds is None:
        distance = _distance_km(s)
        if distance is None:
            return UnreadableRun()
        factor = 1.0 if explicit_pace else PACE_FACTOR[run_type]
        seconds = distance * pace * factor
        needs_pace = explicit_pace is None and pace_sec_per_km is None
    if not 0 < seconds <= MAX_RUN_MINUTES * 60:
        return UnreadableRun()
    minutes = seconds / 60
    if run_type in ("easy", "recovery") and minutes >= LONG_RUN_MINUTES:
        run_type, rpe = "long", DEFAULT_RPE["long"]
    if (run_type == "easy" and explicit_pace and pace_sec_per_km
            and explicit_pace <= 0.93 * pace_sec_per_km):
        # "10k at 5:00/km" when the usual pace is 5:45: that is a tempo run.
        run_type, rpe = "tempo", DEFAULT_RPE["tempo"]
    if run_type == "intervals":
        return _unstructured_intervals(s, minutes, rpe, needs_pace, distance, text)
    if run_type in ("tempo", "hills"):
        # "tempo 20 min" is 20 minutes at tempo, with its own warm-up and cool-down around it.
        return RunWorkout(type=run_type, reps=1, work_seconds=_round_to(seconds, 5),
                          recovery_seconds=0, warmup_minutes=WARMUP_MINUTES,
                          cooldown_minutes=COOLDOWN_MINUTES, rpe=rpe, needs_pace=needs_pace,
                          distance_km=distance, text=text.strip())
    return RunWorkout(type=run_type, reps=1, work_seconds=_round_to(seconds, 5),
                      recovery_seconds=0, warmup_minutes=0, cooldown_minutes=0, rpe=rpe,
                      needs_pace=needs_pace, distance_km=distance, text=text.strip())


def _recovery_seconds(rest: str, pace: int) -> float | None:
    for pattern in (_RECOVERY_AFTER, _RECOVERY_BEFORE):
        match = pattern.search(rest)
        if match:
            quantity = _qty(match.group(1), match.group(2))
            if quantity.seconds is not None:
                return quantity.seconds
            if quantity.km is not None:
                return quantity.km * pace * PACE_FACTOR["recovery"]
    return None


def _default_recovery(run_type: str, work_seconds: float) -> float:
    if run_type == "hills":
        return work_seconds  # jog back down about as long as the climb took
    if run_type == "tempo":
        return 120 if work_seconds <= 600 else 180
    return min(180.0, max(60.0, work_seconds / 2))


def _unstructured_intervals(s: str, minutes: float, rpe: int, needs_pace: bool,
                            distance: float | None, text: str) -> RunWorkout | UnreadableRun:
    """"fartlek 30 min" or "intervals 40 min": the time given is the whole session, so the
    reps fill what is left after warm-up and cool-down."""
    work, recovery = (60, 60) if _FARTLEK.search(s) else (180, 120)
    main = minutes - WARMUP_MINUTES - COOLDOWN_MINUTES
    if main < (work + recovery) / 60:
        return UnreadableRun()
    reps = max(1, int(main * 60 // (work + recovery)))
    cooldown = COOLDOWN_MINUTES + round(main - reps * (work + recovery) / 60)
    return RunWorkout(type="intervals", reps=reps, work_seconds=work, recovery_seconds=recovery,
                      warmup_minutes=WARMUP_MINUTES, cooldown_minutes=cooldown, rpe=rpe,
                      needs_pace=needs_pace, distance_km=distance, text=text.strip())


def _duration(value: float) -> str:
    seconds = round(value)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


# --------------------------------------------------------------------------------- converting


def _suits(pack: ContentPack, activity: Activity, run_type: str) -> bool:
    """Whether `activity` may stand in for a run of `run_type`: its `convert` facts list the
    type, or a ready-made session of it replaces that type (so a coach who adds a session need
    not also edit the activity). Without `convert` facts it never stands in."""
    facts = activity.convert
    if facts is None:
        return False
    if run_type in facts.replaces:
        return True
    replaced = pack.memo("convert.replaces")
    if not replaced:
        replaced.update({(s.activity, t): True for s in pack.sessions.values() for t in s.replaces})
    return (activity.id, run_type) in replaced


def _time_factor(activity: Activity) -> float:
    return activity.convert.time_factor if activity.convert is not None else 1.0


def _max_minutes(activity: Activity) -> int | None:
    return activity.convert.max_minutes if activity.convert is not None else None


def _hill_tags(activity: Activity, facts: ConvertFacts | None) -> list[str]:
    """The load a hill session puts on the body on `activity`: the pack's word, or by default
    the hills themselves when it is on foot (weight-bearing), nothing when it is not."""
    if facts is not None and facts.hill_tags is not None:
        return list(facts.hill_tags)
    return ["hills"] if activity.weight_bearing else []


def _ceil5(minutes: float) -> int:
    return int(math.ceil(minutes / 5 - 1e-9) * 5)


def _on_foot_tags(activity: Activity, run: RunWorkout, total: int) -> list[str]:
    """The load a converted session puts on the legs, so it passes the same injury rules as a
    pack session: hills and descents on foot (or big-gear climbs on a bike), what the activity
    always adds (a hike's rough ground), long spells on the feet."""
    facts = activity.convert
    tags: list[str] = []
    if run.type == "hills":
        tags += _hill_tags(activity, facts)
    if facts is not None:
        tags += facts.load_tags
    if activity.weight_bearing and total >= LONG_ON_FEET_MINUTES:
        tags.append("foot_load")
    if total >= LONG_DURATION_TAG_MINUTES:
        tags.append("long_duration")
    return tags


def _fit_structured(run: RunWorkout, cap: int) -> tuple[int, int, int, int] | None:
    """(reps, warm-up, cool-down, total) of the structured run cut to fit `cap` minutes: fewer
    reps first, then shorter warm-up and cool-down; None when not even one rep fits."""
    rep_minutes = (run.work_seconds + run.recovery_seconds) / 60
    for warmup, cooldown in ((run.warmup_minutes, run.cooldown_minutes),
                             (min(run.warmup_minutes, MIN_WARMUP_MINUTES),
                              min(run.cooldown_minutes, MIN_COOLDOWN_MINUTES))):
        room = cap - warmup - cooldown
        reps = min(run.reps, int(room // rep_minutes + 1e-9)) if rep_minutes else 0
        if reps >= 1:
            total = math.ceil(warmup + reps * rep_minutes + cooldown - 1e-9)
            return reps, warmup, cooldown, min(total, cap)
    return None


def _equivalent(activity: Activity, run: RunWorkout, cap: int | None = None) -> Session | None:
    """The run rebuilt on `activity`, never longer than `cap` (the runner's time, or the step-down
    limit) nor the activity's sensible maximum; None when no useful version fits."""
    name = localize(activity.name)
    limits = [x for x in (cap, _max_minutes(activity)) if x is not None]
    limit = min(limits) if limits else None
    if run.structured:
        reps, warmup_minutes, cooldown_minutes = run.reps, run.warmup_minutes, run.cooldown_minutes
        total = _ceil5(run.total_minutes)
        if limit is not None and total > limit:
            fitted = _fit_structured(run, limit)
            if fitted is None:
                return None
            reps, warmup_minutes, cooldown_minutes, total = fitted
        warmup = Block(label={"en": "Easy warm-up, building gradually"},
                       minutes=warmup_minutes, rpe=3)
        shown_reps = f"{reps} × " if reps > 1 else ""
        main_label = (f"{shown_reps}{_duration(run.work_seconds)} at RPE {run.rpe}"
                      + (f", {_duration(run.recovery_seconds)} easy between"
                         if run.recovery_seconds else ""))
        main = Block(label={"en": main_label}, work_seconds=run.work_seconds,
                     recovery_seconds=run.recovery_seconds or None, repeats=reps, rpe=run.rpe)
        cooldown_left = total - warmup_minutes - main.duration_minutes
        cooldown = Block(label={"en": "Easy cool-down"},
                         minutes=round(max(cooldown_left, min(cooldown_minutes, 1)), 2), rpe=2)
    else:
        total = _ceil5(run.total_minutes * _time_factor(activity))
        if limit is not None:
            total = min(total, limit)
        if total < MIN_CONVERTED_MINUTES:
            return None
        edge = 5 if total >= 20 else 2
        warmup = Block(label={"en": "Start easy"}, minutes=edge, rpe=max(1, min(run.rpe, 3) - 1))
        main = Block(label={"en": f"Steady at RPE {run.rpe}"}, minutes=total - 2 * edge,
                     rpe=run.rpe)
        cooldown = Block(label={"en": "Ease off"}, minutes=edge, rpe=2)
    return Session(
        id=f"converted_{activity.id}",
        title={"en": f"{short_name(name)}: {SESSION_WORDS[run.type]}"},
        activity=activity.id, intensity=run.type, replaces=[run.type], level=1, minutes=total,
        load_tags=_on_foot_tags(activity, run, total), warmup=warmup, main=[main],
        cooldown=cooldown,
    )


def short_name(name: str) -> str:
    """"Turbo trainer or indoor bike" -> "Turbo trainer"; "Pool running (deep-water)" -> ..."""
    return re.split(r" \(| or ", name, maxsplit=1)[0]


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


def step_down(run: RunWorkout) -> RunWorkout:
    """What to do instead of `run` while pain or a warning sign is unresolved: continuous easy
    work, no longer than the run and at most STEP_DOWN_MINUTES."""
    minutes = min(run.total_minutes, STEP_DOWN_MINUTES)
    return RunWorkout(type="easy", reps=1, work_seconds=minutes * 60, recovery_seconds=0,
                      warmup_minutes=0, cooldown_minutes=0, rpe=DEFAULT_RPE["easy"],
                      needs_pace=run.needs_pace, distance_km=None, text=run.text)


def convert(pack: ContentPack, profile: RunnerProfile, run: RunWorkout,
            history: Sequence[PastSession] = (), today: date = date.min,
            ) -> list[ConvertedSession]:
    """The run on every activity the user can do safely with their equipment, closest first,
    each within the runner's time. With pain or warning signs in the profile or the logs (see
    suggest.safety_state), the most careful rules apply and `step_down(run)` is converted instead
    of the run, every option within STEP_DOWN_MINUTES; with signs that need emergency care,
    nothing is."""
    state = safety_state(pack, profile, history, today)
    if state.mode == "emergency":
        return []
    cap = time_limit(profile.minutes_per_session)
    if state.gentle:
        run = step_down(run)
        cap = min(cap or STEP_DOWN_MINUTES, STEP_DOWN_MINUTES)
    equipment = user_equipment(profile)
    result: list[ConvertedSession] = []
    for activity in _stand_ins(pack):
        if not set(activity.equipment) - {"nothing"} <= equipment:
            continue
        if not _suits(pack, activity, run.type):
            continue
        equivalents = pack.memo("convert.equivalents")
        key = (activity.id, run, cap)
        if key not in equivalents:
            if len(equivalents) >= EQUIVALENTS_KEPT:
                equivalents.clear()  # typed runs are endless; keep the memo bounded
            equivalents[key] = _equivalent(activity, run, cap)
        session = equivalents[key]
        if session is None:
            continue
        verdict = assess_session(pack, session, state.condition_id, state.phase, mode=state.mode)
        if not verdict.allowed:
            continue
        note = localize(activity.conversion_note) if activity.conversion_note else ""
        if session.minutes < _ceil5(run.total_minutes * _time_factor(activity)):
            machine_max = _max_minutes(activity)
            why = (f"your {cap} minutes" if cap is not None
                   and (machine_max is None or cap <= machine_max)
                   else "what makes sense on this machine")
            note = f"{note} Cut to {session.minutes} min to fit {why}.".strip()
        result.append(ConvertedSession(
            activity=activity, session=session, minutes=session.minutes, rpe=run.rpe,
            note=note,
            relevance=_first_sentence(localize(activity.running_relevance)),
            caution_notes=tuple(verdict.notes) if verdict.verdict == "caution" else (),
            ready_made=_ready_made(pack, activity, run, state, equipment, cap),
        ))
    return result


def _stand_ins(pack: ContentPack) -> list[Activity]:
    """The activities with `convert` facts, in the order /convert lists them: by rank, closest
    to the running action first (coaching-notes.md); equal ranks keep the pack's order."""
    memo = pack.memo("convert.stand_ins")
    if "order" not in memo:
        memo["order"] = sorted((a for a in pack.activities.values() if a.convert is not None),
                               key=lambda a: a.convert.rank if a.convert is not None else 0)
    stand_ins: list[Activity] = memo["order"]
    return stand_ins


@dataclass(frozen=True)
class Conversion:
    """What the bot answers to a planned run: the workout it converted (the run itself, or its
    step-down), the options, and why it stepped down (None when it did not)."""

    run: RunWorkout
    options: list[ConvertedSession]
    stepped_down_because: str | None = None
    see_clinician: bool = False
    mode: Mode = "normal"
    urgency: Urgency | None = None


def conversion(pack: ContentPack, profile: RunnerProfile, run: RunWorkout,
               history: Sequence[PastSession], today: date) -> Conversion:
    """`convert` with the safety escalation applied (see the module docstring, point 3)."""
    state = safety_state(pack, profile, history, today)
    shown = step_down(run) if state.gentle else run
    return Conversion(shown, convert(pack, profile, run, history, today),
                      state.gentle_reason if state.gentle else None, state.see_clinician,
                      state.mode, state.urgency)


def _ready_made(pack: ContentPack, activity: Activity, run: RunWorkout, state: SafetyState,
                equipment: frozenset[str], cap: int | None) -> Session | None:
    options: Sequence[Session] = [
        s for s in pack.sessions.values()
        if s.activity == activity.id and run.type in s.replaces
        and (cap is None or s.minutes <= cap)
        and has_equipment(pack, s, equipment)
        and (not state.gentle or is_gentle(pack, s))
        and assess_session(pack, s, state.condition_id, state.phase, mode=state.mode).allowed
    ]
    if not options:
        return None
    return min(options, key=lambda s: abs(s.minutes - run.total_minutes))
