"""SQLAlchemy models: the tables the bot keeps. Repositories are the only code that queries them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.coach.statuses import (
    DELIVERY_KINDS,
    DELIVERY_RESPONSES,
    DELIVERY_STATUSES,
    FLOWS,
    INJURY_STATUSES,
    LOG_SOURCES,
    LOG_STATUSES,
    PHASES,
    USER_STATUSES,
    DeliveryKind,
    DeliveryResponse,
    DeliveryStatus,
    Flow,
    InjuryStatus,
    LogSource,
    LogStatus,
    Phase,
    UserStatus,
)
from bot.db.types import BigIntPK, UTCDateTime

# Stable constraint names make Alembic migrations portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def clean_text(value: str, length: int | None = None) -> str:
    """What may be stored of a string: no NUL characters, no lone surrogates, at most `length`
    characters. PostgreSQL refuses the first two and longer values outright, while SQLite takes
    anything, so without this one database would lose a log the other keeps."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value[:length] if length is not None else value


class CleanString(TypeDecorator[str]):
    """A VARCHAR(n) that cleans and truncates what is written to it (see `clean_text`)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if not isinstance(value, str):
            return value
        return clean_text(value, self.impl_instance.length)  # type: ignore[attr-defined]


class CleanText(TypeDecorator[str]):
    """TEXT that is cleaned of what PostgreSQL refuses (see `clean_text`)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return clean_text(value) if isinstance(value, str) else value


def one_of(column: str, values: Sequence[str]) -> CheckConstraint:
    """A CHECK that `column` holds one of `values`, named ck_<table>_<column>.

    The values come from bot.coach.statuses, so the database refuses exactly what the types
    do. A NULL passes (SQL counts an unknown result as passing), so a nullable column stays
    nullable. A migration that adds or widens a constraint spells its values out, as it must
    stay the schema of its own revision; tests/test_migrations.py checks the migrated database
    has the same constraints as the models.
    """
    if any("'" in value for value in values):
        raise ValueError(f"a quote in the values for {column}")
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """One Telegram user, with everything the nudge sweep needs on a single indexed row."""

    __tablename__ = "users"
    __table_args__ = (one_of("status", USER_STATUSES),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(CleanString(128), default="")
    language_code: Mapped[str | None] = mapped_column(CleanString(16))
    status: Mapped[UserStatus] = mapped_column(CleanString(16), default="active")
    timezone: Mapped[str | None] = mapped_column(CleanString(64))
    nudge_time: Mapped[time | None] = mapped_column(Time)
    # NULL whenever no nudge is planned, so the sweep's index only holds users it may nudge.
    next_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The latest pause, kept after it ends so progress can freeze the streak over it.
    paused_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    ignored_nudges: Mapped[int] = mapped_column(Integer, default=0)
    every_other_day_from: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest /delete question and when it was asked: only its button deletes, and only
    # for a few minutes (bot/telegram/handlers/account.py).
    delete_asked_message_id: Mapped[int | None] = mapped_column(BigInteger)
    delete_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Profile(Base):
    """What the runner told us in onboarding: injury, equipment and time."""

    __tablename__ = "profiles"
    __table_args__ = (
        one_of("injury_status", INJURY_STATUSES),
        one_of("phase", PHASES),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    injury_status: Mapped[InjuryStatus] = mapped_column(String(16), default="none")
    condition_id: Mapped[str | None] = mapped_column(String(64))
    phase: Mapped[Phase | None] = mapped_column(String(16))
    pain_today: Mapped[int | None] = mapped_column(SmallInteger)
    clinician_seen: Mapped[bool | None] = mapped_column(Boolean)
    # When it started (or was diagnosed), whether it hurts in daily life, and whether a clinician
    # cleared activity: the phase is computed from these, so they are kept to recompute it.
    injury_started_on: Mapped[date | None] = mapped_column(Date)
    hurts_daily_life: Mapped[bool | None] = mapped_column(Boolean)
    # A server default so rows written before the column existed read as "not cleared".
    clinician_cleared: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    # Where warning signs were reported: "screen", "condition", "text" (bot.coach.profile).
    red_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    equipment: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes_per_session: Mapped[int | None] = mapped_column(Integer)
    days_per_week: Mapped[int | None] = mapped_column(SmallInteger)
    run_pace_sec_per_km: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConversationState(Base):
    """Where a user is in a multi-step conversation. Kept here, not in memory, so a restart or
    another worker picks the conversation up at the same step."""

    __tablename__ = "conversation_states"
    __table_args__ = (one_of("flow", FLOWS),)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[Flow] = mapped_column(CleanString(32))
    step: Mapped[str] = mapped_column(CleanString(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The message whose keyboard belongs to the current step; taps on any other are stale.
    keyboard_message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionLog(Base):
    """One session the runner did (or skipped). The Telegram message id makes logging idempotent."""

    __tablename__ = "session_logs"
    __table_args__ = (
        UniqueConstraint("user_id", "source_message_id", name="uq_session_logs_user_message"),
        Index("ix_session_logs_user_performed", "user_id", "performed_on"),
        one_of("status", LOG_STATUSES),
        one_of("source", LOG_SOURCES),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    # The user's message (or the bot message whose button was tapped) this log came from.
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    performed_on: Mapped[date] = mapped_column(Date)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activity_id: Mapped[str] = mapped_column(CleanString(64))
    session_id: Mapped[str | None] = mapped_column(CleanString(64))
    minutes: Mapped[float | None] = mapped_column(Float)
    distance_km: Mapped[float | None] = mapped_column(Float)
    effort: Mapped[int | None] = mapped_column(SmallInteger)
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[LogStatus] = mapped_column(CleanString(16), default="done")
    source: Mapped[LogSource] = mapped_column(CleanString(16), default="text")
    nudge_delivery_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("nudge_deliveries.id", ondelete="SET NULL")
    )
    raw_text: Mapped[str] = mapped_column(CleanText, default="")
    notes: Mapped[str] = mapped_column(CleanText, default="")
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NudgeDelivery(Base):
    """The nudge ledger: at most one row per user, local date and kind, whatever the workers do."""

    __tablename__ = "nudge_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "local_date", "kind", name="uq_nudge_deliveries_user_day_kind"),
        Index("ix_nudge_deliveries_status_not_before", "status", "not_before"),
        one_of("kind", DELIVERY_KINDS),
        one_of("status", DELIVERY_STATUSES),
        one_of("response", DELIVERY_RESPONSES),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[DeliveryKind] = mapped_column(CleanString(16))
    content_id: Mapped[str | None] = mapped_column(CleanString(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[DeliveryStatus] = mapped_column(CleanString(16), default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(CleanString(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the user did with it (NULL until they answer).
    response: Mapped[DeliveryResponse | None] = mapped_column(CleanString(16))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProcessedUpdate(Base):
    """Webhook updates a worker has taken (bot/db/updates.py).

    A row is a lease until `finished_at` is set: a worker that dies mid-update leaves it
    unfinished, and once `leased_until` has passed Telegram's redelivery may take it again.
    While unfinished it also holds its user (`user_id`, unique among unfinished rows), so two
    workers never run one user's updates side by side. Finishing clears `user_id`: a processed
    update id needs no owner.
    """

    __tablename__ = "processed_updates"
    __table_args__ = (
        Index("uq_processed_updates_user_in_flight", "user_id", unique=True,
              postgresql_where=text("finished_at IS NULL"),
              sqlite_where=text("finished_at IS NULL")),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
