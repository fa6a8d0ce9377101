"""The coaching repository: recent history for the coach, the effort of a suggestion's "Done"
and the end of the /convert conversation. (The "Done" log itself is stored through
bot/db/logs.py, the one place logs are made; the /convert state is a conversations row.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from bot.coach.pain_check import mentions_red_flag
from bot.coach.suggest import PastSession
from bot.db.engine import Database
from bot.db.models import ConversationState, SessionLog
from bot.db.unit import Unit

CONVERT_FLOW = "convert"
_ASKED_AT = "asked_at"

_LOGS = SessionLog.__table__
# Core statements built once: /suggest, /week and every button run the history query.
_HISTORY_QUERY = (
    select(_LOGS.c.performed_on, _LOGS.c.activity_id, _LOGS.c.session_id, _LOGS.c.minutes,
           _LOGS.c.effort, _LOGS.c.pain, _LOGS.c.status, _LOGS.c.raw_text, _LOGS.c.notes)
    .where(_LOGS.c.user_id == bindparam("uid"), _LOGS.c.performed_on >= bindparam("since"),
           _LOGS.c.undone_at.is_(None))
    .order_by(_LOGS.c.performed_on, _LOGS.c.id)
)
_SET_EFFORT = (
    update(SessionLog)
    .where(SessionLog.user_id == bindparam("uid"),
           SessionLog.source_message_id == bindparam("mid"),
           SessionLog.source == "suggestion", SessionLog.undone_at.is_(None))
    .values(effort=bindparam("new_effort"))
)
_CLEAR_CONVERT = delete(ConversationState).where(ConversationState.user_id == bindparam("uid"),
                                                 ConversationState.flow == CONVERT_FLOW)


@dataclass(frozen=True)
class ConvertState:
    step: str  # "run" (waiting for the run) | "pace" (waiting for the usual pace)
    prompt_message_id: int | None  # the ForceReply prompt an explicit reply answers
    data: dict[str, Any]
    asked_at: datetime | None = None  # when the prompt was sent (typed answers expire)


class CoachingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent_history(self, user_id: int, since: date, *, unit: Unit | None = None
                             ) -> list[PastSession]:
        """Logs performed on or after `since`, oldest first, without undone ones. A log whose
        text mentions a warning sign (numbness, swelling, night pain...) is marked red_flag.
        Without a unit (a test, a job) it reads on a connection of its own."""
        parameters = {"uid": user_id, "since": since}
        if unit is not None:
            rows = (await unit.execute(_HISTORY_QUERY, parameters)).all()
        else:
            async with self._db.reading() as own:
                rows = (await own.execute(_HISTORY_QUERY, parameters)).all()
        return [
            PastSession(
                performed_on=row.performed_on, activity_id=row.activity_id,
                session_id=row.session_id, minutes=row.minutes, effort=row.effort,
                pain=row.pain, status=row.status,
                red_flag=mentions_red_flag(f"{row.raw_text} {row.notes}"),
            )
            for row in rows
        ]

    async def set_suggestion_effort(self, user_id: int, message_id: int, effort: int,
                                    *, unit: Unit) -> bool:
        """Store how hard a suggested session felt on the live "Done" log made from that
        suggestion's message. False when there is none (undone, or replaced by a reply)."""
        result = await unit.execute(_SET_EFFORT, {"uid": user_id, "mid": message_id,
                                                  "new_effort": effort})
        return bool(result.rowcount)

    async def clear_convert_state(self, user_id: int, *, unit: Unit) -> None:
        """End the /convert conversation; another flow's state is left alone."""
        await unit.execute(_CLEAR_CONVERT, {"uid": user_id})


def convert_data(data: dict[str, Any], asked_at: datetime) -> dict[str, Any]:
    """The conversations row's data for a /convert prompt sent at `asked_at`."""
    return {**data, _ASKED_AT: asked_at.isoformat()}


def convert_state_of(step: str, prompt_message_id: int | None,
                     data: dict[str, Any] | None) -> ConvertState:
    """A ConvertState from a conversation_states row's fields (also as the user gate read them)."""
    values = dict(data or {})
    asked_at: datetime | None = None
    raw = values.pop(_ASKED_AT, None)
    if isinstance(raw, str):
        try:
            asked_at = datetime.fromisoformat(raw)
        except ValueError:
            asked_at = None
    return ConvertState(step, prompt_message_id, values, asked_at)
