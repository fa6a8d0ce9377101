"""Time zones typed or shared at onboarding become zones whose clock matches the user's."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach import timezones
from bot.coach.timezones import (
    ZoneMatch,
    is_valid_zone,
    resolve_zone,
    zone_from_location,
    zone_info,
)

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)

# (typed text, expected zone, expected exact flag)
RESOLVES = [
    # IANA names, any case, spaces for underscores
    ("Europe/London", "Europe/London", True),
    ("europe/london", "Europe/London", True),
    ("EUROPE/LONDON", "Europe/London", True),
    ("America/New York", "America/New_York", True),
    ("america/new_york", "America/New_York", True),
    ("Asia/Kolkata", "Asia/Kolkata", True),
    ("  Pacific/Auckland ", "Pacific/Auckland", True),
    ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", True),
    # cities that are zone names
    ("london", "Europe/London", True),
    ("London", "Europe/London", True),
    ("new york", "America/New_York", True),
    ("auckland", "Pacific/Auckland", True),
    ("kolkata", "Asia/Kolkata", True),
    ("paris", "Europe/Paris", True),
    ("berlin", "Europe/Berlin", True),
    ("sydney", "Australia/Sydney", True),
    ("tokyo", "Asia/Tokyo", True),
    ("São Paulo", "America/Sao_Paulo", True),
    ("sao-paulo", "America/Sao_Paulo", True),
    ("buenos aires", "America/Argentina/Buenos_Aires", True),
    ("London, UK", "Europe/London", True),
    # aliases: cities, countries and abbreviations that are not zone names
    ("nyc", "America/New_York", True),
    ("NYC", "America/New_York", True),
    ("mumbai", "Asia/Kolkata", True),
    ("delhi", "Asia/Kolkata", True),
    ("india", "Asia/Kolkata", True),
    ("sf", "America/Los_Angeles", True),
    ("san francisco", "America/Los_Angeles", True),
    ("la", "America/Los_Angeles", True),
    ("uk", "Europe/London", True),
    ("new zealand", "Pacific/Auckland", True),
    ("München", "Europe/Berlin", True),
    ("PST", "America/Los_Angeles", True),
    ("est", "America/New_York", True),
    ("Japan", "Asia/Tokyo", True),
    # Legacy names still work when typed exactly, and are stored by their canonical name.
    ("GB", "Europe/London", True),
    ("US/Eastern", "America/New_York", True),
    ("US/Pacific", "America/Los_Angeles", True),
    ("Asia/Calcutta", "Asia/Kolkata", True),
    # typos: fuzzy, flagged inexact so the bot asks "did you mean"
    ("londn", "Europe/London", False),
    ("Lodnon", "Europe/London", False),
    ("new yrok", "America/New_York", False),
    ("sidney", "Australia/Sydney", False),
    ("aukland", "Pacific/Auckland", False),
    ("kolkatta", "Asia/Kolkata", False),
    ("san fransisco", "America/Los_Angeles", False),
    ("europe/londn", "Europe/London", False),
    # offsets; note the inverted sign of the Etc zones
    ("UTC+2", "Etc/GMT-2", True),
    ("utc +2", "Etc/GMT-2", True),
    ("GMT-3", "Etc/GMT+3", True),
    ("-03:00", "Etc/GMT+3", True),
    ("+14", "Etc/GMT-14", True),
    ("UTC-12", "Etc/GMT+12", True),
    ("utc", "UTC", True),
    ("GMT", "UTC", True),
    ("+00:00", "UTC", True),
    ("+05:30", "Asia/Kolkata", True),
    ("+0530", "Asia/Kolkata", True),
    ("UTC+5:30", "Asia/Kolkata", True),
    ("+05:45", "Asia/Kathmandu", True),
    ("+09:30", "Australia/Darwin", True),
    ("UTC−3:30", "UTC-03:30", True),  # typographic minus; only DST zones use -03:30
]

REJECTS = [
    "",
    "   ",
    "asdfgh",
    "qwertyuiop",
    "🙂",
    "🙂🙂🙂",
    "x" * 4000,
    "london" * 700,
    "banana",
    "hello",
    "being",
    "pain",
    "running",
    "yes",
    "7:30",
    "12345",
    "UTC+15",
    "UTC-13",
    "+05:17",
    "+530",
    "+",
    "utc+",
    "Europe",
    "localtime",
    "Factory",
    "../../etc/passwd",
    "Etc/GMT-99",
]


@pytest.mark.parametrize(("text", "zone", "exact"), RESOLVES)
def test_resolves(text: str, zone: str, exact: bool) -> None:
    match = resolve_zone(text)
    assert match is not None, text
    assert (match.zone, match.exact) == (zone, exact)
    assert is_valid_zone(match.zone)
    assert match.label


@pytest.mark.parametrize("text", REJECTS)
def test_rejects_nonsense(text: str) -> None:
    assert resolve_zone(text) is None


def test_tables_are_large_enough() -> None:
    assert len(RESOLVES) + len(REJECTS) >= 30
    assert len(REJECTS) >= 10


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("UTC+2", timedelta(hours=2)),
        ("GMT-3", timedelta(hours=-3)),
        ("+14", timedelta(hours=14)),
        ("-12", timedelta(hours=-12)),
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("+05:45", timedelta(hours=5, minutes=45)),
        ("-09:30", timedelta(hours=-9, minutes=-30)),
        ("-03:30", timedelta(hours=-3, minutes=-30)),
        ("+12:45", timedelta(hours=12, minutes=45)),
        ("utc", timedelta(0)),
    ],
)
def test_typed_offset_is_the_clock_all_year(text: str, offset: timedelta) -> None:
    # What the user notices: the clock we use is the offset they typed, in winter and summer.
    match = resolve_zone(text)
    assert match is not None
    tz = zone_info(match.zone)
    assert WINTER.astimezone(tz).utcoffset() == offset
    assert SUMMER.astimezone(tz).utcoffset() == offset


def test_offset_labels_are_readable() -> None:
    assert resolve_zone("UTC+2") == ZoneMatch("Etc/GMT-2", "UTC+02:00", True)
    assert resolve_zone("+0530") == ZoneMatch("Asia/Kolkata", "UTC+05:30", True)
    assert resolve_zone("-3:30") == ZoneMatch("UTC-03:30", "UTC-03:30", True)


@pytest.mark.parametrize(("minutes", "zone"), sorted(timezones._FRACTIONAL_OFFSET_ZONES.items()))
def test_fractional_offset_zones_really_keep_that_offset_all_year(minutes: int, zone: str) -> None:
    # Guards the hand-written table against tzdata updates (a zone adopting DST, say).
    tz = zone_info(zone)
    for month in range(1, 13):
        instant = datetime(2026, month, 1, 12, tzinfo=UTC)
        assert instant.astimezone(tz).utcoffset() == timedelta(minutes=minutes), (zone, month)


def test_zone_info_understands_fixed_offset_strings() -> None:
    tz = zone_info("UTC+05:30")
    assert isinstance(tz, timezone)
    assert datetime(2026, 3, 1, 2, 0, tzinfo=UTC).astimezone(tz).hour == 7
    assert zone_info("UTC-03:30").utcoffset(None) == timedelta(hours=-3, minutes=-30)


@pytest.mark.parametrize(
    "name", ["Europe/London", "UTC", "Etc/GMT-2", "US/Eastern", "UTC+05:30", "UTC-03:30"]
)
def test_valid_zone_names(name: str) -> None:
    assert is_valid_zone(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Europe",
        "Mars/Olympus_Mons",
        "europe/london",  # stored names are canonical; only resolve_zone is forgiving
        "UTC+5:30",
        "UTC+25:00",
        "UTC+05:99",
        "localtime",
        "../etc/passwd",
        "/etc/localtime",
        "Europe/London\x00",
        "x" * 4000,
    ],
)
def test_invalid_zone_names(name: str) -> None:
    assert not is_valid_zone(name)
    with pytest.raises(ValueError):
        zone_info(name)


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (51.5074, -0.1278, "Europe/London"),
        (40.7128, -74.0060, "America/New_York"),
        (22.5726, 88.3639, "Asia/Kolkata"),
        (-36.8485, 174.7633, "Pacific/Auckland"),
        (48.8566, 2.3522, "Europe/Paris"),
    ],
)
def test_zone_from_shared_location(lat: float, lon: float, zone: str) -> None:
    assert zone_from_location(lat, lon) == zone


def test_zone_from_location_at_sea_is_a_usable_zone() -> None:
    zone = zone_from_location(0.0, -30.0)  # mid-Atlantic
    assert zone is not None
    assert is_valid_zone(zone)


@pytest.mark.parametrize(
    ("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (float("nan"), 0.0), (0.0, float("inf"))]
)
def test_zone_from_impossible_location_is_none(lat: float, lon: float) -> None:
    assert zone_from_location(lat, lon) is None


def test_importing_does_no_work() -> None:
    # Nothing at import time: no zone index, no timezonefinder.
    code = (
        "import sys\n"
        "import bot.coach.timezones as tz\n"
        "assert tz._zone_index.cache_info().currsize == 0\n"
        "assert tz._finder.cache_info().currsize == 0\n"
        "assert 'timezonefinder' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=5000))
def test_resolve_zone_never_raises(text: str) -> None:
    match = resolve_zone(text)
    if match is not None:
        assert is_valid_zone(match.zone)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"(utc|gmt)?[+\-][0-9]{1,2}(:[0-9]{2})?", fullmatch=True))
def test_offset_shaped_text_resolves_to_that_offset_or_none(text: str) -> None:
    match = resolve_zone(text)
    if match is None:
        return
    tz = zone_info(match.zone)
    label = match.label
    assert WINTER.astimezone(tz).utcoffset() == SUMMER.astimezone(tz).utcoffset()
    if label != "UTC":
        sign = 1 if label[3] == "+" else -1
        hours, minutes = int(label[4:6]), int(label[7:9])
        expected = sign * timedelta(hours=hours, minutes=minutes)
        assert WINTER.astimezone(tz).utcoffset() == expected
