"""The log parser's vocabulary, built from the content pack: what a user can name in a log.

Three sources, in order of precedence when two of them claim the same phrase:
1. activities: the English name and every alias, plus irregular past tenses of their verbs
   ("swam", "rode", "ran"), which the parser's suffix stemming cannot reach;
2. sessions: the English title, and a short form without the structure ("Turbo tempo: 2 x 12
   minutes" -> "turbo tempo", "Lower-body strength, level 1" -> "lower-body strength"). A short
   form shared by several sessions of one activity names the activity, not a session;
3. exercises people write in logs ("plank 3x1min", "did squats"): each exercise name, plus the
   common head words in LOG_WORDS, logged as the activity whose sessions use the exercise most.

A phrase already taken by an earlier source is not reused by a later one, so "turbo 30" stays a
turbo ride rather than becoming the session "Turbo: 8 x 1 minute", and an exercise never hides an
activity ("supported one-arm row" may not claim "row").

Pure: no I/O. Build once per pack; `build_vocabulary` caches the result on the pack's identity.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from bot.coach.log_parser import Term, Vocabulary
from bot.content import ContentPack, Session

# Irregular verb forms: stemming turns "rowed" into "row" but cannot turn "swam" into "swim".
IRREGULAR_FORMS: dict[str, tuple[str, ...]] = {
    "swim": ("swam", "swum"),
    "ride": ("rode", "ridden"),
    "run": ("ran",),
    "jog": ("jogged",),
    "lift": ("lifted",),
}
# Head words of exercises that runners write in logs on their own ("3x10 squats").
LOG_WORDS: tuple[str, ...] = (
    "squat", "lunge", "plank", "bridge", "crunch", "deadlift", "push up", "calf raise",
    "step up", "clams", "nordic", "wall sit", "bird dog", "dead bug",
)  # fmt: skip
# Exercises are logged as their activity only when it is gym or floor work; a lateral shuffle in
# a squash warm-up does not make "shuffle" mean squash.
_EXERCISE_ACTIVITY_KINDS = frozenset({"strength", "balance_agility", "mobility"})
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Structure words that are left once the numbers are gone from "8 x 1 minute".
_STRUCTURE_WORDS = frozenset(
    {"x", "minute", "minutes", "min", "mins", "second", "seconds", "sec", "secs", "up", "level"}
)
MIN_SINGLE_WORD = 3
MAX_PLURAL_WORDS = 3
_CACHE_SIZE = 4
_cache: list[tuple[ContentPack, Vocabulary]] = []


def build_vocabulary(pack: ContentPack) -> Vocabulary:
    """The parser vocabulary for `pack`, built on first use and reused for the same pack object."""
    for cached_pack, vocab in _cache:
        if cached_pack is pack:
            return vocab
    vocab = Vocabulary(vocabulary_terms(pack))
    _cache.append((pack, vocab))
    del _cache[:-_CACHE_SIZE]  # content reloads are rare; keep the last few packs only
    return vocab


def vocabulary_terms(pack: ContentPack) -> list[Term]:
    """Every Term the pack offers (see the module docstring for precedence)."""
    taken: set[str] = set()
    terms = list(_activity_terms(pack, taken))
    terms += _session_terms(pack, taken)
    terms += _exercise_terms(pack, taken)
    return terms


def exercise_activities(pack: ContentPack) -> dict[str, str]:
    """Exercise id -> the activity whose sessions use it most (main blocks count first)."""
    main: dict[str, Counter[str]] = defaultdict(Counter)
    anywhere: dict[str, Counter[str]] = defaultdict(Counter)
    for session in pack.sessions.values():
        activity = pack.activities.get(session.activity)
        if activity is None or activity.kind not in _EXERCISE_ACTIVITY_KINDS:
            continue
        for block in session.main:
            for exercise_id in block.exercises:
                main[exercise_id][session.activity] += 1
        for block in session.blocks:
            for exercise_id in block.exercises:
                anywhere[exercise_id][session.activity] += 1
    result: dict[str, str] = {}
    for exercise_id in pack.exercises:
        counts = main.get(exercise_id) or anywhere.get(exercise_id)
        if counts:
            # most_common keeps first-seen order on ties, i.e. the pack's session order.
            result[exercise_id] = counts.most_common(1)[0][0]
    return result


def _key(phrase: str) -> str:
    """Phrases compare as the parser sees them: lowercase word tokens, no digits or punctuation."""
    return " ".join(_TOKEN_RE.findall(phrase.lower()))


def _usable(key: str) -> bool:
    """Single letters ("a skip", "t drill") and two-letter words alone ("it", the UK name for
    tag) are everyday English, and would turn chat into logs."""
    words = key.split()
    if not words or any(len(word) == 1 for word in words):
        return False
    return len(words) > 1 or len(key) >= MIN_SINGLE_WORD


def _claim(phrases: Iterable[str], taken: set[str]) -> tuple[str, ...]:
    fresh: list[str] = []
    for phrase in phrases:
        key = _key(phrase)
        if _usable(key) and key not in taken:
            taken.add(key)
            fresh.append(key)
    return tuple(fresh)


def _with_irregular_forms(phrase: str) -> list[str]:
    forms = [phrase]
    words = phrase.split()
    for i, word in enumerate(words):
        for form in IRREGULAR_FORMS.get(word, ()):
            forms.append(" ".join([*words[:i], form, *words[i + 1 :]]))
    return forms


def _activity_terms(pack: ContentPack, taken: set[str]) -> Iterable[Term]:
    for activity in pack.activities.values():
        raw = [activity.id.replace("_", " "), activity.name["en"], *activity.aliases]
        phrases = [form for phrase in raw for form in _with_irregular_forms(_key(phrase))]
        claimed = _claim(phrases, taken)
        if claimed:
            yield Term(id=activity.id, activity_id=activity.id, phrases=claimed)


def short_title(title: str) -> str:
    """A session title without its structure: "Turbo: 8 x 1 minute" -> "turbo"."""
    text = re.sub(r"\(.*?\)", " ", title.lower())
    text = re.sub(r",?\s*level\s*\d+", " ", text)
    head, colon, tail = text.partition(":")
    if colon and re.search(r"\d", tail):
        text = head  # "Rowing tempo: 3 x 5 minutes": the part after the colon is the structure
    text = re.sub(r"\b\d+[-\s]*(?:minutes?|mins?|seconds?)\b", " ", text)  # "15-minute row"
    words = [w for w in _TOKEN_RE.findall(text) if w not in _STRUCTURE_WORDS]
    return " ".join(words)


def _session_terms(pack: ContentPack, taken: set[str]) -> list[Term]:
    full: dict[str, list[Session]] = defaultdict(list)
    short: dict[str, list[Session]] = defaultdict(list)
    for session in pack.sessions.values():
        if session.activity not in pack.activities:
            continue
        full[_key(session.title["en"])].append(session)
        short[short_title(session.title["en"])].append(session)
    terms: list[Term] = []
    shared_short: dict[str, str] = {}  # short form -> the one activity its sessions share
    for session in pack.sessions.values():
        if session.activity not in pack.activities:
            continue
        phrases = []
        title = _key(session.title["en"])
        # A title with numbers or brackets is only worth matching in its short form.
        if len(full[title]) == 1 and not re.search(r"[\d(]", session.title["en"]):
            phrases.append(title)
        brief = short_title(session.title["en"])
        if len(short[brief]) == 1:
            phrases.append(brief)
        elif brief and len({s.activity for s in short[brief]}) == 1:
            shared_short[brief] = session.activity
        claimed = _claim(phrases, taken)
        if claimed:
            terms.append(
                Term(id=session.id, activity_id=session.activity, phrases=claimed, is_session=True)
            )
    by_activity: dict[str, list[str]] = defaultdict(list)
    for brief, activity_id in shared_short.items():
        by_activity[activity_id].append(brief)
    for activity_id, briefs in by_activity.items():
        claimed = _claim(briefs, taken)
        if claimed:
            terms.append(Term(id=activity_id, activity_id=activity_id, phrases=claimed))
    return terms


def _plural(phrase: str) -> str:
    """"goblet squat" -> "goblet squats". Long names ("calf raise off a step") are left alone:
    their plural is not at the end, and nobody types them in full anyway."""
    if phrase.endswith(("s", "ing", "ed")) or len(phrase.split()) > MAX_PLURAL_WORDS:
        return phrase
    return phrase + ("es" if phrase.endswith(("ch", "sh", "x")) else "s")


def _exercise_terms(pack: ContentPack, taken: set[str]) -> list[Term]:
    owners = exercise_activities(pack)
    phrases: dict[str, list[str]] = defaultdict(list)
    head_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for exercise_id, exercise in pack.exercises.items():
        activity_id = owners.get(exercise_id)
        if activity_id is None:
            continue
        name = _key(re.sub(r"\(.*?\)", " ", exercise.name["en"]))
        phrases[activity_id] += [name, _plural(name)]
        padded = f" {name} "
        for word in LOG_WORDS:
            if f" {word} " in padded or f" {word}s " in padded or f" {word}es " in padded:
                head_votes[word][activity_id] += 1
    for word, votes in head_votes.items():
        activity_id = votes.most_common(1)[0][0]
        phrases[activity_id] += [word, _plural(word)]
    terms = []
    for activity_id, names in phrases.items():
        claimed = _claim(names, taken)
        if claimed:
            # The term id is the activity: an exercise is logged as the work it belongs to.
            terms.append(Term(id=activity_id, activity_id=activity_id, phrases=claimed))
    return terms
