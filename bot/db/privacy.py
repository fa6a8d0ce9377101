"""Everything we store about one user: export it, or delete it (Telegram's bot terms)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, Table, delete, select

from bot.db.engine import Database
from bot.db.models import Base, SessionLog
from bot.db.unit import Unit, session_in


def user_column(table: Table) -> Column[Any] | None:
    """The column that ties a table's rows to one user, found from the metadata so a new table
    is covered by export and delete without anyone remembering to add it here."""
    if table.name == "users":
        return table.c.id
    return table.c.get("user_id")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, user_id: int, *, unit: Unit | None = None
                     ) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = {}
        async with session_in(self._db.engine, unit) as session:
            for table in Base.metadata.sorted_tables:
                column = user_column(table)
                if column is None:
                    continue
                rows = (await session.execute(select(table).where(column == user_id))).mappings()
                result[table.name] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
        return result

    async def logs_csv(self, user_id: int, *, unit: Unit | None = None) -> str:
        fields = ["performed_on", "activity_id", "session_id", "minutes", "distance_km",
                  "effort", "pain", "status", "source", "notes", "raw_text", "logged_at"]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(fields)
        async with session_in(self._db.engine, unit) as session:
            rows = await session.scalars(
                select(SessionLog).where(SessionLog.user_id == user_id,
                                         SessionLog.undone_at.is_(None))
                .order_by(SessionLog.performed_on, SessionLog.id))
            for row in rows:
                writer.writerow([_jsonable(getattr(row, f)) for f in fields])
        return out.getvalue()

    async def delete_everything(self, user_id: int, *, unit: Unit | None = None) -> int:
        """Delete every row of the user in every table; returns how many rows went."""
        removed = 0
        async with session_in(self._db.engine, unit) as session:
            for table in reversed(Base.metadata.sorted_tables):
                column = user_column(table)
                if column is None:
                    continue
                outcome = await session.execute(delete(table).where(column == user_id))
                removed += outcome.rowcount or 0  # type: ignore[attr-defined]
        return removed
