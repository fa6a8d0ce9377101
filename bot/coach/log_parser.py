"""Free-text session logs ("swam 30 min easy") become a LogEntry. Pure: no I/O, no clock.

How it reads a message, in order (each step blanks what it used so later steps cannot reuse it):
emoji -> words, number words -> digits, time of day, day, pain, effort numbers, durations and
distances, counts, a bare number as minutes, effort words, done/skipped, then the activity.
Whatever is left becomes the notes, minus filler words at the edges ("did the", "in").

Documented decisions:
- Effort words map to RPE: very easy/recovery 2, easy/gentle/light/relaxed 3, comfortable 4,
  moderate/steady/medium 5, tempo 6, threshold 7, hard/tough 8, very hard/intense 9,
  all out/max/flat out/sprint 10. effort_word is the bucket: RPE <= 4 easy, 5-6 moderate, >= 7 hard,
  and is only set when the user used a word.
- Out-of-range numbers are rejected, never clamped: "pain 15" gives pain None, "rpe 12" effort None,
  "900 hours" minutes None; the rejected text stays in the notes so the bot can show it.
- A weekday is days back from `today`, 0..6; the same weekday as today is 0 (today).
  "N days ago" allows 0..13 (MAX_DAYS_AGO); beyond that the day is ignored (0).
- A bare "yes"/"no" (the whole message) reads as done/skipped with confidence 0.6.
- Notes are the lowercased, normalised leftover text; for an unknown activity ("other") they are
  the user's original text instead.
- Only the first SCAN_CHARS characters are read; anything after goes to the notes unread.
- A bare "done"/"skipped" has no activity of its own: activity_id is "other", and the caller takes
  the activity from the nudge being replied to.
- Only the first duration and the first distance count; further ones stay in the notes.
- Sessions win over activities when both have the same phrase, and a named session is preferred over
  an activity mentioned in the same message ("glute circuit at the gym" -> the session).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Literal

from rapidfuzz import fuzz, process

from bot.coach.numbers import (
    BARE_MINUTES_MAX,
    BARE_NUMBER_RE,
    COUNT_RE,
    QUANTITY_RULES,
    Quantity,
    words_to_digits,
)

OTHER = "other"
# Fields are read from the first SCAN_CHARS characters only; the rest goes to the notes as written.
# A log states its facts up front, and this keeps a 4,096-character message well under 5 ms.
SCAN_CHARS = 1024
MAX_EXACT_TOKENS = 200  # bound the activity scan on long messages
MAX_FUZZY_TOKENS = 40  # fuzzy matching is the costly part; a log names its activity early
FUZZY_SINGLE_CUTOFF = 82.0  # lets "rowign"/"swimmimg" through, keeps "plans" away from "plank"
FUZZY_BIGRAM_CUTOFF = 85.0
FUZZY_MIN_LEN = 5  # short words ("swum", "core") are too close to too many others
LOOKS_LIKE_LOG_THRESHOLD = 0.7
MAX_DAYS_AGO = 13  # "N days ago" beyond two weeks is more likely a typo than a late log

Status = Literal["done", "skipped", "logged"]


@dataclass(frozen=True)
class Term:
    """One thing a user can name: an activity, or a session of an activity."""

    id: str
    activity_id: str
    phrases: tuple[str, ...]
    is_session: bool = False


@dataclass(frozen=True)
class LogEntry:
    activity_id: str
    session_id: str | None
    minutes: float | None
    distance_km: float | None
    effort: int | None
    effort_word: str | None
    pain: int | None
    day_offset: int
    status: Status
    notes: str
    confidence: float


@dataclass(frozen=True)
class CouldNotRead:
    reason: str


# --- text normalisation ------------------------------------------------------------------------

_EMOJI_WORDS = {
    "🏊": " swim ", "🚴": " bike ", "🚲": " bike ", "🚵": " mountain bike ", "🚣": " row ",
    "🥾": " hike ", "⛰": " hike ", "🏔": " hike ", "🚶": " walk ", "🏋": " weights ",
    "💪": " strength ", "🧘": " yoga ", "🏸": " badminton ", "⛷": " ski erg ", "🎿": " ski erg ",
    "🤸": " balance ", "🏃": " run ", "✅": " done ", "✔": " done ", "☑": " done ", "👍": " done ",
    "❌": " skipped ", "✖": " skipped ", "🚫": " skipped ",
    "’": "'", "‘": "'", "′": "'", "´": "'", "`": "'",
}  # fmt: skip
# Joiners, variation selectors, gender signs and skin tones only decorate the emoji above.
_EMOJI_NOISE = ["\u200d", "\ufe0f", "\ufe0e", "\u2640", "\u2642"] + [
    chr(c) for c in range(0x1F3FB, 0x1F400)
]
_TRANSLATE = str.maketrans({**_EMOJI_WORDS, **dict.fromkeys(_EMOJI_NOISE, "")})


def _normalise(text: str) -> tuple[str, str]:
    """(head to read fields from, tail kept for the notes), both lowercase."""
    head, tail = text[:SCAN_CHARS], text[SCAN_CHARS:]
    head = head.translate(_TRANSLATE)
    if not unicodedata.is_normalized("NFKC", head):
        # Cut again: NFKC can grow a character up to 18-fold ("\ufdfa").
        head = unicodedata.normalize("NFKC", head)[:SCAN_CHARS]
    return words_to_digits(head.lower()), tail.lower().strip()


# --- scratch: the text with used spans blanked -------------------------------------------------


@dataclass
class _Scratch:
    text: str  # normalised text; notes are cut from it
    tail: str = ""  # text past SCAN_CHARS: not read, only kept in the notes
    work: str = ""  # same length as text, used spans blanked to spaces
    dropped: list[tuple[int, int]] = field(default_factory=list)  # spans left out of the notes
    has_digits: bool = False  # most rules need a digit; skipping them keeps long chat cheap

    def __post_init__(self) -> None:
        self.work = self.text
        self.has_digits = _DIGIT_RE.search(self.text) is not None

    def blank(self, spans: Iterable[tuple[int, int]], *, drop: bool = True) -> None:
        spans = sorted(spans)
        if not spans:
            return
        pieces, last = [], 0
        for start, end in spans:
            pieces += [self.work[last:start], " " * (end - start)]
            last = end
        pieces.append(self.work[last:])
        self.work = "".join(pieces)
        if drop:
            self.dropped.extend(spans)

    def take_first(
        self,
        pattern: re.Pattern[str],
        read: Callable[[re.Match[str]], int | None],
        group: int | str = 0,
    ) -> tuple[int | None, bool]:
        """Read the first match; (value, found). A rejected value stays in the notes."""
        m = pattern.search(self.work)
        if m is None:
            return None, False
        value = read(m)
        self.blank([m.span()], drop=False)
        self.dropped.append(m.span(group) if value is not None else (m.start(), m.start()))
        return value, True


# --- day -----------------------------------------------------------------------------------------

_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_TIME_OF_DAY_RE = re.compile(
    r"(?:\bat\s+)?(?<![\d:.])\d{1,2}(?::[0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])"
    r"|\bat\s+\d{1,2}:[0-5]\d(?![\d:])"
)
_DAY_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], date], int | None]], ...] = (
    (re.compile(r"\b(?:the\s+)?day\s+before\s+yesterday\b"), lambda m, t: 2),
    (
        re.compile(r"\b(?:yesterday|yday|yest)(?:\s+(?:morning|afternoon|evening|night))?\b"),
        lambda m, t: 1,
    ),
    (re.compile(r"\blast\s+night\b"), lambda m, t: 1),
    (
        re.compile(r"\b(\d{1,3})\s+days?\s+ago\b"),
        lambda m, t: int(m[1]) if int(m[1]) <= MAX_DAYS_AGO else None,
    ),
    (
        re.compile(
            r"\b(?:earlier\s+)?today\b|\bthis\s+(?:morning|afternoon|evening|lunchtime)\b"
            r"|\btonight\b|\bearlier\b"
        ),
        lambda m, t: 0,
    ),
    (
        re.compile(
            r"\b(?:on|last|this\s+past)\s+(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)\b"
            r"|\b(?:on\s+|last\s+|this\s+past\s+)?(monday|tuesday|wednesday|thursday|friday"
            r"|saturday|sunday|tues|weds|thurs)(?:'s)?\b"
        ),
        lambda m, t: (t.weekday() - _WEEKDAYS[m[1] or m[2]]) % 7,
    ),
)


def _read_day(s: _Scratch, today: date) -> int:
    for pattern, read in _DAY_RULES:
        value, found = s.take_first(pattern, _on_day(read, today))
        if found and value is not None:
            return value
    return 0


def _on_day(
    read: Callable[[re.Match[str], date], int | None], today: date
) -> Callable[[re.Match[str]], int | None]:
    # A function of its own, so each rule's reader is bound now rather than when it is called.
    return lambda m: read(m, today)


# --- pain and effort -----------------------------------------------------------------------------

_SCORE = r"(?P<v>\d{1,3}(?:\.\d)?)"


def _score(lo: int, hi: int) -> Callable[[re.Match[str]], int | None]:
    def read(m: re.Match[str]) -> int | None:
        value = float(m["v"])
        # int(x + 0.5): round half up, so "rpe 6.5" reads as 7 (Python's round() would give 6)
        return int(value + 0.5) if lo <= value <= hi else None

    return read


_NO_PAIN_RE = re.compile(
    r"\b(?:no|zero|0)\s+(?:pain|niggles?)\b|\bpain[\s-]*free\b|\bpainless\b|\bdidn'?t\s+hurt\b"
)
_PAIN_RULES: tuple[tuple[re.Pattern[str], int | str], ...] = (
    (re.compile(rf"\bpain\s*(?:[:=]|of|was|at|level|score)?\s*{_SCORE}(?:\s*/\s*10)?"), 0),
    (re.compile(rf"(?<![\d.]){_SCORE}\s*/\s*10\s*(?:pain|hurt)\b"), 0),
    # "shin hurt 4/10": only the score is used, so "shin hurt" stays in the notes
    (
        re.compile(
            rf"\b(?:hurts?|hurting|sore|ache|aches|aching|achy|niggle|niggly|twinge|pain|painful)"
            rf"\b[^0-9\n]{{0,15}}?(?P<used>(?<![\d.]){_SCORE}\s*/\s*10)"
        ),
        "used",
    ),
)
_EFFORT_NUMBER_RULES = (
    re.compile(rf"\b(?:rpe|effort|exertion)\s*(?:[:=@]|of|was|at)?\s*{_SCORE}(?:\s*/\s*10)?"),
    re.compile(rf"(?<![\d.]){_SCORE}\s*(?:/\s*10\s*)?(?:rpe|effort|exertion)\b"),
    re.compile(rf"(?<![\d.]){_SCORE}\s*/\s*10(?![\d])"),
)
_EFFORT_WORDS = {
    "very easy": 2, "super easy": 2, "recovery": 2, "easy": 3, "easyish": 3, "gentle": 3,
    "light": 3, "relaxed": 3, "comfortable": 4, "moderate": 5, "steady": 5, "medium": 5,
    "tempo": 6, "threshold": 7, "hard": 8, "tough": 8, "very hard": 9, "intense": 9,
    "all out": 10, "all-out": 10, "max effort": 10, "maximal": 10, "flat out": 10, "sprint": 10,
}  # fmt: skip
_EFFORT_WORD_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _EFFORT_WORDS), key=len, reverse=True)) + r")\b"
)


def _effort_bucket(rpe: int) -> str:
    return "easy" if rpe <= 4 else "moderate" if rpe <= 6 else "hard"


def _read_pain(s: _Scratch) -> int | None:
    if s.take_first(_NO_PAIN_RE, lambda m: 0)[1]:
        return 0
    if not s.has_digits:
        return None
    for pattern, group in _PAIN_RULES:
        value, found = s.take_first(pattern, _score(0, 10), group)
        if found:
            return value
    return None


def _read_effort_number(s: _Scratch) -> int | None:
    if not s.has_digits:
        return None
    for pattern in _EFFORT_NUMBER_RULES:
        value, found = s.take_first(pattern, _score(1, 10))
        if found:
            return value
    return None


# --- quantities ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Amounts:
    minutes: float | None
    distance_km: float | None
    from_bare_number: bool  # "yoga 20": a guess, so it counts for less confidence
    counted: bool  # "20 laps": an amount, though neither time nor distance


def _read_quantities(s: _Scratch) -> _Amounts:
    if not s.has_digits:
        return _Amounts(None, None, from_bare_number=False, counted=False)
    found: list[tuple[int, tuple[int, int], Quantity]] = []
    for pattern, convert in QUANTITY_RULES:
        matches = list(pattern.finditer(s.work))
        for m in matches:
            q = convert(m)
            if q is not None:
                found.append((m.start(), m.span(), q))
        s.blank((m.span() for m in matches), drop=False)
    found.sort(key=lambda f: f[0])
    mins = next((f for f in found if f[2].kind == "minutes"), None)
    dist = next((f for f in found if f[2].kind == "km"), None)
    s.dropped.extend(f[1] for f in (mins, dist) if f is not None)
    counts = [m.span() for m in COUNT_RE.finditer(s.work)]
    s.blank(counts, drop=False)
    minutes = mins[2].value if mins else None
    bare = False
    if minutes is None:
        number = BARE_NUMBER_RE.search(s.work)
        if number is not None and 0 < float(number[1]) <= BARE_MINUTES_MAX:
            minutes, bare = float(number[1]), True
            s.blank([number.span()])
    return _Amounts(minutes, dist[2].value if dist else None, bare, bool(counts))


# --- status --------------------------------------------------------------------------------------

_SKIP_RE = re.compile(
    r"\b(?:skipped|skip|skipping|missed(?:\s+it)?|bailed|no\s+time|not\s+today|rest\s+day|rested"
    r"|(?:did\s*n[o']?t|couldn'?t|could\s+not|wasn'?t\s+able\s+to)"
    r"\s+(?:do|make|manage|get|go|fit)(?:\s+it)?)\b"
    r"|\b(?:did\s*n[o']?t|couldn'?t)(?=\W*$)"
)
_DONE_RE = re.compile(
    r"\b(?:done|did\s+it|finished|completed?|nailed\s+it|smashed\s+it|got\s+it\s+done)\b"
)
_BARE_YES_RE = re.compile(r"\W*(?:yes|yep|yup|yeah|ya|y)\W*")
_BARE_NO_RE = re.compile(r"\W*(?:no|nope|nah|n)\W*")

# --- activity ------------------------------------------------------------------------------------

_DIGIT_RE = re.compile(r"[0-9]")
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_SUFFIXES = ("ing", "ed", "es", "s", "e")
# Common words a fuzzy match would otherwise pull towards an activity name.
_NOT_ACTIVITY_WORDS = (
    "after again around before course crossed felt great other plans really ridge rider "
    "right still swing water where while legs knees shins calves quads morning evening "
    "session workout minutes hours today tomorrow"
)
_NOT_ACTIVITIES = frozenset(_NOT_ACTIVITY_WORDS.split())


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """Crude suffix stripping so "rowing"/"rows"/"hiked"/"bikes" meet "row"/"hike"/"bike"."""
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        else:
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # "swimm" -> "swim", "spinn" -> "spin"
    return word


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


_Key = tuple[str, ...]  # the words of a phrase


def _prefer(table: dict[_Key, Term], key: _Key, term: Term) -> None:
    held = table.get(key)
    if held is None or (term.is_session and not held.is_session):
        table[key] = term


class Vocabulary:
    """The names a user can log, indexed once for exact, stemmed and fuzzy lookup."""

    def __init__(self, terms: Iterable[Term]) -> None:
        exact: dict[_Key, Term] = {}
        stems: dict[_Key, Term] = {}
        for term in terms:
            for phrase in term.phrases:
                toks = tuple(_tokens(phrase))
                if not toks:
                    continue
                _prefer(exact, toks, term)
                # Every word stemmed, so "pool run" and "aqua jog" meet "pool running" and
                # "aqua jogging" instead of falling apart into "run" and "jog" (land running).
                _prefer(stems, tuple(_stem(t) for t in toks), term)
        self._exact = exact
        self._stems = stems
        self._max_len = max((len(k) for k in exact), default=1)
        # Fuzzy candidates grouped by first letter: typos rarely hit the first letter, and the
        # grouping both guards against false matches and shrinks the search.
        singles: dict[str, tuple[list[str], list[Term]]] = {}
        bigrams: dict[str, tuple[list[str], list[Term]]] = {}
        for toks, term in exact.items():
            phrase = " ".join(toks)
            if len(phrase) < FUZZY_MIN_LEN:
                continue
            for table in (singles, bigrams) if len(toks) == 2 else (singles,):
                names, owners = table.setdefault(phrase[0], ([], []))
                names.append(phrase)
                owners.append(term)
        self._fuzzy_singles = singles
        self._fuzzy_bigrams = bigrams

    def exact_at(self, words: list[str], i: int) -> tuple[Term, int] | None:
        """The longest phrase starting at words[i], as (term, number of words): as written, or
        with every word stemmed (a single word only from 4 letters: "rows", not "ran")."""
        for n in range(min(self._max_len, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            term = self._exact.get(key)
            if term is None and (n > 1 or len(key[0]) >= 4):
                term = self._stems.get(tuple(_stem(w) for w in key))
            if term is not None:
                return term, n
        return None

    def fuzzy_at(self, words: list[str], i: int) -> tuple[Term, int] | None:
        if i + 1 < len(words):
            hit = self._fuzzy(
                f"{words[i]} {words[i + 1]}", self._fuzzy_bigrams, FUZZY_BIGRAM_CUTOFF
            )
            if hit is not None:
                return hit, 2
        word = words[i]
        if len(word) < FUZZY_MIN_LEN or word in _NOT_ACTIVITIES:
            return None
        hit = self._fuzzy(word, self._fuzzy_singles, FUZZY_SINGLE_CUTOFF)
        return (hit, 1) if hit is not None else None

    @staticmethod
    def _fuzzy(
        query: str, table: dict[str, tuple[list[str], list[Term]]], cutoff: float
    ) -> Term | None:
        group = table.get(query[0])
        if group is None:
            return None
        best = process.extractOne(query, group[0], scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return None
        return group[1][best[2]]


@dataclass(frozen=True)
class _Match:
    term: Term
    span: tuple[int, int]
    fuzzy: bool


def _find_activity(s: _Scratch, vocab: Vocabulary) -> tuple[_Match | None, bool]:
    """(primary match, whether another activity is also named)."""
    found = [(m.group(), m.span()) for m in islice(_TOKEN_RE.finditer(s.work), MAX_EXACT_TOKENS)]
    words = [w for w, _ in found]
    matches: list[_Match] = []
    for lookup, limit, fuzzy in (
        (vocab.exact_at, len(words), False),
        (vocab.fuzzy_at, min(len(words), MAX_FUZZY_TOKENS), True),
    ):
        i = 0
        while i < limit:
            hit = lookup(words, i)
            if hit is None:
                i += 1
                continue
            term, n = hit
            matches.append(_Match(term, (found[i][1][0], found[i + n - 1][1][1]), fuzzy))
            i += n
        if matches:
            break
    if not matches:
        return None, False
    primary = next((m for m in matches if m.term.is_session), matches[0])
    s.blank([primary.span])
    others = any(m.term.activity_id != primary.term.activity_id for m in matches)
    return primary, others


# --- notes and confidence --------------------------------------------------------------------

_FILLER_WORDS = (
    "i i've ive we did do went go gone had got have a an the in for of at on my some just "
    "and then also today about around approx approximately roughly ~ was it its quick "
    "session workout total done finished completed a.m. p.m. +"
)
_FILLERS = frozenset(_FILLER_WORDS.split())
_EDGE_DROP = _FILLERS | {""}
_EDGE_PUNCT = " \t\n,.;:!-–—()[]{}\"'*/|&+~"
_HEDGE_RE = re.compile(
    r"\?|\b(?:tomorrow|will|going\s+to|gonna|plan|planning|should|shall|could|can\s+i|want\s+to"
    r"|wanna|thinking|next|maybe|later|how|what|why|when)\b"
)


def _notes(s: _Scratch) -> str:
    spans = sorted(sp for sp in s.dropped if sp[1] > sp[0])
    pieces, last = [], 0
    for start, end in spans:
        if start > last:
            pieces.append(s.text[last:start])
        last = max(last, end)
    pieces.append(s.text[last:])
    kept = []
    for piece in pieces:
        words = piece.split()
        while words and words[0].strip(_EDGE_PUNCT) in _EDGE_DROP:
            words.pop(0)
        while words and words[-1].strip(_EDGE_PUNCT) in _EDGE_DROP:
            words.pop()
        if words:
            kept.append(" ".join(words))
    if s.tail:
        kept.append(s.tail)
    return " ".join(kept).strip(_EDGE_PUNCT)


def _confidence(
    *,
    match: _Match | None,
    also_other_activity: bool,
    quantity: bool,
    bare_number: bool,
    counted: bool,
    extras: int,
    notes: str,
    text: str,
    tail: str,
) -> float:
    score = 0.0
    if match is not None:
        score += 0.4 if match.fuzzy else 0.55
        score += 0.15 if match.term.is_session else 0.0
        score -= 0.15 if also_other_activity else 0.0
    if quantity:
        score += 0.15 if bare_number else 0.3
    elif counted:
        score += 0.15
    score += 0.05 * extras
    # Much unexplained text means this may be chat that happens to name an activity.
    total = max(1, len(text.split()) + len(tail.split()))
    leftover = len(notes.split()) / total
    score *= 1 - 0.5 * max(0.0, leftover - 0.3)
    if _HEDGE_RE.search(text):
        score *= 0.4  # questions and plans are not logs
    return round(min(1.0, max(0.0, score)), 2)


# --- entry points --------------------------------------------------------------------------------


def parse_log(text: str, vocab: Vocabulary, today: date) -> LogEntry | CouldNotRead:
    """Read one free-text message as a session log. Never raises on any string."""
    if not isinstance(text, str) or not text.strip():
        return CouldNotRead("empty")
    s = _Scratch(*_normalise(text))
    if not s.text.strip():
        return CouldNotRead("empty")

    if _BARE_YES_RE.fullmatch(s.text):
        return _bare("done", 0.6)
    if _BARE_NO_RE.fullmatch(s.text):
        return _bare("skipped", 0.6)

    if s.has_digits:
        s.blank((m.span() for m in _TIME_OF_DAY_RE.finditer(s.work)), drop=False)
    day_offset = _read_day(s, today)
    pain = _read_pain(s)
    effort = _read_effort_number(s)
    amounts = _read_quantities(s)
    minutes, distance = amounts.minutes, amounts.distance_km

    effort_word = None
    m = _EFFORT_WORD_RE.search(s.work)
    if m is not None:
        rpe = _EFFORT_WORDS[m[1]]
        effort_word = _effort_bucket(rpe)
        effort = effort if effort is not None else rpe
        s.blank([m.span()])

    skipped = _SKIP_RE.search(s.work)
    if skipped is not None:
        s.blank([skipped.span()])
    done = _DONE_RE.search(s.work)
    if done is not None:
        s.blank([done.span()])

    match, also_other = _find_activity(s, vocab)
    quantity = minutes is not None or distance is not None
    if skipped is not None:
        status: Status = "skipped"
    elif done is not None and match is None and not quantity:
        status = "done"
    else:
        status = "logged"

    has_extras = effort is not None or pain is not None
    if match is None and not quantity and status == "logged" and not has_extras:
        return CouldNotRead("no activity, duration or status found")

    notes = _notes(s)
    if status == "logged":
        confidence = _confidence(
            match=match,
            also_other_activity=also_other,
            quantity=quantity,
            bare_number=amounts.from_bare_number,
            counted=amounts.counted,
            extras=sum(x is not None for x in (effort, pain)) + (day_offset != 0),
            notes=notes,
            text=s.text,
            tail=s.tail,
        )
    else:
        confidence = 0.85 if not _HEDGE_RE.search(s.text) else 0.3
    if match is None and status == "logged":
        notes = text.strip()  # an unknown activity keeps the user's own words
    return LogEntry(
        activity_id=match.term.activity_id if match else OTHER,
        session_id=match.term.id if match and match.term.is_session else None,
        minutes=minutes,
        distance_km=distance,
        effort=effort,
        effort_word=effort_word,
        pain=pain,
        day_offset=day_offset,
        status=status,
        notes=notes,
        confidence=confidence,
    )


def _bare(status: Status, confidence: float) -> LogEntry:
    return LogEntry(OTHER, None, None, None, None, None, None, 0, status, "", confidence)


def looks_like_log(text: str, vocab: Vocabulary) -> bool:
    """For plain text that is not a reply: is it clearly a log, with no question needed?

    It must name a known activity and say how much (or name a session), or be an explicit skip of a
    known activity. A bare "done" is not enough here: without a reply there is nothing it refers to.
    """
    entry = parse_log(text, vocab, date(2000, 1, 3))  # the day does not affect the answer
    if not isinstance(entry, LogEntry) or entry.activity_id == OTHER:
        return False
    if entry.status == "skipped":
        return entry.confidence >= LOOKS_LIKE_LOG_THRESHOLD
    has_amount = (
        entry.minutes is not None or entry.distance_km is not None or entry.session_id is not None
    )
    return has_amount and entry.confidence >= LOOKS_LIKE_LOG_THRESHOLD
