"""The daily nudge rules as a pure function: no database, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.coach.nudge_choice import NudgeChoice
from bot.coach.nudge_policy import DueUser, LedgerEntry, decide, was_ignored
from bot.coach.schedule import QuietHours

ZONE = "Europe/London"
DAY = date(2026, 3, 2)  # a Monday; London is on UTC
DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
NOW = DUE + timedelta(seconds=5)
GRACE = timedelta(hours=2)
USER = DueUser(id=1, zone=ZONE, nudge_time=time(7, 30), due_at=DUE, paused_until=None,
               quiet=QuietHours(), ignored=0, every_other_day_from=None, last_seen_at=None)


def habit(_day: date, _history: Sequence[LedgerEntry]) -> NudgeChoice | None:
    return NudgeChoice("habit", "h1")


def nothing(_day: date, _history: Sequence[LedgerEntry]) -> NudgeChoice | None:
    return None


def sent(row_id: int, day: date, *, response: str | None = None, kind: str = "habit",
         status: str = "sent") -> LedgerEntry:
    return LedgerEntry(row_id, day, kind, "h1", status, response,
                       datetime.combine(day, time(7, 30), tzinfo=UTC))


def test_a_due_user_gets_the_chosen_habit_and_tomorrows_time() -> None:
    decision = decide(USER, NOW, GRACE, [], set(), habit)
    assert (decision.outcome, decision.kind, decision.content_id) == ("pending", "habit", "h1")
    assert decision.next_nudge_at == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert decision.superseded == ()


def test_no_nudge_time_unschedules_and_writes_nothing() -> None:
    decision = decide(replace(USER, nudge_time=None), NOW, GRACE, [], set(), habit)
    assert (decision.outcome, decision.kind, decision.next_nudge_at) == (
        "unscheduled", None, None)


def test_a_pause_writes_nothing_and_waits_for_its_end() -> None:
    until = NOW + timedelta(days=3)
    decision = decide(replace(USER, paused_until=until), NOW, GRACE, [], set(), habit)
    assert decision.outcome == "paused" and decision.kind is None
    assert decision.next_nudge_at is not None and decision.next_nudge_at >= until


def test_one_nudge_a_local_day() -> None:
    decision = decide(USER, NOW, GRACE, [sent(9, DAY)], set(), habit)
    assert decision.outcome == "duplicate" and decision.kind is None


def test_a_zone_notice_is_not_the_days_message() -> None:
    notice = LedgerEntry(9, DAY, "zone_reset", "Mars/Base", "sent", None, None)
    assert decide(USER, NOW, GRACE, [notice], set(), habit).outcome == "pending"


def test_quiet_once_done() -> None:
    decision = decide(USER, NOW, GRACE, [], {DAY}, habit)
    assert (decision.status, decision.reason) == ("skipped", "done_today")


def test_a_late_claim_is_skipped_not_sent() -> None:
    decision = decide(USER, DUE + GRACE, GRACE, [], set(), habit)
    assert (decision.status, decision.reason) == ("skipped", "late")


def test_nothing_safe_skips_the_day() -> None:
    decision = decide(USER, NOW, GRACE, [], set(), nothing)
    assert (decision.status, decision.reason) == ("skipped", "no_safe_habit")


def test_an_ignored_nudge_counts_and_the_third_asks() -> None:
    yesterday = sent(8, DAY - timedelta(days=1))
    once = decide(USER, NOW, GRACE, [yesterday], set(), habit)
    assert once.ignored == 1 and once.kind == "habit"
    third = decide(replace(USER, ignored=2), NOW, GRACE, [yesterday], set(), habit)
    assert (third.ignored, third.kind, third.every_other_day_from) == (3, "backoff_ask", DAY)


def test_the_seventh_ignored_nudge_pauses() -> None:
    decision = decide(replace(USER, ignored=6), NOW, GRACE, [sent(8, DAY - timedelta(days=1))],
                      set(), habit)
    assert (decision.kind, decision.next_nudge_at) == ("backoff_pause", None)


def test_an_answer_or_a_message_since_is_not_ignoring() -> None:
    row = sent(8, DAY - timedelta(days=1))
    assert was_ignored(row, None)
    assert not was_ignored(replace(row, response="done"), None)
    assert row.sent_at is not None
    assert not was_ignored(row, row.sent_at + timedelta(minutes=1))


def test_older_pending_rows_are_superseded_by_a_new_nudge() -> None:
    stuck = sent(7, DAY - timedelta(days=1), status="pending")
    decision = decide(USER, NOW, GRACE, [stuck], set(), habit)
    assert decision.superseded == (7,)
    assert decide(USER, NOW, GRACE, [stuck], {DAY}, habit).superseded == ()
