"""The nudge repository: claiming due users into the ledger, delivering ledger rows, responses.

The ledger (`nudge_deliveries`) is the single source of truth for "did this user get today's
nudge?". Its unique (user_id, local_date, kind) constraint plus the rules below make a second
nudge on one local date impossible, whatever the number of workers:

- `claim_due` selects due users through the `users.next_nudge_at` index (ORDER BY ... LIMIT, so
  its cost follows the number of *due* users), locks them (PostgreSQL: FOR UPDATE SKIP LOCKED, so
  parallel sweepers split the work instead of waiting; SQLite: the transaction takes the single
  write lock before reading, the equivalent of BEGIN IMMEDIATE), writes one ledger row per user,
  and moves `next_nudge_at` to the next local occurrence, all in ONE transaction.
- One user's bad data never stops the others: a stored zone the installed tzdata does not know
  falls back to the default zone (the user is told once, by a 'zone_reset' ledger row), and any
  other error deciding one user is logged and that user alone is put off for a while.
- The sender reads the rows that may go out (`pending_deliveries`, no claim) and claims each one
  just before its own send (`start_sending`: pending -> sending, a conditional UPDATE, so two
  senders never send the same row). So at most the one message in flight is ever 'sending'; a
  crash, a kill or a database error leaves every other row 'pending'. A row is never taken out
  of 'sending' except by an outcome; one stuck there (the process died mid-send) becomes
  'unknown', never 'pending' again, because we cannot know whether Telegram delivered it
  (docs/nudges.md, "Timeouts").
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.nudge_choice import NudgeChoice, RecentNudge
from bot.coach.nudge_policy import (
    DAILY_KINDS,
    NUDGE_KINDS,
    ChoiceInput,
    Chooser,
    DueUser,
    LedgerEntry,
    NudgeDecision,
    decide,
)
from bot.coach.profile import RunnerProfile
from bot.coach.schedule import QuietHours, local_date
from bot.coach.suggest import PastSession
from bot.coach.timezones import is_valid_zone
from bot.coach.windows import LEDGER_DAYS
from bot.db.engine import Database
from bot.db.models import NudgeDelivery, Profile, SessionLog, User
from bot.db.profiles import to_domain
from bot.db.unit import Unit, session_in

__all__ = [
    "DAILY_KINDS",
    "NUDGE_KINDS",
    "AdminCounts",
    "ChoiceInput",
    "ClaimedNudge",
    "Delivery",
    "NudgeRepository",
    "PendingDelivery",
]

log = logging.getLogger("bot.nudges")

# A notice, not a nudge: the user's stored zone was unusable and the default is used instead.
ZONE_RESET = "zone_reset"
# A user whose claim failed for a reason of their own is tried again this much later.
BROKEN_USER_RETRY = timedelta(hours=6)
FAILURE_STATUSES = ("blocked", "failed", "unknown")
# A row left in 'sending' this long belongs to a sender that died mid-send.
STALE_SENDING = timedelta(minutes=10)
# Rows per multi-row INSERT: stays far below both databases' bound-parameter limits.
_INSERT_CHUNK = 500

ClaimOutcome = Literal["pending", "skipped", "paused", "duplicate", "unscheduled", "error"]


@dataclass(frozen=True, slots=True)
class ClaimedNudge:
    """What one claim did for one due user."""

    user_id: int
    local_date: date
    outcome: ClaimOutcome
    kind: str | None = None
    content_id: str | None = None
    reason: str | None = None  # why a row was skipped: done_today | late | no_safe_habit
    delivery_id: int | None = None
    next_nudge_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """A ledger row claimed for sending, with what the sender needs to render it."""

    id: int
    user_id: int
    chat_id: int
    kind: str
    content_id: str | None
    local_date: date
    attempts: int
    resend: bool  # it went out before and was snoozed


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    user_id: int
    kind: str
    content_id: str | None
    local_date: date
    status: str
    response: str | None
    telegram_message_id: int | None


@dataclass(frozen=True, slots=True)
class AdminCounts:
    users: int
    active_users: int
    sent_today: int
    failures: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _DueUser:
    """A due user as the rules see them, and their stored zone when it is unusable (then the
    rules' zone is the default zone)."""

    rules: DueUser
    bad_zone: str | None = None

    @property
    def id(self) -> int:
        return self.rules.id


class NudgeRepository:
    def __init__(
        self,
        db: Database,
        *,
        default_timezone: str = "UTC",
        default_quiet: QuietHours | None = None,
        choose: Chooser | None = None,
        history_days: int = 0,
    ) -> None:
        """The chooser always gets each due user's whole profile; with history_days > 0 also
        their live logs of that many days (one more batched query per claim), for the coaching
        safety state and today's /week session (bot.coach.nudge_policy.make_chooser)."""
        self._db = db
        self._default_zone = default_timezone
        self._default_quiet = default_quiet or QuietHours()
        self._choose = choose
        self._history_days = history_days

    # -- the sweep ------------------------------------------------------------------------------

    async def claim_due(
        self, now: datetime, batch_size: int, grace: timedelta, *, choose: Chooser | None = None
    ) -> list[ClaimedNudge]:
        """Claim up to `batch_size` due users in one transaction (module doc). `choose`
        replaces the repository's chooser for this claim (a planner override in tests)."""
        chooser = choose or self._choose
        async with self._db.sessions() as session, session.begin():
            await self._take_write_lock(session)
            due = await self._select_due(session, now, batch_size)
            if not due:
                return []
            ids = [u.id for u in due]
            profiles = await self._profiles(session, due)
            history = await self._history(session, ids, now)
            done_counts = await self._done_counts(session, ids)
            logged = await self._logged_days(session, ids, now)
            past = await self._past_sessions(session, ids, now)

            claims: list[ClaimedNudge] = []
            rows: list[dict[str, Any]] = []
            user_updates: list[dict[str, Any]] = []
            superseded: list[int] = []
            for user in due:
                try:
                    claim, row, upd, old = self._decide(
                        user, now, grace, profiles.get(user.id),
                        history.get(user.id, []), done_counts.get(user.id, {}),
                        logged.get(user.id, set()), tuple(past.get(user.id, ())), chooser,
                    )
                except Exception:
                    # One user's bad data must not stop everyone's nudges: this user alone is
                    # put off, and the log says who (never what they typed).
                    log.exception("Nudge claim failed for user %s; trying again in %s",
                                  user.id, BROKEN_USER_RETRY)
                    claim, row, old = ClaimedNudge(user.id, now.date(), "error"), None, []
                    upd = {"id": user.id, "ignored_nudges": user.rules.ignored,
                           "every_other_day_from": user.rules.every_other_day_from,
                           "next_nudge_at": now + BROKEN_USER_RETRY}
                claims.append(claim)
                user_updates.append(upd)
                superseded += old
                if row is not None:
                    rows.append(row)
                if user.bad_zone is not None:
                    rows.append(self._zone_reset_row(user, now))
            reset = [u.id for u in due if u.bad_zone is not None]
            if reset:
                await session.execute(update(User).where(User.id.in_(reset))
                                      .values(timezone=self._default_zone))

            if superseded:
                await session.execute(
                    update(NudgeDelivery)
                    .where(NudgeDelivery.id.in_(superseded), NudgeDelivery.status == "pending")
                    .values(status="skipped", error="superseded")
                )
            inserted = await self._insert_rows(session, rows)
            await session.execute(update(User), user_updates)
        return [
            _with_id(c, inserted.get((c.user_id, c.local_date, c.kind or ""))) for c in claims
        ]

    def _zone_reset_row(self, user: _DueUser, now: datetime) -> dict[str, Any]:
        log.warning("User %s had an unusable time zone; using %s instead", user.id,
                    self._default_zone)
        return {
            "user_id": user.id, "local_date": local_date(now, self._default_zone),
            "kind": ZONE_RESET, "content_id": user.bad_zone, "due_at": now,
            "status": "pending", "attempts": 0, "not_before": now, "error": None,
            "created_at": now,
        }

    def _decide(
        self,
        user: _DueUser,
        now: datetime,
        grace: timedelta,
        profile: RunnerProfile | None,
        history: list[LedgerEntry],
        done_counts: dict[str, int],
        logged_days: set[date],
        past: tuple[PastSession, ...],
        choose: Chooser | None,
    ) -> tuple[ClaimedNudge, dict[str, Any] | None, dict[str, Any], list[int]]:
        """Apply the rules (bot.coach.nudge_policy) to one due user: (claim, ledger row or
        None, users update, superseded row ids)."""

        def pick(day: date, daily: Sequence[LedgerEntry]) -> NudgeChoice | None:
            return self._pick(user.id, day, profile, daily, done_counts, past, choose)

        decision = decide(user.rules, now, grace, history, logged_days, pick)
        upd = {"id": user.id, "ignored_nudges": decision.ignored,
               "every_other_day_from": decision.every_other_day_from,
               "next_nudge_at": decision.next_nudge_at}
        claim = ClaimedNudge(user.id, decision.local_date, decision.outcome,
                             kind=decision.kind, content_id=decision.content_id,
                             reason=decision.reason, next_nudge_at=decision.next_nudge_at)
        return claim, _ledger_row(user, now, decision), upd, list(decision.superseded)

    def _pick(self, user_id: int, day: date, profile: RunnerProfile | None,
              history: Sequence[LedgerEntry], done_counts: dict[str, int],
              past: tuple[PastSession, ...], choose: Chooser | None) -> NudgeChoice | None:
        if choose is None:
            return NudgeChoice("habit", "")  # no content wired (benches): a bare habit row
        recent = tuple(RecentNudge(r.local_date, r.content_id) for r in history
                       if r.kind == "habit" and r.content_id)
        condition, phase = (profile.condition_id, profile.phase) if profile else (None, None)
        # The same window /week reads, counted from the user's local date.
        since = day - timedelta(days=self._history_days)
        history_window = tuple(p for p in past if p.performed_on >= since)
        return choose(ChoiceInput(user_id, day, condition, phase, recent, done_counts,
                                  profile, history_window))

    async def _take_write_lock(self, session: AsyncSession) -> None:
        # SQLite: the driver only opens a transaction at the first write, and a read-then-write
        # transaction can be overtaken by another writer between the two. A no-op UPDATE first
        # makes this transaction take SQLite's single write lock before it reads (the effect of
        # BEGIN IMMEDIATE); any other writer waits on busy_timeout. PostgreSQL needs nothing:
        # the SELECT below locks the rows it returns.
        if self._db.dialect == "sqlite":
            await session.execute(text("UPDATE users SET id = id WHERE 0 = 1"))

    async def _select_due(self, session: AsyncSession, now: datetime, limit: int
                          ) -> list[_DueUser]:
        stmt = (
            select(User.id, User.timezone, User.nudge_time, User.next_nudge_at,
                   User.paused_until, User.quiet_start, User.quiet_end, User.ignored_nudges,
                   User.every_other_day_from, User.last_seen_at)
            .where(User.next_nudge_at <= now, User.status == "active")
            .order_by(User.next_nudge_at)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        result = await session.execute(stmt)
        due = []
        for row in result:
            quiet = QuietHours(row.quiet_start or self._default_quiet.start,
                               row.quiet_end or self._default_quiet.end)
            zone, bad_zone = row.timezone or self._default_zone, None
            if not is_valid_zone(zone):
                # E.g. "US/Pacific-New", removed from tzdata in 2020: every date computed in
                # it would raise. The default zone stands in, and the user is told.
                zone, bad_zone = self._default_zone, zone
            due.append(_DueUser(DueUser(row.id, zone, row.nudge_time, row.next_nudge_at,
                                        row.paused_until, quiet, row.ignored_nudges or 0,
                                        row.every_other_day_from, row.last_seen_at),
                                bad_zone))
        return due

    async def _profiles(self, session: AsyncSession, due: list[_DueUser]
                        ) -> dict[int, RunnerProfile]:
        zones = {u.id: u.rules.zone for u in due}
        rows = await session.scalars(select(Profile).where(Profile.user_id.in_(list(zones))))
        profiles: dict[int, RunnerProfile] = {}
        for row in rows:
            try:
                profiles[row.user_id] = to_domain(row, zones[row.user_id])
            except Exception:
                # Read as "no profile" (the cautious habit) rather than stop the batch.
                log.exception("Unreadable profile of user %s", row.user_id)
        return profiles

    async def _past_sessions(self, session: AsyncSession, ids: list[int], now: datetime
                             ) -> dict[int, list[PastSession]]:
        """Each user's live logs of the last `history_days` days, oldest first (the coach's
        history: the safety state reads pain from it, the week planner variety)."""
        if self._history_days <= 0:
            return {}
        since = (now - timedelta(days=self._history_days + 1)).date()
        result = await session.execute(
            select(SessionLog.user_id, SessionLog.performed_on, SessionLog.activity_id,
                   SessionLog.session_id, SessionLog.minutes, SessionLog.effort,
                   SessionLog.pain, SessionLog.status)
            .where(SessionLog.user_id.in_(ids), SessionLog.performed_on >= since,
                   SessionLog.undone_at.is_(None))
            .order_by(SessionLog.user_id, SessionLog.performed_on, SessionLog.id))
        out: dict[int, list[PastSession]] = defaultdict(list)
        for r in result:
            out[r.user_id].append(PastSession(r.performed_on, r.activity_id, r.session_id,
                                              r.minutes, r.effort, r.pain, r.status))
        return out

    async def _history(self, session: AsyncSession, ids: list[int], now: datetime
                       ) -> dict[int, list[LedgerEntry]]:
        since = (now - timedelta(days=LEDGER_DAYS + 1)).date()
        result = await session.execute(
            select(NudgeDelivery.id, NudgeDelivery.user_id, NudgeDelivery.local_date,
                   NudgeDelivery.kind, NudgeDelivery.content_id, NudgeDelivery.status,
                   NudgeDelivery.response, NudgeDelivery.sent_at)
            .where(NudgeDelivery.user_id.in_(ids), NudgeDelivery.local_date >= since))
        out: dict[int, list[LedgerEntry]] = defaultdict(list)
        for r in result:
            out[r.user_id].append(LedgerEntry(r.id, r.local_date, r.kind, r.content_id,
                                              r.status, r.response, r.sent_at))
        return out

    async def _done_counts(self, session: AsyncSession, ids: list[int]
                           ) -> dict[int, dict[str, int]]:
        result = await session.execute(
            select(NudgeDelivery.user_id, NudgeDelivery.content_id, func.count())
            .where(NudgeDelivery.user_id.in_(ids), NudgeDelivery.kind == "habit",
                   NudgeDelivery.response == "done")
            .group_by(NudgeDelivery.user_id, NudgeDelivery.content_id))
        out: dict[int, dict[str, int]] = defaultdict(dict)
        for user_id, content_id, count in result:
            if content_id:
                out[user_id][content_id] = int(count)
        return out

    async def _logged_days(self, session: AsyncSession, ids: list[int], now: datetime
                           ) -> dict[int, set[date]]:
        # Local dates are within a day of the UTC date; read a 3-day window and match exactly.
        since = (now - timedelta(days=2)).date()
        result = await session.execute(
            select(SessionLog.user_id, SessionLog.performed_on).distinct()
            .where(SessionLog.user_id.in_(ids), SessionLog.performed_on >= since,
                   SessionLog.status == "done", SessionLog.undone_at.is_(None)))
        out: dict[int, set[date]] = defaultdict(set)
        for user_id, day in result:
            out[user_id].add(day)
        return out

    async def _insert_rows(self, session: AsyncSession, rows: list[dict[str, Any]]
                           ) -> dict[tuple[int, date, str], int]:
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        inserted: dict[tuple[int, date, str], int] = {}
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start:start + _INSERT_CHUNK]
            stmt = (
                insert(NudgeDelivery).values(chunk)
                .on_conflict_do_nothing(index_elements=["user_id", "local_date", "kind"])
                .returning(NudgeDelivery.id, NudgeDelivery.user_id, NudgeDelivery.local_date,
                           NudgeDelivery.kind)
            )
            for r in await session.execute(stmt):
                inserted[(r.user_id, r.local_date, r.kind)] = r.id
        return inserted

    async def expire_sending(self, now: datetime, older_than: timedelta = STALE_SENDING) -> int:
        """Rows a dead sender left in 'sending' become 'unknown' (never resent)."""
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.status == "sending",
                       NudgeDelivery.not_before < now - older_than)
                .values(status="unknown", error="sender stopped mid-send"))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- the sender -----------------------------------------------------------------------------

    async def pending_deliveries(self, now: datetime, limit: int) -> list[PendingDelivery]:
        """Up to `limit` rows that may go out now, oldest first. Nothing is claimed: the sender
        claims each row with `start_sending` just before its own send, so rows it never gets
        to (a crash, a kill, shutdown) simply stay 'pending'.

        Rows of users who are no longer active or are paused, or who logged something since the
        row was written (quiet once done, e.g. after a snooze), are marked skipped instead.
        """
        async with self._db.sessions() as session, session.begin():
            stmt = (
                select(NudgeDelivery.id, NudgeDelivery.user_id, NudgeDelivery.kind,
                       NudgeDelivery.content_id, NudgeDelivery.local_date,
                       NudgeDelivery.attempts, NudgeDelivery.telegram_message_id,
                       User.chat_id, User.status.label("user_status"), User.paused_until)
                .join(User, User.id == NudgeDelivery.user_id)
                .where(NudgeDelivery.status == "pending", NudgeDelivery.not_before <= now)
                .order_by(NudgeDelivery.not_before, NudgeDelivery.id)
                .limit(limit)
            )
            rows = list(await session.execute(stmt))
            if not rows:
                return []
            nudge_rows = [r for r in rows if r.kind in NUDGE_KINDS]
            done: set[tuple[int, date]] = set()
            if nudge_rows:
                result = await session.execute(
                    select(SessionLog.user_id, SessionLog.performed_on).distinct().where(
                        SessionLog.user_id.in_({r.user_id for r in nudge_rows}),
                        SessionLog.performed_on >= min(r.local_date for r in nudge_rows),
                        SessionLog.status == "done", SessionLog.undone_at.is_(None)))
                done = {(u, d) for u, d in result}
            out: list[PendingDelivery] = []
            skips: dict[str, list[int]] = defaultdict(list)
            for r in rows:
                if r.user_status != "active":
                    skips[f"user {r.user_status}"].append(r.id)
                elif r.paused_until is not None and r.paused_until > now:
                    skips["paused"].append(r.id)  # /pause after a snooze: not even that one
                elif r.kind in NUDGE_KINDS and (r.user_id, r.local_date) in done:
                    skips["done_today"].append(r.id)
                else:
                    out.append(PendingDelivery(r.id, r.user_id, r.chat_id, r.kind, r.content_id,
                                               r.local_date, r.attempts + 1,
                                               r.telegram_message_id is not None))
            for reason, ids in skips.items():
                # Only rows still pending: another sender may have sent one meanwhile.
                await session.execute(update(NudgeDelivery)
                                      .where(NudgeDelivery.id.in_(ids),
                                             NudgeDelivery.status == "pending")
                                      .values(status="skipped", error=reason))
            return out

    async def start_sending(self, delivery_id: int, now: datetime) -> bool:
        """Claim one row for the send that follows at once: pending -> sending, attempts + 1.
        False when it is no longer pending and due (another sender took it, the user answered
        or paused): then it must not be sent. On PostgreSQL a second sender's UPDATE waits for
        the first and then finds the row no longer pending; SQLite has one writer."""
        async with self._db.sessions() as session, session.begin():
            # not_before doubles as "claimed at" while the row is 'sending' (expire_sending).
            result = await session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.status == "pending",
                       NudgeDelivery.not_before <= now)
                .values(status="sending", attempts=NudgeDelivery.attempts + 1, not_before=now))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_sent(self, delivery_id: int, message_id: int, now: datetime) -> None:
        await self._set(delivery_id, status="sent", telegram_message_id=message_id, sent_at=now,
                        error=None)

    async def mark_retry(self, delivery_id: int, not_before: datetime, error: str) -> None:
        await self._set(delivery_id, status="pending", not_before=not_before, error=error[:255])

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self._set(delivery_id, status="failed", error=error[:255])

    async def mark_unknown(self, delivery_id: int, error: str) -> None:
        await self._set(delivery_id, status="unknown", error=error[:255])

    async def mark_blocked(self, delivery_id: int, user_id: int, error: str) -> None:
        """403 / chat not found: the row is 'blocked', the user too, and nothing else goes out."""
        async with self._db.sessions() as session, session.begin():
            await session.execute(update(NudgeDelivery).where(NudgeDelivery.id == delivery_id)
                                  .values(status="blocked", error=error[:255]))
            await session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.user_id == user_id, NudgeDelivery.status == "pending")
                .values(status="skipped", error="user blocked"))
            await session.execute(update(User).where(User.id == user_id)
                                  .values(status="blocked", next_nudge_at=None))

    async def _set(self, delivery_id: int, **values: Any) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(update(NudgeDelivery).where(NudgeDelivery.id == delivery_id)
                                  .values(**values))

    # -- responses (buttons) --------------------------------------------------------------------

    async def get(self, delivery_id: int, *, unit: Unit | None = None) -> Delivery | None:
        if unit is not None:
            row = await unit.session().get(NudgeDelivery, delivery_id)
            return None if row is None else _delivery(row)
        async with self._db.reads() as session:
            row = await session.get(NudgeDelivery, delivery_id)
            return None if row is None else _delivery(row)

    async def take_for_done(self, delivery_id: int, user_id: int, *, unit: Unit
                            ) -> Delivery | None:
        """The user's ledger row, locked for the Done that follows in the same unit (two taps
        on two workers wait for each other); None when it is not theirs."""
        row = await unit.session().get(NudgeDelivery, delivery_id, with_for_update=True)
        return None if row is None or row.user_id != user_id else _delivery(row)

    async def mark_done(self, delivery_id: int, now: datetime, *, unit: Unit) -> None:
        """Response 'done' on the ledger row; a snoozed nudge still waiting never comes back."""
        row = await unit.session().get(NudgeDelivery, delivery_id)
        if row is None:
            return
        row.response, row.responded_at = "done", now
        if row.status == "pending":
            row.status = "skipped"  # snoozed, then done: do not send it again
            row.error = "done_today"

    async def record_snooze(self, delivery_id: int, user_id: int, not_before: datetime,
                            now: datetime, *, unit: Unit | None = None) -> bool:
        """Put a sent nudge back in the queue for `not_before`; False if it cannot be."""
        async with session_in(self._db.engine, unit) as session:
            result = await session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.user_id == user_id,
                       NudgeDelivery.status == "sent",
                       NudgeDelivery.kind.in_(NUDGE_KINDS),
                       NudgeDelivery.response.is_(None) | (NudgeDelivery.response == "snoozed"))
                .values(status="pending", not_before=not_before, response="snoozed",
                        responded_at=now))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def record_response(self, delivery_id: int, user_id: int, response: str,
                              now: datetime, *, unit: Unit | None = None) -> bool:
        """Store what the user answered (skipped, keep, every_other_day, paused); False if the
        delivery is not theirs or already answered with Done."""
        async with session_in(self._db.engine, unit) as session:
            result = await session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.user_id == user_id,
                       NudgeDelivery.response.is_(None) | (NudgeDelivery.response != "done"))
                .values(response=response[:16], responded_at=now))
            if result.rowcount and response == "skipped":  # type: ignore[attr-defined]
                # A snoozed nudge that is then skipped must not come back.
                await session.execute(
                    update(NudgeDelivery)
                    .where(NudgeDelivery.id == delivery_id, NudgeDelivery.status == "pending")
                    .values(status="skipped", error="skipped by user"))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_cadence(self, user_id: int, every_other_day_from: date | None,
                          *, unit: Unit | None = None) -> None:
        """Daily (None) or every other day counted from a date; the next claim follows it."""
        async with session_in(self._db.engine, unit) as session:
            await session.execute(update(User).where(User.id == user_id).values(
                every_other_day_from=every_other_day_from, ignored_nudges=0))

    async def pause_nudges(self, user_id: int, *, unit: Unit | None = None) -> None:
        """No more nudges until /resume plans the next one (next_nudge_at NULL)."""
        async with session_in(self._db.engine, unit) as session:
            await session.execute(update(User).where(User.id == user_id).values(
                next_nudge_at=None))
            await session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.user_id == user_id, NudgeDelivery.status == "pending")
                .values(status="skipped", error="paused"))

    # -- admin ----------------------------------------------------------------------------------

    async def admin_counts(self, now: datetime) -> AdminCounts:
        """Users, active users, nudges sent and failures by kind since 00:00 UTC today."""
        midnight = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
        async with self._db.sessions() as session:
            users = await session.scalar(select(func.count()).select_from(User))
            active = await session.scalar(
                select(func.count()).select_from(User).where(User.status == "active"))
            sent = await session.scalar(
                select(func.count()).select_from(NudgeDelivery)
                .where(NudgeDelivery.status == "sent", NudgeDelivery.sent_at >= midnight))
            result = await session.execute(
                select(NudgeDelivery.status, func.count())
                .where(NudgeDelivery.status.in_(FAILURE_STATUSES),
                       NudgeDelivery.created_at >= midnight - timedelta(days=1),
                       NudgeDelivery.due_at >= midnight)
                .group_by(NudgeDelivery.status))
            failures = {status: 0 for status in FAILURE_STATUSES}
            failures.update({s: int(n) for s, n in result})
            retrying = await session.scalar(
                select(func.count()).select_from(NudgeDelivery)
                .where(NudgeDelivery.status == "pending", NudgeDelivery.attempts > 0))
            failures["retrying"] = int(retrying or 0)
        return AdminCounts(int(users or 0), int(active or 0), int(sent or 0), failures)


def _ledger_row(user: _DueUser, now: datetime, decision: NudgeDecision
                ) -> dict[str, Any] | None:
    if decision.kind is None:
        return None
    return {
        "user_id": user.id, "local_date": decision.local_date, "kind": decision.kind,
        "content_id": decision.content_id, "due_at": user.rules.due_at,
        "status": decision.status, "attempts": 0, "not_before": now, "error": decision.reason,
        "created_at": now,
    }


def _with_id(claim: ClaimedNudge, delivery_id: int | None) -> ClaimedNudge:
    if delivery_id is None:
        if claim.outcome in ("pending", "skipped"):
            # The unique constraint refused the row: another claim handled this date.
            return ClaimedNudge(claim.user_id, claim.local_date, "duplicate",
                                next_nudge_at=claim.next_nudge_at)
        return claim
    return ClaimedNudge(claim.user_id, claim.local_date, claim.outcome, claim.kind,
                        claim.content_id, claim.reason, delivery_id, claim.next_nudge_at)


def _delivery(row: NudgeDelivery) -> Delivery:
    return Delivery(row.id, row.user_id, row.kind, row.content_id, row.local_date, row.status,
                    row.response, row.telegram_message_id)
