"""The stored statuses: every known value is accepted and anything else refused by the database
itself (SQLite and PostgreSQL), and the value sets agree with the columns that hold them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, get_args

import pytest
from sqlalchemy import CheckConstraint, String, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator

from bot.coach import statuses
from bot.content import models as content_models
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Base

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 8)
USER_ID = 1

# Each constrained column and the values it takes.
COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("users", "status"): statuses.USER_STATUSES,
    ("profiles", "injury_status"): statuses.INJURY_STATUSES,
    ("profiles", "phase"): statuses.PHASES,
    ("conversation_states", "flow"): statuses.FLOWS,
    ("session_logs", "status"): statuses.LOG_STATUSES,
    ("session_logs", "source"): statuses.LOG_SOURCES,
    ("nudge_deliveries", "kind"): statuses.DELIVERY_KINDS,
    ("nudge_deliveries", "status"): statuses.DELIVERY_STATUSES,
    ("nudge_deliveries", "response"): statuses.DELIVERY_RESPONSES,
}

# A valid row for each table; the test changes one column at a time.
ROWS: dict[str, dict[str, Any]] = {
    "users": {"id": USER_ID + 1, "chat_id": USER_ID + 1, "first_name": "Bo", "status": "active",
              "ignored_nudges": 0, "created_at": NOW, "last_seen_at": NOW},
    "profiles": {"user_id": USER_ID, "injury_status": "none", "red_flags": [], "equipment": [],
                 "updated_at": NOW},
    "conversation_states": {"user_id": USER_ID, "flow": "onboarding", "step": "disclaimer",
                            "data": {}, "updated_at": NOW},
    "session_logs": {"user_id": USER_ID, "performed_on": TODAY, "logged_at": NOW,
                     "activity_id": "swimming", "status": "done", "source": "text",
                     "raw_text": "", "notes": ""},
    "nudge_deliveries": {"user_id": USER_ID, "local_date": TODAY, "kind": "habit",
                         "due_at": NOW, "status": "pending", "attempts": 0, "not_before": NOW,
                         "created_at": NOW},
}

UNKNOWN = "bogus"


def test_every_check_constraint_is_covered_here() -> None:
    constrained = {
        (table.name, str(constraint.name).removeprefix(f"ck_{table.name}_"))
        for table in Base.metadata.tables.values()
        for constraint in table.constraints if isinstance(constraint, CheckConstraint)
    }
    assert constrained == set(COLUMNS)


@pytest.mark.parametrize(("table", "column"), list(COLUMNS))
def test_every_value_fits_its_column(table: str, column: str) -> None:
    # A value longer than its column would be cut short on the way in (CleanString) and then
    # refused by the constraint.
    column_type = Base.metadata.tables[table].c[column].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    assert isinstance(column_type, String) and column_type.length is not None
    length = column_type.length
    values = COLUMNS[(table, column)]
    assert max(len(value) for value in values) <= length
    assert len(set(values)) == len(values) and UNKNOWN not in values


def test_the_content_pack_names_the_same_phases() -> None:
    # The content pack cannot import the coaching domain, so it spells the phases out too.
    assert get_args(content_models.Phase) == get_args(statuses.Phase)


def test_values_of_refuses_what_is_not_a_literal_of_strings() -> None:
    with pytest.raises(TypeError):
        statuses.values_of(str)


async def test_the_database_takes_every_known_value_and_refuses_others(database_url: str
                                                                       ) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.engine.begin() as conn:
            await conn.execute(insert(Base.metadata.tables["users"]).values(
                {**ROWS["users"], "id": USER_ID, "chat_id": USER_ID}))

        async def write(table: str, column: str, value: str | None) -> None:
            # Each row in a transaction of its own, rolled back: PostgreSQL aborts a transaction
            # at its first error, and the rows would otherwise collide on their unique keys.
            async with db.engine.connect() as conn:
                try:
                    await conn.execute(insert(Base.metadata.tables[table]).values(
                        {**ROWS[table], column: value}))
                finally:
                    await conn.rollback()

        for (table, column), values in COLUMNS.items():
            for value in values:
                await write(table, column, value)
            if Base.metadata.tables[table].c[column].nullable:
                await write(table, column, None)
            with pytest.raises(IntegrityError, match=f"ck_{table}_{column}|CHECK constraint"):
                await write(table, column, UNKNOWN)
    finally:
        await db.dispose()
