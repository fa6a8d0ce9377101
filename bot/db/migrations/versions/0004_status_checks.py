"""status columns accept only their known values (CHECK constraints)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The values as of this revision (bot/coach/statuses.py holds the current ones; a later change
# to a set gets its own migration).
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "users": {
        "status": ("active", "blocked", "stopped"),
    },
    "profiles": {
        "injury_status": ("none", "injured", "returning"),
        "phase": ("acute", "settling", "returning"),
    },
    "conversation_states": {
        "flow": ("onboarding", "settings", "injury", "convert", "log_clarify"),
    },
    "nudge_deliveries": {
        "kind": ("habit", "session", "backoff_ask", "backoff_pause", "zone_reset"),
        "status": ("pending", "sending", "sent", "blocked", "failed", "skipped", "unknown"),
        "response": ("done", "snoozed", "skipped", "keep", "every_other_day", "paused"),
    },
    "session_logs": {
        "status": ("done", "skipped"),
        "source": ("text", "button", "nudge", "suggestion", "command"),
    },
}


# The tables whose rows refer to another rebuilt table, parents first (see _keeping_rows).
CHILDREN = ("profiles", "conversation_states", "nudge_deliveries", "session_logs")


def _condition(column: str, values: tuple[str, ...]) -> str:
    allowed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({allowed})"


@contextmanager
def _keeping_rows(tables: tuple[str, ...]) -> Iterator[None]:
    """On SQLite, keep the rows of `tables` through the table rebuilds of the block.

    SQLite cannot add a constraint to a table, so batch mode copies the table into a new one
    and drops the old. With foreign keys on (the bot's engine turns them on, and a pragma
    cannot turn them off inside the migration's transaction), dropping `users` deletes every
    row that refers to it (ON DELETE CASCADE): each user's profile, logs and nudges would be
    lost. So those rows are set aside in temporary tables first and put back, parents first,
    once every table has its constraints; putting them back also checks them against the new
    constraints and foreign keys.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    inspector = sa.inspect(bind)
    columns = {table: ", ".join(f'"{c["name"]}"' for c in inspector.get_columns(table))
               for table in tables}
    for table in tables:
        op.execute(f'CREATE TEMP TABLE "keep_{table}" AS SELECT * FROM "{table}"')
    yield
    for table in reversed(tables):  # emptied already when foreign keys are on
        op.execute(f'DELETE FROM "{table}"')
    for table in tables:
        op.execute(f'INSERT INTO "{table}" ({columns[table]}) '
                   f'SELECT {columns[table]} FROM temp."keep_{table}"')
        op.execute(f'DROP TABLE temp."keep_{table}"')


def upgrade() -> None:
    # Batch mode: PostgreSQL gets ALTER TABLE ... ADD CONSTRAINT; SQLite, which cannot add a
    # constraint to a table, rebuilds each table with it.
    with _keeping_rows(CHILDREN):
        for table, columns in CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column, values in columns.items():
                    batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"),
                                                     sa.text(_condition(column, values)))


def downgrade() -> None:
    with _keeping_rows(CHILDREN):
        for table, columns in reversed(CHECKS.items()):
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in reversed(columns):
                    batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
