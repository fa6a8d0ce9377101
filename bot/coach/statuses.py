"""The fixed sets of strings the bot stores: one definition each.

Each set is a `Literal`, so a comparison with a plain string (`status == "done"`) works as
before, mypy checks every value written where the type is declared, and the database columns
keep holding plain strings. `values_of` gives a set's values at run time: the models build
their CHECK constraints from it, so the type and the database cannot drift apart.

Adding a value is a schema change: extend the Literal here and write a migration that widens
the column's CHECK constraint.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

# users.status. A pause is not a status: the user stays active with `paused_until` set.
UserStatus = Literal[
    "active",  # nudged on schedule
    "blocked",  # the user blocked the bot; any message from them makes them active again
    "stopped",  # /stop: no nudges, data kept
]

# profiles.injury_status
InjuryStatus = Literal["none", "injured", "returning"]

# profiles.phase: set from the injury answers (bot.coach.phases), NULL when not injured.
Phase = Literal["acute", "settling", "returning"]

# session_logs.status
LogStatus = Literal["done", "skipped"]

# session_logs.source: what the log came from. "button" is kept for logs written by an earlier
# Done button; new ones say "nudge" or "suggestion".
LogSource = Literal["text", "button", "nudge", "suggestion", "command"]

# nudge_deliveries.kind: the daily nudges, the back-off messages, and the notice that a stored
# zone was unusable.
DeliveryKind = Literal["habit", "session", "backoff_ask", "backoff_pause", "zone_reset"]

# nudge_deliveries.status (docs/nudges.md has the life of a row).
DeliveryStatus = Literal["pending", "sending", "sent", "blocked", "failed", "skipped", "unknown"]

# nudge_deliveries.response: Done, a snooze or Skip on a nudge, or the answer to "Still want
# these?" on a back-off question.
DeliveryResponse = Literal["done", "snoozed", "skipped", "keep", "every_other_day", "paused"]

# conversation_states.flow: the multi-step conversations a user can be in.
Flow = Literal["onboarding", "settings", "injury", "convert", "log_clarify"]


def values_of(literal: Any) -> tuple[str, ...]:
    """The strings a Literal type allows, in the order written."""
    values = get_args(literal)
    if not values or not all(isinstance(value, str) for value in values):
        raise TypeError(f"not a Literal of strings: {literal!r}")
    return values


USER_STATUSES = values_of(UserStatus)
INJURY_STATUSES = values_of(InjuryStatus)
PHASES = values_of(Phase)
LOG_STATUSES = values_of(LogStatus)
LOG_SOURCES = values_of(LogSource)
DELIVERY_KINDS = values_of(DeliveryKind)
DELIVERY_STATUSES = values_of(DeliveryStatus)
DELIVERY_RESPONSES = values_of(DeliveryResponse)
FLOWS = values_of(Flow)
