"""profiles: injury onset, pain in daily life, clinician clearance

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table, PostgreSQL gets plain ALTER TABLE ... ADD COLUMN.
    # Existing profiles read as "onset unknown" and "not cleared", the cautious reading.
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("injury_started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hurts_daily_life", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("clinician_cleared", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("clinician_cleared")
        batch_op.drop_column("hurts_daily_life")
        batch_op.drop_column("injury_started_on")
