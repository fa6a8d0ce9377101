"""Injury safety: may this user, with this injury in this phase, do this session or habit?

Pure functions over the content pack. A session is judged on its activity id and every load tag
it carries (the activity's, its own and those of every exercise in its blocks). Each condition
rule that matches contributes its verdict; the worst verdict wins, so adding content can never
make an existing restriction weaker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.coach.phases import FALLBACK_CONDITION, condition_of
from bot.content.models import PHASES, ContentPack, Nudge, Phase, Rule, Session, localize

Verdict = Literal["ok", "caution", "avoid"]
# "normal": the phase's rules. "protect": a warning sign is unresolved or pain is high, so only
# work that spares the injured area (the condition's protect rules on top of its first phase).
# "emergency": a sign that needs urgent care now, so no exercise at all.
Mode = Literal["normal", "protect", "emergency"]

_SEVERITY: dict[str, int] = {"ok": 0, "caution": 1, "avoid": 2}

# With an injury but no phase we assume the most irritable phase: guessing "settling" could let
# through something that would hurt.
DEFAULT_PHASE: Phase = "acute"
__all__ = ["DEFAULT_PHASE", "FALLBACK_CONDITION", "OK", "Assessment", "Mode", "allowed_sessions",
           "assess_session", "nudge_is_safe", "session_targets"]


@dataclass(frozen=True)
class Assessment:
    """The verdict for one session, with the notes to show the user and the sources behind it."""

    verdict: Verdict
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # source ids from the pack

    @property
    def allowed(self) -> bool:
        return self.verdict != "avoid"


OK = Assessment("ok")
EMERGENCY = Assessment("avoid", ["No exercise until you have been seen urgently."])


def _rules(pack: ContentPack, condition_id: str, phase: str | None, mode: Mode) -> list[Rule]:
    condition = condition_of(pack, condition_id)
    if mode == "protect":
        # The first phase's restrictions still hold; protect only ever adds to them.
        return [*condition.protect, *condition.phases.get("acute", [])]
    return list(condition.phases.get(_known_phase(phase), []))


def _known_phase(phase: str | None) -> Phase:
    """`phase` if it is one the pack knows, else DEFAULT_PHASE (phases are stored as text)."""
    for known in PHASES:
        if phase == known:
            return known
    return DEFAULT_PHASE


def _assess_targets(rules: Iterable[Rule], targets: set[str] | frozenset[str],
                    lang: str) -> Assessment:
    matched = [rule for rule in rules if rule.target in targets]
    if not matched:
        return OK
    worst = max(matched, key=lambda rule: _SEVERITY[rule.verdict]).verdict
    notes: list[str] = []
    sources: list[str] = []
    # Avoid notes first: they explain the verdict; caution notes follow as advice.
    for verdict in ("avoid", "caution"):
        for rule in matched:
            if rule.verdict == verdict and rule.note is not None:
                note = localize(rule.note, lang)
                if note not in notes:
                    notes.append(note)
    for rule in matched:
        if rule.verdict == worst and rule.source not in sources:
            sources.append(rule.source)
    return Assessment(worst, notes, sources)


_Key = tuple[str, str | None, str, str]


def _caches(pack: ContentPack) -> tuple[dict[str, frozenset[str]], dict[_Key, Assessment]]:
    """Per pack: session id -> targets, and (condition, phase, mode, session id) -> Assessment."""
    return pack.memo("safety.targets"), pack.memo("safety.verdicts")


def session_targets(pack: ContentPack, session: Session) -> frozenset[str]:
    """Everything a rule can match on a session: its activity id and `tag:<t>` per load tag."""
    targets_cache, _ = _caches(pack)
    own = pack.sessions.get(session.id) is session
    if own and session.id in targets_cache:
        return targets_cache[session.id]
    targets = frozenset({session.activity} | {f"tag:{t}" for t in pack.session_load_tags(session)})
    if own:
        targets_cache[session.id] = targets
    return targets


def assess_session(
    pack: ContentPack,
    session: Session,
    condition_id: str | None,
    phase: str | None,
    lang: str = "en",
    mode: Mode = "normal",
) -> Assessment:
    """Judge a session for a user with `condition_id` in `phase` (None = not injured = ok)."""
    if mode == "emergency":
        return EMERGENCY
    if condition_id is None:
        return OK
    own = lang == "en" and pack.sessions.get(session.id) is session
    key = (condition_id, phase, mode, session.id)
    _, verdicts = _caches(pack)
    if own and key in verdicts:
        return verdicts[key]
    result = _assess_targets(_rules(pack, condition_id, phase, mode),
                             session_targets(pack, session), lang)
    if own:
        verdicts[key] = result
    return result


def allowed_assessments(
    pack: ContentPack, condition_id: str | None, phase: str | None, mode: Mode = "normal",
) -> tuple[tuple[Session, Assessment], ...]:
    """Every pack session whose verdict is not `avoid`, with its assessment, in pack order;
    computed once per (condition, phase, mode), since the pack never changes."""
    memo: dict[tuple[str | None, str | None, str], tuple[tuple[Session, Assessment], ...]] = \
        pack.memo("safety.allowed")
    key = (condition_id, phase, mode)
    found = memo.get(key)
    if found is None:
        found = memo[key] = tuple(
            (session, verdict) for session in pack.sessions.values()
            if (verdict := assess_session(pack, session, condition_id, phase,
                                          mode=mode)).allowed
        )
    return found


def allowed_sessions(
    pack: ContentPack, condition_id: str | None, phase: str | None, mode: Mode = "normal",
) -> list[Session]:
    """Sessions whose verdict is not `avoid`, in pack order."""
    return [session for session, _ in allowed_assessments(pack, condition_id, phase, mode)]


def nudge_is_safe(
    pack: ContentPack, nudge: Nudge, condition_id: str | None, phase: str | None = None,
    mode: Mode = "normal",
) -> bool:
    """A habit is unsafe if the author listed the condition in `unsafe_for`, or if the load it
    carries (its own tags and its linked exercise's) is avoided in this phase or mode."""
    if mode == "emergency":
        return False
    if condition_id is None:
        return True
    own = pack.nudges.get(nudge.id) is nudge
    key = (condition_id, phase, mode, nudge.id)
    habits: dict[_Key, bool] = pack.memo("safety.habits")
    if own and key in habits:
        return habits[key]
    safe = _nudge_is_safe(pack, nudge, condition_id, phase, mode)
    if own:
        habits[key] = safe
    return safe


def _nudge_is_safe(pack: ContentPack, nudge: Nudge, condition_id: str, phase: str | None,
                   mode: Mode) -> bool:
    if condition_id in nudge.unsafe_for:
        return False
    tags = set(nudge.load_tags)
    exercise = pack.exercises.get(nudge.exercise) if nudge.exercise else None
    if exercise is not None:
        tags.update(exercise.load_tags)
    targets = {f"tag:{tag}" for tag in tags}
    rules = _rules(pack, condition_id, phase, mode)
    return _assess_targets(rules, targets, "en").allowed
