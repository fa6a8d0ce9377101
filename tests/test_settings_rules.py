"""The rules around the onboarding and settings flows: steps, zone and the next nudge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.coach.onboarding import INJURY_STEPS, ONBOARDING_STEPS, Draft
from bot.coach.schedule import QuietHours
from bot.coach.settings_rules import (
    StoredSchedule,
    as_step,
    draft_today,
    draft_zone,
    flow_steps,
    next_nudge,
)

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEFAULT_QUIET = QuietHours(time(21, 30), time(7, 0))


def test_onboarding_walks_every_step_or_one_section_back_to_the_summary() -> None:
    assert flow_steps("onboarding", None) == ONBOARDING_STEPS
    assert flow_steps("onboarding", "time") == ("minutes", "days", "summary")


def test_settings_and_injury_walk_only_their_section() -> None:
    assert flow_steps("settings", "quiet") == ("quiet_hours",)
    assert flow_steps("settings", "nudges") == ("nudge_time", "timezone")
    assert flow_steps("injury", None) == INJURY_STEPS


def test_the_zone_just_answered_wins_then_the_stored_one_then_the_default() -> None:
    stored = StoredSchedule(timezone="Europe/Paris")
    assert draft_zone(Draft(timezone="Asia/Tokyo"), stored, "UTC") == "Asia/Tokyo"
    assert draft_zone(Draft(), stored, "UTC") == "Europe/Paris"
    assert draft_zone(Draft(), StoredSchedule(), "Europe/London") == "Europe/London"


def test_today_is_the_runners_local_date() -> None:
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert draft_today(Draft(timezone="Asia/Tokyo"), StoredSchedule(), "UTC", late) == \
        date(2026, 3, 3)
    assert draft_today(Draft(), StoredSchedule(), "UTC", late) == date(2026, 3, 2)


def test_no_nudge_time_means_no_nudge() -> None:
    assert next_nudge(Draft(nudges_off=True), StoredSchedule(), MONDAY_9, "UTC",
                      DEFAULT_QUIET) is None


def test_the_next_nudge_is_the_next_local_occurrence() -> None:
    due = next_nudge(Draft(nudge_time="07:00"), StoredSchedule(), MONDAY_9, "Europe/London",
                     DEFAULT_QUIET)
    assert due == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    later = next_nudge(Draft(nudge_time="20:00"), StoredSchedule(), MONDAY_9, "Asia/Tokyo",
                       DEFAULT_QUIET)
    assert later == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 20:00 in Tokyo, still today


def test_a_pause_on_the_user_row_still_holds() -> None:
    paused = StoredSchedule(paused_until=datetime(2026, 3, 6, 0, 0, tzinfo=UTC))
    due = next_nudge(Draft(nudge_time="07:00"), paused, MONDAY_9, "UTC", DEFAULT_QUIET)
    assert due is not None and due >= paused.paused_until  # type: ignore[operator]


def test_quiet_hours_move_a_nudge_to_their_end() -> None:
    # A nudge at 06:00 falls in the default 21:30-07:00: it moves to 07:00.
    default = next_nudge(Draft(nudge_time="06:00"), StoredSchedule(), MONDAY_9, "UTC",
                         DEFAULT_QUIET)
    assert default == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    # The user's own stored quiet hours apply when the draft sets none...
    stored = StoredSchedule(quiet_start=time(5, 0), quiet_end=time(6, 30))
    own = next_nudge(Draft(nudge_time="06:00"), stored, MONDAY_9, "UTC", DEFAULT_QUIET)
    assert own == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    # ...and the draft's choice beats them: "off" means none at all.
    off = next_nudge(Draft(nudge_time="06:00", quiet="off"), stored, MONDAY_9, "UTC",
                     DEFAULT_QUIET)
    assert off == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def test_stored_quiet_hours_need_both_ends() -> None:
    assert StoredSchedule(quiet_start=time(22, 0)).quiet is None
    assert StoredSchedule(quiet_start=time(22, 0), quiet_end=time(6, 0)).quiet == \
        (time(22, 0), time(6, 0))


def test_a_stored_step_this_version_does_not_ask_is_none() -> None:
    assert as_step("quiet_hours") == "quiet_hours"
    assert as_step("shoe_size") is None
