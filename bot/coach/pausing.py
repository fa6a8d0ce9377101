"""The rules of pausing, resuming, stopping and deleting: when nudges come back, and which
"delete everything" tap counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.coach.statuses import UserStatus

DEFAULT_PAUSE_DAYS = 7
MAX_PAUSE_DAYS = 90
# How long the "Yes, delete everything" button of the latest /delete question works.
DELETE_CONFIRM_WINDOW = timedelta(minutes=5)


def pause_days(argument: str | None) -> int | None:
    """The days a "/pause [DAYS]" asks for, or None when the argument is not 1..MAX."""
    if argument is None:
        return DEFAULT_PAUSE_DAYS
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if not argument.isdecimal() or len(argument) > 3 or not (
            1 <= int(argument) <= MAX_PAUSE_DAYS):
        return None
    return int(argument)


def pause_until(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def pause_ended_by_resume(paused_until: datetime | None, now: datetime) -> datetime | None:
    """A pause ended early still happened: keep its end (now at the latest), so the streak
    stays frozen over it."""
    return min(paused_until, now) if paused_until is not None else None


def delete_confirmed(asked_message_id: int | None, asked_at: datetime | None,
                     tapped_message_id: int, now: datetime,
                     window: timedelta = DELETE_CONFIRM_WINDOW) -> bool:
    """A tap on "Yes, delete everything" counts only on the latest /delete question, asked less
    than `window` ago."""
    return (asked_message_id == tapped_message_id and asked_at is not None
            and timedelta(0) <= now - asked_at <= window)


def status_after_block(status: str) -> UserStatus | None:
    """The status once the user blocks the bot, or None to keep it: someone who sent /stop
    stays stopped, so unblocking later cannot restart nudges."""
    return None if status == "stopped" else "blocked"


def restarts_after_unblock(status: str) -> bool:
    return status == "blocked"
