"""Numbers in free text: number words, durations and distances.

Kept apart from the log parser so the unit rules, and the ambiguities they settle, live in one
place.

Documented decisions:
- "Nm" is metres when N >= 100 ("1500m swim" -> 1.5 km) and minutes below ("45m bike" -> 45 min):
  nobody logs 100+ minutes as "m", and nobody swims 45 metres as a session.
- "a:bb" is h:mm when a <= 4 ("1:30" -> 90 min) and mm:ss above ("22:30" -> 22.5 min): a
  cross-training session over 4 hours is rarer than a 5+ minute piece timed to the second.
- "1,500" (comma then exactly three digits) is a thousands separator; "1,5" is a decimal comma.
- Out-of-range quantities are rejected, not clamped: a clamped "900 hours" would still be nonsense.
  The rule returns None and the parser keeps the text in the notes so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

MAX_MINUTES = 24 * 60.0  # a single log longer than a day is a typo
MAX_KM = 1000.0  # beyond any single cross-training session, even ultra cycling
KM_PER_MILE = 1.609344
KM_PER_YARD = 0.0009144
METRES_THRESHOLD = 100.0
CLOCK_HOURS_MAX = 4

# --- number words ------------------------------------------------------------------------------

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SMALL = "one|two|three|four|five|six|seven|eight|nine"
_ONES_ALT = "|".join(sorted(_ONES, key=len, reverse=True))
_TENS_ALT = "|".join(sorted(_TENS, key=len, reverse=True))
# A counted quantity in words; "a"/"an"/"a couple of" only count in front of a unit (see below).
_WORDNUM = rf"(?:(?:{_TENS_ALT})(?:[\s-]+(?:{_SMALL}))?|{_ONES_ALT}|(?:a\s+)?couple(?:\s+of)?|an|a)"
_UNIT_WORDS = (
    r"(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|kilomet(?:re|er)s?|kms?|k|miles?|mi"
    r"|laps?|lengths?|reps?|sets?|rounds?|days?)"
)

_HINT = re.compile(rf"\b(?:{_ONES_ALT}|{_TENS_ALT}|an?|half|quarters?|couple)\b")
_HOUR_AND_HALF = re.compile(r"\b(?:an?\s+|one\s+)?hour\s+and\s+a\s+half\b")
_N_AND_HALF = re.compile(rf"\b(\d{{1,3}}|{_WORDNUM})\s+and\s+a\s+half\s+({_UNIT_WORDS})\b")
_HALF_HOUR = re.compile(r"\b(?:a\s+)?half\s+(?:an?\s+)?hour\b")
_THREE_QUARTERS = re.compile(r"\b(?:three|3)\s+quarters?\s+of\s+an\s+hour\b")
_QUARTER_HOUR = re.compile(r"\b(?:an?\s+|one\s+)?quarter\s+(?:of\s+an\s+)?hour\b")
_HALF_DISTANCE = re.compile(r"\bhalf\s+an?\s+(mile|km|kilomet(?:re|er))\b")
_WORDS_BEFORE_UNIT = re.compile(rf"\b({_WORDNUM})(?=\s+{_UNIT_WORDS}\b)")
# "1 hour twenty": the minutes after an hour have no unit of their own.
_WORDS_AFTER_HOURS = re.compile(
    rf"\b(\d{{1,3}}\s*(?:hours?|hrs?|h))\s+(?:and\s+)?((?:{_TENS_ALT})(?:[\s-]+(?:{_SMALL}))?"
    rf"|{_ONES_ALT})\b"
)


def word_to_int(words: str) -> int:
    """Value of a number phrase matched by _WORDNUM ("twenty-five", "a couple of", "an")."""
    parts = re.split(r"[\s-]+", words.strip())
    if "couple" in parts:
        return 2
    total = 0
    for part in parts:
        if part in ("a", "an"):
            total += 1
        else:
            total += _ONES.get(part, 0) + _TENS.get(part, 0)
    return total


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _count(token: str) -> float:
    return float(token) if token.isdigit() else float(word_to_int(token))


def words_to_digits(text: str) -> str:
    """Rewrite spoken quantities as digits ("an hour and a half" -> "90 min").

    Only words that quantify a unit are rewritten, so "with my two kids" stays as written in notes.
    The input must already be lowercase.
    """
    if _HINT.search(text) is None:  # most messages have no number words: one scan, not eight
        return text
    text = _HOUR_AND_HALF.sub("90 min", text)
    text = _N_AND_HALF.sub(lambda m: f"{_fmt(_count(m[1]) + 0.5)} {m[2]}", text)
    text = _THREE_QUARTERS.sub("45 min", text)
    text = _HALF_HOUR.sub("30 min", text)
    text = _QUARTER_HOUR.sub("15 min", text)
    text = _HALF_DISTANCE.sub(r"0.5 \1", text)
    text = _WORDS_BEFORE_UNIT.sub(lambda m: str(word_to_int(m[1])), text)
    return _WORDS_AFTER_HOURS.sub(lambda m: f"{m[1]} {word_to_int(m[2])}", text)


# --- numerals ----------------------------------------------------------------------------------

# Bounded digit runs keep float() cheap and away from int's huge-string limit.
NUM = r"(?<![\d.,:/])(\d{1,3}(?:,\d{3})+|\d{1,5}(?:[.,]\d{1,3})?)(?![\d/:])"


def to_number(token: str) -> float:
    """Parse a NUM capture: "1,500" -> 1500.0, "1,5" -> 1.5, "2.5" -> 2.5."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        return float(token.replace(",", ""))
    return float(token.replace(",", "."))


# --- durations and distances -------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    kind: Literal["minutes", "km"]
    value: float


def minutes(value: float) -> Quantity | None:
    return Quantity("minutes", round(float(value), 2)) if 0 < value <= MAX_MINUTES else None


def km(value: float) -> Quantity | None:
    return Quantity("km", round(float(value), 3)) if 0 < value <= MAX_KM else None


def _minutes_or_metres(value: float) -> Quantity | None:
    return km(value / 1000) if value >= METRES_THRESHOLD else minutes(value)


_H = r"(?:hours|hour|hrs|hr|h)(?![a-z])"
_MIN = r"(?:(?:minutes|minute|mins|min|mns|mn)(?![a-z])|')"
_SEC = r"(?:seconds|second|secs|sec|s)(?![a-z])"
_DIST = (
    r"(?:kilometres|kilometers|kilometre|kilometer|kms|km|k|miles|mile|mi"
    r"|metres|meters|metre|meter|mtrs|m|yards|yard|yds|yd)(?![a-z])"
)
_KM_FACTOR = {
    "k": 1.0, "km": 1.0, "kms": 1.0, "kilometre": 1.0, "kilometres": 1.0, "kilometer": 1.0,
    "kilometers": 1.0, "mi": KM_PER_MILE, "mile": KM_PER_MILE, "miles": KM_PER_MILE,
    "metre": 0.001, "metres": 0.001, "meter": 0.001, "meters": 0.001, "mtrs": 0.001,
    "yard": KM_PER_YARD, "yards": KM_PER_YARD, "yd": KM_PER_YARD, "yds": KM_PER_YARD,
}  # fmt: skip


def _sets(m: re.Match[str]) -> Quantity | None:
    reps, each = float(m[1]), to_number(m[2])
    if m["sec"]:
        return minutes(reps * each / 60)
    if m["m"] and each >= METRES_THRESHOLD:  # "4x500m" is metres, "3x10m" minutes
        return km(reps * each / 1000)
    return minutes(reps * each)


def _clock(m: re.Match[str]) -> Quantity | None:
    first, second = int(m[1]), int(m[2])
    if m[3] is not None:  # h:mm:ss
        return minutes(first * 60 + second + int(m[3]) / 60)
    if first <= CLOCK_HOURS_MAX:
        return minutes(first * 60 + second)
    return minutes(first + second / 60)


def _distance(m: re.Match[str]) -> Quantity | None:
    value, unit = to_number(m[1]), m[2]
    if unit == "m":
        return _minutes_or_metres(value)
    return km(value * _KM_FACTOR[unit])


QuantityRule = tuple[re.Pattern[str], Callable[[re.Match[str]], Quantity | None]]

# Ordered: each rule blanks what it matched, so the specific forms ("1h15", "3x1min") must run
# before the plain ones ("1h", "15 min") could take them apart.
QUANTITY_RULES: tuple[QuantityRule, ...] = (
    (
        re.compile(
            rf"(?<![\d.])(\d{{1,3}})\s*(?:[x×*]|(?:sets?|rounds?)\s+of)\s*{NUM}\s*"
            rf"(?:(?P<min>{_MIN})|(?P<sec>{_SEC})|(?P<m>m)(?![a-z]))"
        ),
        _sets,
    ),
    (re.compile(r"(?<![\d.:])(\d{1,2}):([0-5]\d)(?::([0-5]\d))?(?![\d:])"), _clock),
    (
        re.compile(rf"{NUM}\s*{_H}\s*(?:and\s+)?(\d{{1,2}})\s*(?:{_MIN}|m(?![a-z]))"),
        lambda m: minutes(to_number(m[1]) * 60 + int(m[2])),
    ),
    (
        # "1h15", "1 hour 20": bare minutes, unless a distance or another number follows.
        re.compile(rf"{NUM}\s*{_H}\s*(\d{{1,2}})(?![\d.,:/])(?!\s*(?:{_DIST}|{_SEC}|[x×]))"),
        lambda m: minutes(to_number(m[1]) * 60 + int(m[2])),
    ),
    (
        re.compile(rf"{NUM}\s*{_MIN}\s*(?:and\s+)?(\d{{1,2}})\s*{_SEC}"),
        lambda m: minutes(to_number(m[1]) + int(m[2]) / 60),
    ),
    (re.compile(rf"{NUM}\s*{_H}"), lambda m: minutes(to_number(m[1]) * 60)),
    (re.compile(rf"{NUM}\s*{_MIN}"), lambda m: minutes(to_number(m[1]))),
    (re.compile(rf"{NUM}\s*{_SEC}"), lambda m: minutes(to_number(m[1]) / 60)),
    (re.compile(rf"{NUM}\s*({_DIST})"), _distance),
)

# A number that counts things ("20 laps", "3x10") is neither a duration nor a bare minutes figure.
COUNT_RE = re.compile(
    rf"{NUM}\s*(?=(?:laps?|lengths?|reps?|sets?|rounds?|times|intervals?|kids?)\b)"
    r"|(?<![\d.])\d{1,3}\s*[x×]\s*\d{1,4}(?![\d.])"
)
# A lone number left after everything else: "yoga 20", "🏊 30" mean minutes.
BARE_NUMBER_RE = re.compile(r"(?<![\w.,:/'])(\d{1,3}(?:\.\d{1,2})?)(?![\w.,:/'%])")
BARE_MINUTES_MAX = 600.0  # a bare "900" is more likely a distance or a typo than minutes
