"""When a user's next daily nudge is due, from their settings (a thin policy over schedule.py)."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.coach.schedule import QuietHours, next_nudge_at


def upcoming_nudge(now: datetime, zone: str, nudge_time: time | None, *,
                   paused_until: datetime | None = None, quiet_start: time | None = None,
                   quiet_end: time | None = None, default_quiet: QuietHours | None = None,
                   every_other_day_from: date | None = None) -> datetime | None:
    """The next nudge instant in UTC, or None when the user wants no nudges."""
    if nudge_time is None:
        return None
    quiet = (QuietHours(quiet_start, quiet_end) if quiet_start and quiet_end
             else default_quiet or QuietHours())
    return next_nudge_at(now, zone, nudge_time, paused_until=paused_until, quiet=quiet,
                         every_other_day_from=every_other_day_from)
