"""Parse the nudge time a runner types ("7:30", "19h", "7pm", "noon") into a wall-clock time.

Pure and total: every input returns a `time` or None, never raises, so a handler can re-prompt
on None without a try/except. The result is a *local* wall-clock time with no zone attached;
`bot.coach.schedule` turns it into UTC instants for the user's zone.
"""

from __future__ import annotations

import re
from datetime import time

__all__ = ["format_time", "parse_local_time"]

# Nothing sensible is longer than "12:30 p.m."; the cap keeps a 4,000-character paste from
# reaching the regex at all.
_MAX_LEN = 16

_WORDS = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "midnight": time(0, 0),
}

# re.ASCII: `\d` would otherwise accept other scripts' digits ("٧") which we never want to guess at.
_CLOCK = re.compile(
    r"""
    (?P<hour>\d{1,2})
    (?:
        \s*[:.h]\s*(?P<minute>\d{2})   # 7:30, 7.30, 19h30, 7 : 30
      | \s*h                           # 19h
    )?
    \s*(?P<meridiem>a\.?m\.?|p\.?m\.?)?
    """,
    re.VERBOSE | re.ASCII,
)
# "0730", "1930", "730": military style without a separator.
_COMPACT = re.compile(r"(?P<hour>\d{1,2})(?P<minute>\d{2})", re.ASCII)


def parse_local_time(text: str) -> time | None:
    """Return the wall-clock time in `text`, or None when it is not a clear time of day.

    A bare hour is 24-hour ("7" is 07:00, "19" is 19:00). With am/pm the hour must be 1-12
    ("13pm" is rejected rather than guessed). Seconds are never kept.
    """
    if not isinstance(text, str):
        return None
    cleaned = text.strip().lower()
    if not cleaned or len(cleaned) > _MAX_LEN:
        return None
    if cleaned in _WORDS:
        return _WORDS[cleaned]

    match = _COMPACT.fullmatch(cleaned)
    if match is not None:
        return _build(int(match["hour"]), int(match["minute"]), None)

    match = _CLOCK.fullmatch(cleaned)
    if match is None:
        return None
    minute = int(match["minute"]) if match["minute"] is not None else 0
    meridiem = match["meridiem"][0] if match["meridiem"] else None
    return _build(int(match["hour"]), minute, meridiem)


def _build(hour: int, minute: int, meridiem: str | None) -> time | None:
    if not 0 <= minute <= 59:
        return None
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        # 12am is midnight and 12pm is noon: the usual (if odd) convention.
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    if not 0 <= hour <= 23:
        return None
    return time(hour, minute)


def format_time(t: time) -> str:
    """Show a time the way the bot writes it everywhere: 24-hour, zero-padded ("07:30")."""
    return f"{t.hour:02d}:{t.minute:02d}"
