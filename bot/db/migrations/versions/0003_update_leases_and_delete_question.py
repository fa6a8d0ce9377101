"""processed_updates become leases; users remember the latest /delete question; zones canonical

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing claims were final the moment they were taken, so they read as finished.
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("leased_until", bot.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("finished_at", bot.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE processed_updates SET finished_at = received_at")
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.create_index("uq_processed_updates_user_in_flight", ["user_id"], unique=True,
                              postgresql_where=sa.text("finished_at IS NULL"),
                              sqlite_where=sa.text("finished_at IS NULL"))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delete_asked_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("delete_asked_at", bot.db.types.UTCDateTime(timezone=True),
                                      nullable=True))

    # Zones are stored by their canonical IANA name; a legacy link such as US/Pacific becomes
    # America/Los_Angeles (the same clock), so a later tzdata that drops the link cannot
    # strand the user.
    from bot.coach.timezones import canonical_zone

    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.BigInteger()),
                     sa.column("timezone", sa.String(64)))
    zones = connection.execute(sa.select(users.c.timezone).distinct()
                               .where(users.c.timezone.is_not(None))).scalars().all()
    for zone in zones:
        canonical = canonical_zone(zone)
        if canonical != zone:
            connection.execute(users.update().where(users.c.timezone == zone)
                               .values(timezone=canonical))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("delete_asked_at")
        batch_op.drop_column("delete_asked_message_id")
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index("uq_processed_updates_user_in_flight")
        batch_op.drop_column("finished_at")
        batch_op.drop_column("leased_until")
        batch_op.drop_column("user_id")
