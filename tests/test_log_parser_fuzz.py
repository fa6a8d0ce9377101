"""Property tests: the parser never raises and never returns nonsense, whatever the user types.

Timing lives in bench/parse_logs.py; these tests assert behaviour only.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.log_parser import CouldNotRead, LogEntry, looks_like_log, parse_log
from tests.test_log_parser import CASES, make_vocab

VOCAB = make_vocab()
TODAY = date(2025, 6, 12)

# Pieces of real logs, so random combinations reach deep into the parser's rules.
FRAGMENTS = [
    *(text for text, _ in CASES),
    "1h15", "1:30", "22:30", "1,500m", "3x1min", "4x500m", "5k", "rpe 7", "rpe7", "7/10",
    "pain 2/10", "pain 15", "pain 99/10", "rpe 0", "900 hours", "0 min", "99999 km", "no pain",
    "yesterday", "on tuesday", "12 days ago", "400 days ago", "half an hour", "an hour and a half",
    "twenty-five", "minutes", "’", "'", ":", "/", "x", "×", "🏊", "🚴‍♂️", "✅", "❌", "?", "at 7am",
    "didn't", "done", "skipped", "swimmimg", "elipticall", "rowign", "glute circuit", "laps",
]  # fmt: skip


def _assert_sane(result: LogEntry | CouldNotRead) -> None:
    assert isinstance(result, LogEntry | CouldNotRead)
    if isinstance(result, CouldNotRead):
        assert result.reason
        return
    assert result.minutes is None or 0 < result.minutes <= 24 * 60
    assert result.distance_km is None or 0 < result.distance_km <= 1000
    assert result.effort is None or 1 <= result.effort <= 10
    assert result.effort_word in (None, "easy", "moderate", "hard")
    assert result.pain is None or 0 <= result.pain <= 10
    assert 0 <= result.day_offset <= 13
    assert result.status in ("done", "skipped", "logged")
    assert 0.0 <= result.confidence <= 1.0
    assert isinstance(result.notes, str)
    assert result.activity_id


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=4096))
def test_any_unicode_text_reads_or_is_refused(text: str) -> None:
    _assert_sane(parse_log(text, VOCAB, TODAY))
    assert isinstance(looks_like_log(text, VOCAB), bool)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12),
    st.sampled_from([" ", "  ", ", ", "", "\n", " - "]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_mixed_log_fragments_stay_in_range(parts: list[str], sep: str, today: date) -> None:
    _assert_sane(parse_log(sep.join(parts), VOCAB, today))


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="0123456789.,:/x' hmkrpe", min_size=4000, max_size=4096))
def test_long_runs_of_digits_and_units_do_not_break_parsing(text: str) -> None:
    _assert_sane(parse_log(text, VOCAB, TODAY))


def test_a_4096_char_message_with_a_log_up_front_is_read() -> None:
    text = "swam 30 min easy " + "blah " * 900
    text = text[:4096]
    result = parse_log(text, VOCAB, TODAY)
    assert isinstance(result, LogEntry)
    assert (result.activity_id, result.minutes, result.effort_word) == ("swimming", 30, "easy")
    # So much unexplained text is more likely chat than a log: the bot should ask.
    assert not looks_like_log(text, VOCAB)


def test_text_that_grows_under_unicode_normalisation_is_bounded() -> None:
    # U+FDFA expands to 18 characters under NFKC; 4096 of them must not blow up the work.
    _assert_sane(parse_log("\ufdfa" * 4096, VOCAB, TODAY))
