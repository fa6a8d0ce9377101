"""The users repository: the only code that reads or writes the users table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.profile import RunnerProfile
from bot.coach.schedule import LedgerDay, ledger_dates_in_zone
from bot.coach.statuses import UserStatus
from bot.coach.timezones import canonical_zone, is_valid_zone
from bot.db.conversations import Conversation
from bot.db.engine import Database
from bot.db.models import ConversationState, NudgeDelivery, User, clean_text
from bot.db.profiles import save_profile
from bot.db.unit import Unit, session_in


@dataclass(frozen=True)
class Reachable:
    """A 'blocked' user wrote or tapped: nudges start again from `next_nudge_at`."""

    next_nudge_at: datetime | None


@dataclass
class Presence:
    """What one update teaches us about its user, written with the update's action."""

    user_id: int
    create: dict[str, Any] | None = None
    changes: dict[str, object] = field(default_factory=dict)
    reachable_again: Reachable | None = None
    written: bool = False

    @property
    def pending(self) -> bool:
        return not self.written and bool(
            self.create is not None or self.changes or self.reachable_again is not None)


@dataclass(frozen=True)
class UserRecord:
    id: int
    chat_id: int
    first_name: str
    status: str
    timezone: str | None
    nudge_time: time | None
    next_nudge_at: datetime | None
    paused_from: datetime | None
    paused_until: datetime | None
    quiet_start: time | None
    quiet_end: time | None
    ignored_nudges: int
    every_other_day_from: date | None
    created_at: datetime
    last_seen_at: datetime
    onboarded_at: datetime | None
    delete_asked_message_id: int | None = None
    delete_asked_at: datetime | None = None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None


_USERS: Table = User.__table__  # type: ignore[assignment]
_CONVERSATIONS = ConversationState.__table__
_SEEN_QUERY = (
    select(_USERS, _CONVERSATIONS.c.flow, _CONVERSATIONS.c.step,
           _CONVERSATIONS.c.data.label("conversation_data"),
           _CONVERSATIONS.c.keyboard_message_id)
    .outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.user_id == _USERS.c.id)
    .where(_USERS.c.id == bindparam("uid"))
)
_EMPTY_USER = {column.name: None for column in _USERS.columns}
# How stale `last_seen_at` may get before a message refreshes it (it only feeds admin counts).
SEEN_REFRESH = timedelta(minutes=5)


def _record(values: Mapping[str, Any]) -> UserRecord:
    return UserRecord(**{name: values[name] for name in UserRecord.__dataclass_fields__})


def to_record(row: User) -> UserRecord:
    return UserRecord(
        id=row.id, chat_id=row.chat_id, first_name=row.first_name, status=row.status,
        timezone=row.timezone, nudge_time=row.nudge_time, next_nudge_at=row.next_nudge_at,
        paused_from=row.paused_from, paused_until=row.paused_until,
        quiet_start=row.quiet_start, quiet_end=row.quiet_end,
        ignored_nudges=row.ignored_nudges, every_other_day_from=row.every_other_day_from,
        created_at=row.created_at, last_seen_at=row.last_seen_at, onboarded_at=row.onboarded_at,
        delete_asked_message_id=row.delete_asked_message_id,
        delete_asked_at=row.delete_asked_at,
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def seen(
        self, user_id: int, chat_id: int, first_name: str, language_code: str | None,
        now: datetime,
    ) -> tuple[UserRecord, bool]:
        """Record that the user wrote to us, in its own transaction; returns the user and
        whether they are new. (The per-update gate writes with the action instead.)"""
        record, created, _, presence = await self.look_up(
            user_id, chat_id, first_name, language_code, now)
        assert record is not None  # created when missing
        if presence.pending:
            async with self._db.unit() as unit:
                await self.record_presence(unit, presence)
        return record, created

    async def look_up(
        self, user_id: int, chat_id: int, first_name: str, language_code: str | None,
        now: datetime, *, create: bool = True,
    ) -> tuple[UserRecord | None, bool, Conversation | None, Presence]:
        """The per-update gate's one round trip: the user row and the conversation they are in,
        read with one query, plus the `Presence` to write: the row to create when the user is
        new and `create`, or the columns this message changes. Without `create` an unknown
        user stays unknown: (None, False, None, nothing to write).

        Nothing is written here: the action the update leads to writes the presence in its own
        transaction (one write per user action), or the gate's settle step does when the update
        writes nothing else. Any message resets the ignored-nudge count (the back-off rule);
        `last_seen_at` is only refreshed when older than SEEN_REFRESH, so most updates write
        nothing at all.
        """
        # Cleaned and cut as the columns store them, so an unchanged value compares equal.
        name = clean_text(first_name, 128)
        language_code = None if language_code is None else clean_text(language_code, 16)
        async with self._db.reading() as unit:
            row = (await unit.execute(_SEEN_QUERY, {"uid": user_id})).mappings().first()
        if row is None:
            if not create:
                return None, False, None, Presence(user_id)
            values = {"id": user_id, "chat_id": chat_id, "first_name": name,
                      "language_code": language_code, "status": "active",
                      "created_at": now, "last_seen_at": now, "ignored_nudges": 0}
            return _record({**_EMPTY_USER, **values}), True, None, Presence(user_id, values)
        changes: dict[str, object] = {}
        if (row["chat_id"], row["first_name"], row["language_code"]) != (
                chat_id, name, language_code):
            changes.update(chat_id=chat_id, first_name=name, language_code=language_code)
        if row["ignored_nudges"]:
            changes["ignored_nudges"] = 0
        if now - row["last_seen_at"] >= SEEN_REFRESH:
            changes["last_seen_at"] = now
        merged = {**row, **changes}
        conversation = None if row["flow"] is None else Conversation(
            user_id, row["flow"], row["step"], dict(row["conversation_data"] or {}),
            row["keyboard_message_id"])
        return _record(merged), False, conversation, Presence(user_id, None, changes)

    async def record_presence(self, unit: Unit, presence: Presence) -> None:
        """Write what the gate learnt, inside the action's transaction."""
        if presence.create is not None:
            # A second worker may have created the same user a moment ago; theirs is as good.
            insert_user = (pg_insert if unit.dialect == "postgresql" else sqlite_insert)(_USERS)
            await unit.execute(insert_user.values(**presence.create)
                               .on_conflict_do_nothing(index_elements=[_USERS.c.id]))
        if presence.changes:
            # Plain column sets: a concurrent writer of the same user loses nothing that
            # matters (the newest name, a zeroed count, a recent last_seen_at).
            await unit.execute(update(_USERS).where(_USERS.c.id == presence.user_id)
                               .values(**presence.changes))
        if presence.reachable_again is not None:
            # Only a row still 'blocked' changes: a /stop in between stays a stop.
            await unit.execute(
                update(_USERS).where(_USERS.c.id == presence.user_id,
                                     _USERS.c.status == "blocked")
                .values(status="active", next_nudge_at=presence.reachable_again.next_nudge_at,
                        ignored_nudges=0, every_other_day_from=None))

    async def get(self, user_id: int) -> UserRecord | None:
        async with self._db.reads() as session:
            row = await session.get(User, user_id)
            return None if row is None else to_record(row)

    async def set_status(self, user_id: int, status: UserStatus, *,
                         unit: Unit | None = None) -> None:
        async with session_in(self._db.engine, unit) as session:
            row = await session.get(User, user_id)
            if row is not None:
                row.status = status
                if status != "active":
                    row.next_nudge_at = None

    async def replace_timezone(self, user_id: int, unusable: str, replacement: str,
                               *, unit: Unit | None = None) -> bool:
        """Swap a stored zone that no longer works for `replacement`; True if this call did it
        (so the user is told exactly once, however many updates race here)."""
        async with session_in(self._db.engine, unit) as session:
            result = await session.execute(
                update(User).where(User.id == user_id, User.timezone == unusable)
                .values(timezone=replacement))
            if result.rowcount:  # type: ignore[attr-defined]
                await redate_ledger(session, user_id, replacement)
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def ask_delete(self, user_id: int, message_id: int, now: datetime,
                         *, unit: Unit | None = None) -> None:
        """Remember the latest /delete question; only its button may delete."""
        async with session_in(self._db.engine, unit) as session:
            await session.execute(update(User).where(User.id == user_id).values(
                delete_asked_message_id=message_id, delete_asked_at=now))

    async def forget_delete_question(self, user_id: int, *, unit: Unit | None = None) -> None:
        async with session_in(self._db.engine, unit) as session:
            await session.execute(update(User).where(User.id == user_id).values(
                delete_asked_message_id=None, delete_asked_at=None))

    async def count(self) -> int:
        async with self._db.reads() as session:
            return int(await session.scalar(select(func.count()).select_from(User)) or 0)


class UserSettingsRepository:
    """Writes that change a user's nudge schedule together with the profile, atomically."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def complete_onboarding(self, profile: RunnerProfile, nudge_time: time | None,
                                  timezone: str, next_nudge_at: datetime | None,
                                  now: datetime, *, unit: Unit | None = None) -> None:
        async with session_in(self._db.engine, unit) as session:
            user = await session.get(User, profile.user_id)
            if user is None:
                raise LookupError(f"user {profile.user_id} vanished during onboarding")
            await save_profile(session, profile, now)
            timezone = canonical_zone(timezone)
            if user.timezone != timezone:
                await redate_ledger(session, user.id, timezone)
            user.timezone = timezone
            user.nudge_time = nudge_time
            user.next_nudge_at = next_nudge_at if user.status == "active" else None
            user.onboarded_at = user.onboarded_at or now
            await session.execute(delete(ConversationState).where(
                ConversationState.user_id == profile.user_id))

    async def update_schedule(self, user_id: int, *, status: UserStatus,
                              paused_until: datetime | None,
                              next_nudge_at: datetime | None,
                              paused_from: datetime | None = None,
                              reset_backoff: bool = False, unit: Unit | None = None) -> None:
        """Change status and pause. `reset_backoff` (resume, unblock) starts the ignored-nudge
        count and the every-other-day cadence afresh; a /pause keeps the user's cadence."""
        async with session_in(self._db.engine, unit) as session:
            user = await session.get(User, user_id)
            if user is None:
                return
            user.status = status
            if reset_backoff:
                user.ignored_nudges = 0
                user.every_other_day_from = None
            if paused_from is not None:
                user.paused_from = paused_from
            user.paused_until = paused_until
            user.next_nudge_at = next_nudge_at if status == "active" else None

    async def update_nudge_settings(self, user_id: int, nudge_time: time | None, timezone: str,
                                    next_nudge_at: datetime | None,
                                    quiet: tuple[time, time] | None = None,
                                    *, unit: Unit | None = None) -> None:
        async with session_in(self._db.engine, unit) as session:
            user = await session.get(User, user_id)
            if user is None:
                return
            if quiet is not None:
                user.quiet_start, user.quiet_end = quiet
            timezone = canonical_zone(timezone)
            if user.timezone != timezone:
                await redate_ledger(session, user.id, timezone)
            user.nudge_time = nudge_time
            user.timezone = timezone
            user.next_nudge_at = next_nudge_at if user.status == "active" else None


# Enough of a user's latest ledger rows to cover the days a zone change can move (see
# bot.coach.schedule.ledger_dates_in_zone), with the older ones held fixed.
_REDATE_ROWS = 16
# Far below any real date: rows wait here while their dates are swapped, so the unique
# (user, local date, kind) never sees two rows on one date half-way through.
_PARKING = date(1, 1, 1)


async def redate_ledger(session: AsyncSession, user_id: int, zone: str) -> None:
    """After a zone change, the user's recent ledger rows count for the dates of the new zone,
    so the claim neither sends a second nudge on one new local date nor skips one (inside the
    caller's transaction)."""
    result = await session.execute(
        select(NudgeDelivery.id, NudgeDelivery.kind, NudgeDelivery.local_date,
               NudgeDelivery.due_at)
        .where(NudgeDelivery.user_id == user_id)
        .order_by(NudgeDelivery.due_at.desc()).limit(_REDATE_ROWS))
    if not is_valid_zone(zone):
        return
    rows = [LedgerDay(r.id, r.kind, r.local_date, r.due_at) for r in result]
    moves = ledger_dates_in_zone(rows, zone)
    if not moves:
        return
    await session.execute(update(NudgeDelivery), [
        {"id": row_id, "local_date": _PARKING + timedelta(days=i)}
        for i, row_id in enumerate(moves)])
    await session.execute(update(NudgeDelivery), [
        {"id": row_id, "local_date": day} for row_id, day in moves.items()])
