"""Turn what a runner types or shares into an IANA time zone, and zone names into tzinfo objects.

Accepted input, tried in this order:
1. UTC offsets: "utc", "UTC+2", "GMT-3", "+05:30", "+0530".
2. IANA names in any case, with spaces for underscores: "europe/london", "America/New York".
3. A small alias table for cities, countries and abbreviations that are not zone names
   ("nyc", "india", "sf", "pst").
4. The last component of every IANA zone ("london" -> Europe/London, "new york").
5. Fuzzy matching (rapidfuzz) over 3 and 4, with a tight edit-distance limit so typos ("londn")
   match and random words ("asdfgh", "banana", "being") do not.

Zones are returned by their canonical IANA name: a legacy link that is typed ("US/Pacific",
"Asia/Calcutta", "GB") becomes the zone it links to ("America/Los_Angeles", "Asia/Kolkata",
"Europe/London"), so what is stored survives a tzdata release that drops the link.

Whole-hour offsets become "Etc/GMT-2"-style zones. Other offsets become the zone that keeps that
offset all year (+05:30 -> Asia/Kolkata), or else a "UTC+hh:mm" string that `zone_info`
understands. A typed offset is a promise about the clock *now*, so we never map it to a zone with
DST, whose clock would drift from what the user typed half of the year.

Nothing is computed at import: the zone index is built on first use and cached, and
timezonefinder is imported and loaded only when a location is shared.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

__all__ = [
    "ZoneMatch",
    "canonical_zone",
    "is_valid_zone",
    "resolve_zone",
    "zone_from_location",
    "zone_info",
]


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A resolved zone.

    zone: an IANA name ("Europe/London", "Etc/GMT-2") or a fixed offset ("UTC+05:30"); always
        accepted by `zone_info`.
    label: a short human name for the confirmation message ("London", "India", "UTC+05:30").
    exact: False when the match came from fuzzy search, so the bot should ask "Did you mean ...?"
    """

    zone: str
    label: str
    exact: bool


# Input longer than any place name is rejected before any work ("Llanfair...gogoch" is 58).
_MAX_INPUT = 64
# Fuzzy matching counts typing slips (OSA distance: insert, delete, substitute, swap two
# neighbours) and allows 1 slip in a 5-8 letter name and 2 from 9 letters. Shorter text must
# match exactly: a 4-letter word is one slip away from too many places ("pain" / "spain").
# Measured on the ~600 distinct words of the seed article and research notes, only "recipe"
# (Recife) and "walks" (Wales) match, and `exact=False` makes the bot ask before using them.
# A similarity ratio cutoff was tried first and let 27 of them through ("being" -> Beijing).
_FUZZY_MIN_LEN = 5
_FUZZY_TWO_SLIPS_LEN = 9

# Areas whose zones are real places. Legacy top-level links ("US/Eastern", "Japan", "GB") still
# resolve when typed exactly, but fuzzy search and last-component matching use only these.
_PLACE_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# Present in some system zone directories but not time zones anyone lives in.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})

# Cities, countries and abbreviations people type that are not zone names. Keys are in the
# normalised form `_normalise` produces. Abbreviations map to the place most users mean, with
# DST: someone typing "EST" in July is still on New York time, not the fixed-offset EST zone.
# Values: (zone, label).
_ALIASES: dict[str, tuple[str, str]] = {
    # North America
    "nyc": ("America/New_York", "New York"),
    "new york city": ("America/New_York", "New York"),
    "boston": ("America/New_York", "Boston"),
    "washington": ("America/New_York", "Washington"),
    "washington dc": ("America/New_York", "Washington"),
    "dc": ("America/New_York", "Washington"),
    "philadelphia": ("America/New_York", "Philadelphia"),
    "miami": ("America/New_York", "Miami"),
    "atlanta": ("America/New_York", "Atlanta"),
    "est": ("America/New_York", "US Eastern"),
    "edt": ("America/New_York", "US Eastern"),
    "eastern": ("America/New_York", "US Eastern"),
    "chicago": ("America/Chicago", "Chicago"),
    "houston": ("America/Chicago", "Houston"),
    "dallas": ("America/Chicago", "Dallas"),
    "austin": ("America/Chicago", "Austin"),
    "cst": ("America/Chicago", "US Central"),
    "cdt": ("America/Chicago", "US Central"),
    "central": ("America/Chicago", "US Central"),
    "indiana": ("America/Indiana/Indianapolis", "Indiana"),
    "denver": ("America/Denver", "Denver"),
    "mst": ("America/Denver", "US Mountain"),
    "mdt": ("America/Denver", "US Mountain"),
    "mountain": ("America/Denver", "US Mountain"),
    "sf": ("America/Los_Angeles", "San Francisco"),
    "san francisco": ("America/Los_Angeles", "San Francisco"),
    "la": ("America/Los_Angeles", "Los Angeles"),
    "seattle": ("America/Los_Angeles", "Seattle"),
    "portland": ("America/Los_Angeles", "Portland"),
    "san diego": ("America/Los_Angeles", "San Diego"),
    "las vegas": ("America/Los_Angeles", "Las Vegas"),
    "pst": ("America/Los_Angeles", "US Pacific"),
    "pdt": ("America/Los_Angeles", "US Pacific"),
    "pacific": ("America/Los_Angeles", "US Pacific"),
    "usa": ("America/New_York", "US Eastern"),
    "us": ("America/New_York", "US Eastern"),
    "united states": ("America/New_York", "US Eastern"),
    "montreal": ("America/Toronto", "Montreal"),
    "ottawa": ("America/Toronto", "Ottawa"),
    "canada": ("America/Toronto", "Canada Eastern"),
    "calgary": ("America/Edmonton", "Calgary"),
    "mexico": ("America/Mexico_City", "Mexico City"),
    # South America
    "brazil": ("America/Sao_Paulo", "São Paulo"),
    "rio": ("America/Sao_Paulo", "Rio de Janeiro"),
    "rio de janeiro": ("America/Sao_Paulo", "Rio de Janeiro"),
    "brasilia": ("America/Sao_Paulo", "Brasília"),
    "argentina": ("America/Argentina/Buenos_Aires", "Buenos Aires"),
    "chile": ("America/Santiago", "Santiago"),
    "colombia": ("America/Bogota", "Bogotá"),
    "peru": ("America/Lima", "Lima"),
    # Europe
    "uk": ("Europe/London", "London"),
    "england": ("Europe/London", "London"),
    "britain": ("Europe/London", "London"),
    "great britain": ("Europe/London", "London"),
    "united kingdom": ("Europe/London", "London"),
    "scotland": ("Europe/London", "Edinburgh"),
    "edinburgh": ("Europe/London", "Edinburgh"),
    "glasgow": ("Europe/London", "Glasgow"),
    "wales": ("Europe/London", "Cardiff"),
    "cardiff": ("Europe/London", "Cardiff"),
    "manchester": ("Europe/London", "Manchester"),
    "birmingham": ("Europe/London", "Birmingham"),
    "bst": ("Europe/London", "London"),
    "ireland": ("Europe/Dublin", "Dublin"),
    "france": ("Europe/Paris", "Paris"),
    "lyon": ("Europe/Paris", "Lyon"),
    "marseille": ("Europe/Paris", "Marseille"),
    "germany": ("Europe/Berlin", "Berlin"),
    "munich": ("Europe/Berlin", "Munich"),
    "munchen": ("Europe/Berlin", "Munich"),
    "hamburg": ("Europe/Berlin", "Hamburg"),
    "frankfurt": ("Europe/Berlin", "Frankfurt"),
    "cologne": ("Europe/Berlin", "Cologne"),
    "cet": ("Europe/Paris", "Central Europe"),
    "cest": ("Europe/Paris", "Central Europe"),
    "spain": ("Europe/Madrid", "Madrid"),
    "barcelona": ("Europe/Madrid", "Barcelona"),
    "italy": ("Europe/Rome", "Rome"),
    "milan": ("Europe/Rome", "Milan"),
    "netherlands": ("Europe/Amsterdam", "Amsterdam"),
    "holland": ("Europe/Amsterdam", "Amsterdam"),
    "belgium": ("Europe/Brussels", "Brussels"),
    "switzerland": ("Europe/Zurich", "Zurich"),
    "geneva": ("Europe/Zurich", "Geneva"),
    "austria": ("Europe/Vienna", "Vienna"),
    "portugal": ("Europe/Lisbon", "Lisbon"),
    "porto": ("Europe/Lisbon", "Porto"),
    "poland": ("Europe/Warsaw", "Warsaw"),
    "krakow": ("Europe/Warsaw", "Kraków"),
    "sweden": ("Europe/Stockholm", "Stockholm"),
    "norway": ("Europe/Oslo", "Oslo"),
    "denmark": ("Europe/Copenhagen", "Copenhagen"),
    "finland": ("Europe/Helsinki", "Helsinki"),
    "greece": ("Europe/Athens", "Athens"),
    "turkey": ("Europe/Istanbul", "Istanbul"),
    "ukraine": ("Europe/Kyiv", "Kyiv"),
    "kiev": ("Europe/Kyiv", "Kyiv"),
    "russia": ("Europe/Moscow", "Moscow"),
    "czechia": ("Europe/Prague", "Prague"),
    "hungary": ("Europe/Budapest", "Budapest"),
    # Africa and the Middle East
    "egypt": ("Africa/Cairo", "Cairo"),
    "south africa": ("Africa/Johannesburg", "Johannesburg"),
    "cape town": ("Africa/Johannesburg", "Cape Town"),
    "kenya": ("Africa/Nairobi", "Nairobi"),
    "nigeria": ("Africa/Lagos", "Lagos"),
    "morocco": ("Africa/Casablanca", "Casablanca"),
    "israel": ("Asia/Jerusalem", "Jerusalem"),
    "tel aviv": ("Asia/Jerusalem", "Tel Aviv"),
    "uae": ("Asia/Dubai", "Dubai"),
    "abu dhabi": ("Asia/Dubai", "Abu Dhabi"),
    "saudi arabia": ("Asia/Riyadh", "Riyadh"),
    "iran": ("Asia/Tehran", "Tehran"),
    # Asia
    "india": ("Asia/Kolkata", "India"),
    "mumbai": ("Asia/Kolkata", "Mumbai"),
    "bombay": ("Asia/Kolkata", "Mumbai"),
    "delhi": ("Asia/Kolkata", "Delhi"),
    "new delhi": ("Asia/Kolkata", "Delhi"),
    "bangalore": ("Asia/Kolkata", "Bengaluru"),
    "bengaluru": ("Asia/Kolkata", "Bengaluru"),
    "chennai": ("Asia/Kolkata", "Chennai"),
    "hyderabad": ("Asia/Kolkata", "Hyderabad"),
    "pune": ("Asia/Kolkata", "Pune"),
    "calcutta": ("Asia/Kolkata", "Kolkata"),
    "ist": ("Asia/Kolkata", "India"),
    "pakistan": ("Asia/Karachi", "Karachi"),
    "lahore": ("Asia/Karachi", "Lahore"),
    "bangladesh": ("Asia/Dhaka", "Dhaka"),
    "nepal": ("Asia/Kathmandu", "Kathmandu"),
    "sri lanka": ("Asia/Colombo", "Colombo"),
    "thailand": ("Asia/Bangkok", "Bangkok"),
    "vietnam": ("Asia/Ho_Chi_Minh", "Ho Chi Minh City"),
    "hanoi": ("Asia/Bangkok", "Hanoi"),
    "saigon": ("Asia/Ho_Chi_Minh", "Ho Chi Minh City"),
    "malaysia": ("Asia/Kuala_Lumpur", "Kuala Lumpur"),
    "indonesia": ("Asia/Jakarta", "Jakarta"),
    "bali": ("Asia/Makassar", "Bali"),
    "philippines": ("Asia/Manila", "Manila"),
    "china": ("Asia/Shanghai", "China"),
    "beijing": ("Asia/Shanghai", "Beijing"),
    "shenzhen": ("Asia/Shanghai", "Shenzhen"),
    "hong kong": ("Asia/Hong_Kong", "Hong Kong"),
    "taiwan": ("Asia/Taipei", "Taipei"),
    "japan": ("Asia/Tokyo", "Tokyo"),
    "osaka": ("Asia/Tokyo", "Osaka"),
    "kyoto": ("Asia/Tokyo", "Kyoto"),
    "jst": ("Asia/Tokyo", "Japan"),
    "korea": ("Asia/Seoul", "Seoul"),
    "south korea": ("Asia/Seoul", "Seoul"),
    # Oceania
    "australia": ("Australia/Sydney", "Sydney"),
    "canberra": ("Australia/Sydney", "Canberra"),
    "aest": ("Australia/Sydney", "Australia Eastern"),
    "new zealand": ("Pacific/Auckland", "Auckland"),
    "nz": ("Pacific/Auckland", "Auckland"),
    "wellington": ("Pacific/Auckland", "Wellington"),
    "christchurch": ("Pacific/Auckland", "Christchurch"),
    "nzst": ("Pacific/Auckland", "New Zealand"),
    "hawaii": ("Pacific/Honolulu", "Honolulu"),
}

# Non-whole-hour offsets -> a zone that has that offset all year (verified against the
# installed tzdata by the tests). Offsets shared only by DST zones (St John's -03:30,
# Adelaide +09:30, Chatham +12:45, Lord Howe +10:30) are left out on purpose: see module doc.
_FRACTIONAL_OFFSET_ZONES: dict[int, str] = {
    -(9 * 60 + 30): "Pacific/Marquesas",
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
}

# Real offsets run from UTC-12 (Baker Island) to UTC+14 (Kiribati); Etc/GMT zones cover the same.
_MIN_OFFSET = -12 * 60
_MAX_OFFSET = 14 * 60

_OFFSET_INPUT = re.compile(
    r"""
    (?:utc|gmt|z)?\s*
    (?P<sign>[+\-\u2212])\s*          # also the typographic minus sign phones insert
    (?P<hours>\d{1,2})
    (?:
        :(?P<minutes>\d{2})           # +05:30
      | (?P<compact_minutes>\d{2})    # +0530 (only with two hour digits, see below)
    )?
    """,
    re.VERBOSE | re.ASCII,
)
_FIXED_NAME = re.compile(r"UTC(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2})", re.ASCII)
_UTC_WORDS = frozenset({"utc", "gmt", "z", "zulu", "utc0", "gmt0", "utc+0", "gmt+0"})


def resolve_zone(text: str) -> ZoneMatch | None:
    """Return the zone the text names, or None when nothing matches well enough. Never raises."""
    if not isinstance(text, str):
        return None
    raw = text.strip()
    if not raw or len(raw) > _MAX_INPUT:
        return None

    offset = _resolve_offset(raw)
    if offset is not None:
        return offset

    index = _zone_index()
    key = _normalise(raw)
    if not key:
        return None
    found = _lookup_exact(key, index)
    if found is None and "," in raw:
        # "London, UK" or "Portland, Oregon": the place is before the first comma.
        head = _normalise(raw.split(",", 1)[0])
        found = _lookup_exact(head, index) if head else None
        key = head or key
    if found is not None:
        return found
    return _lookup_fuzzy(key, index)


def canonical_zone(name: str) -> str:
    """The canonical IANA name for `name`: a legacy link ("US/Pacific") becomes its target
    ("America/Los_Angeles"). Place names that tzdata lists for a country (zone.tab, e.g.
    Europe/Amsterdam, now a link to Brussels) are kept, as are UTC, Etc/* and fixed offsets.
    Anything unknown is returned unchanged; `is_valid_zone` says whether it can be used."""
    if not isinstance(name, str) or name == "UTC" or name.startswith(("Etc/", "UTC+", "UTC-")):
        return name
    places, links = _tzdata_names()
    if name in places:
        return name
    target, seen = links.get(name), {name}
    while target is not None and target in links and target not in places and target not in seen:
        seen.add(target)
        target = links[target]
    return target if target is not None and is_valid_zone(target) else name


def zone_info(name: str) -> tzinfo:
    """Return the tzinfo for a stored zone name: an IANA name or a "UTC+hh:mm" fixed offset.

    Raises ValueError for anything else, so callers need to catch only one exception type.
    """
    fixed = _FIXED_NAME.fullmatch(name) if isinstance(name, str) else None
    if fixed is not None:
        minutes = int(fixed["hours"]) * 60 + int(fixed["minutes"])
        if fixed["sign"] == "-":
            minutes = -minutes
        if not _MIN_OFFSET <= minutes <= _MAX_OFFSET or int(fixed["minutes"]) > 59:
            raise ValueError(f"offset out of range: {name!r}")
        return timezone(timedelta(minutes=minutes), name)
    if not isinstance(name, str) or not name or name in _NOT_ZONES or len(name) > _MAX_INPUT:
        raise ValueError(f"unknown time zone: {name!r}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError) as exc:
        # OSError covers directories ("Europe") and unreadable files in the zone path.
        raise ValueError(f"unknown time zone: {name!r}") from exc


def is_valid_zone(name: str) -> bool:
    """True when `zone_info(name)` would succeed."""
    try:
        zone_info(name)
    except ValueError:
        return False
    return True


def zone_from_location(lat: float, lon: float) -> str | None:
    """The IANA zone at a shared Telegram location, offline, or None (bad coordinates, no zone).

    Over the open sea timezonefinder answers with an "Etc/GMT+n" nautical zone, which is fine.
    """
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
        return None  # also rejects NaN, which fails every comparison
    try:
        zone = _finder().timezone_at(lng=lon_f, lat=lat_f)
    except ValueError:
        return None
    if zone is None:
        return None
    zone = canonical_zone(zone)
    return zone if is_valid_zone(zone) else None


# --------------------------------------------------------------------------- internals


def _tzdata_files() -> list[Path]:
    """Directories that may hold tzdata's tzdata.zi and zone.tab: the system zone path that
    zoneinfo reads first, then the tzdata package it falls back to."""
    found = [Path(p) for p in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError, TypeError):  # tzdata is a dependency
        found.append(Path(str(resources.files("tzdata").joinpath("zoneinfo"))))
    return found


@cache
def _tzdata_names() -> tuple[frozenset[str], dict[str, str]]:
    """(zones tzdata lists for a country, link name -> target), read once from the first
    tzdata.zi found (each link is a line "L <target> <link>")."""
    places: set[str] = set()
    links: dict[str, str] = {}
    for directory in _tzdata_files():
        source = directory / "tzdata.zi"
        if not links and source.is_file():
            for line in source.read_text(encoding="utf-8").splitlines():
                if line.startswith("L "):
                    parts = line.split()
                    if len(parts) == 3:
                        links[parts[2]] = parts[1]
        for table in ("zone.tab", "zone1970.tab"):
            path = directory / table
            if not places and path.is_file():
                for line in path.read_text(encoding="utf-8").splitlines():
                    columns = line.split("\t")
                    if not line.startswith("#") and len(columns) >= 3:
                        places.add(columns[2])
        if links and places:
            break
    return frozenset(places), links


@dataclass(frozen=True, slots=True)
class _ZoneIndex:
    # normalised full IANA name ("europe/london", "america/new york") -> IANA name
    full: dict[str, str]
    # normalised key ("london", "new york", "nyc") -> (zone, label), aliases and last components
    places: dict[str, tuple[str, str]]
    # the keys of `places` long enough to be fuzzy targets ("la", "nyc" only match exactly)
    fuzzy_choices: list[str]


@cache
def _zone_index() -> _ZoneIndex:
    """Build the lookup tables once, on first use (~10 ms: ~600 zone names from tzdata)."""
    names = sorted(z for z in zoneinfo.available_timezones() if z not in _NOT_ZONES)
    full = {_normalise(name): name for name in names}

    places: dict[str, tuple[str, str]] = {}
    # Sorting gives a stable winner when two zones share a last component
    # (America/Argentina/Buenos_Aires before the America/Buenos_Aires link).
    for name in names:
        parts = name.split("/")
        if len(parts) < 2 or parts[0] not in _PLACE_AREAS:
            continue
        key = _normalise(parts[-1])
        places.setdefault(key, (canonical_zone(name), parts[-1].replace("_", " ")))
    # Aliases override last components: "la" must be Los Angeles, not a zone fragment.
    places.update(_ALIASES)
    fuzzy_choices = [key for key in places if len(key) >= _FUZZY_MIN_LEN]
    return _ZoneIndex(full=full, places=places, fuzzy_choices=fuzzy_choices)


def _normalise(text: str) -> str:
    """Lower-case, strip accents, and treat "_", "-", "." and runs of spaces as one space.

    "São Paulo", "sao_paulo" and "Sao-Paulo" all become "sao paulo"; slashes are kept so full
    IANA names stay distinguishable from places.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = ascii_only.casefold()
    spaced = re.sub(r"[_\-.\s]+", " ", lowered)
    spaced = re.sub(r"\s*/\s*", "/", spaced)
    return spaced.strip()


def _lookup_exact(key: str, index: _ZoneIndex) -> ZoneMatch | None:
    name = index.full.get(key)
    if name is not None:
        name = canonical_zone(name)
    if name is not None and "/" in name:
        return ZoneMatch(zone=name, label=_label_for(name), exact=True)
    # Places before legacy top-level names: "EST" typed by a New Yorker means New York time
    # with DST, not the fixed-offset EST zone; "Japan" is better stored as Asia/Tokyo.
    place = index.places.get(key)
    if place is not None:
        return ZoneMatch(zone=place[0], label=place[1], exact=True)
    if name is not None:
        return ZoneMatch(zone=name, label=_label_for(name), exact=True)
    return None


def _lookup_fuzzy(key: str, index: _ZoneIndex) -> ZoneMatch | None:
    # A typo'd full name ("europe/londn") is matched on its last component.
    query = key.rsplit("/", 1)[-1]
    if len(query) < _FUZZY_MIN_LEN:
        return None
    max_slips = 1 if len(query) < _FUZZY_TWO_SLIPS_LEN else 2
    best = process.extractOne(
        query, index.fuzzy_choices, scorer=OSA.distance, score_cutoff=max_slips
    )
    if best is None:
        return None
    zone, label = index.places[best[0]]
    return ZoneMatch(zone=zone, label=label, exact=False)


def _label_for(name: str) -> str:
    if name.startswith("Etc/"):
        return name
    return name.rsplit("/", 1)[-1].replace("_", " ")


def _resolve_offset(raw: str) -> ZoneMatch | None:
    text = raw.casefold().replace(" ", "")
    if text in _UTC_WORDS:
        return ZoneMatch(zone="UTC", label="UTC", exact=True)
    match = _OFFSET_INPUT.fullmatch(text)
    if match is None:
        return None
    hours_text = match["hours"]
    if match["compact_minutes"] is not None and len(hours_text) != 2:
        # "+530" is ambiguous with nothing sensible; require "+0530" or "+5:30".
        return None
    minutes_part = match["minutes"] or match["compact_minutes"] or "0"
    hours, minutes = int(hours_text), int(minutes_part)
    if minutes not in (0, 15, 30, 45):
        return None  # no zone has ever used other minute offsets in modern times
    total = hours * 60 + minutes
    if match["sign"] != "+":
        total = -total
    if not _MIN_OFFSET <= total <= _MAX_OFFSET:
        return None
    return _match_for_offset(total)


def _match_for_offset(total_minutes: int) -> ZoneMatch:
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    label = f"UTC{sign}{hours:02d}:{minutes:02d}"
    if total_minutes == 0:
        return ZoneMatch(zone="UTC", label="UTC", exact=True)
    if minutes == 0:
        # POSIX-style Etc zones invert the sign: Etc/GMT-2 is two hours *ahead* of UTC.
        etc_sign = "-" if total_minutes > 0 else "+"
        return ZoneMatch(zone=f"Etc/GMT{etc_sign}{hours}", label=label, exact=True)
    zone = _FRACTIONAL_OFFSET_ZONES.get(total_minutes, label)
    return ZoneMatch(zone=zone, label=label, exact=True)


@cache
def _finder() -> TimezoneFinder:
    # Imported here so that importing this module never loads timezonefinder's data.
    # Measured on the dev box (timezonefinder 9): construction ~50 ms either way; in_memory=True
    # makes a lookup ~0.04 ms instead of ~0.3 ms but adds ~35 MB RSS, while the default
    # file-backed mode costs ~4 MB. Location shares are rare (once per onboarding) and the nudge
    # benchmark has an RSS budget, so the file-backed mode is the better trade.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()
