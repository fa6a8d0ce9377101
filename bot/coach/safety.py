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

from bot.content.models import PHASES, ContentPack, Nudge, Rule, Session, localize

Verdict = Literal["ok", "caution", "avoid"]

_SEVERITY: dict[str, int] = {"ok": 0, "caution": 1, "avoid": 2}

# With an injury but no phase we assume the most irritable phase: guessing "settling" could let
# through something that would hurt.
DEFAULT_PHASE = "acute"
FALLBACK_CONDITION = "not_sure"


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


def _phase_rules(pack: ContentPack, condition_id: str, phase: str | None) -> list[Rule]:
    condition = pack.conditions.get(condition_id)
    if condition is None:
        # A condition removed from the pack after a user chose it must not crash the coach, nor
        # silently clear every restriction: fall back to the conservative "not sure" rules.
        condition = pack.conditions.get(FALLBACK_CONDITION)
        if condition is None:
            raise KeyError(f"unknown condition '{condition_id}'")
    chosen = phase if phase in PHASES else DEFAULT_PHASE
    return list(condition.phases.get(chosen, []))


def _assess_targets(rules: Iterable[Rule], targets: set[str], lang: str) -> Assessment:
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


def session_targets(pack: ContentPack, session: Session) -> set[str]:
    """Everything a rule can match on a session: its activity id and `tag:<t>` per load tag."""
    return {session.activity} | {f"tag:{tag}" for tag in pack.session_load_tags(session)}


def assess_session(
    pack: ContentPack,
    session: Session,
    condition_id: str | None,
    phase: str | None,
    lang: str = "en",
) -> Assessment:
    """Judge a session for a user with `condition_id` in `phase` (None = not injured = ok)."""
    if condition_id is None:
        return OK
    rules = _phase_rules(pack, condition_id, phase)
    return _assess_targets(rules, session_targets(pack, session), lang)


def allowed_sessions(
    pack: ContentPack, condition_id: str | None, phase: str | None
) -> list[Session]:
    """Sessions whose verdict is not `avoid`, in pack order."""
    return [
        session
        for session in pack.sessions.values()
        if assess_session(pack, session, condition_id, phase).allowed
    ]


def nudge_is_safe(
    pack: ContentPack, nudge: Nudge, condition_id: str | None, phase: str | None = None
) -> bool:
    """A habit is unsafe if the author listed the condition in `unsafe_for`; with a phase given,
    also if its linked exercise carries a load tag the condition avoids in that phase."""
    if condition_id is None:
        return True
    if condition_id in nudge.unsafe_for:
        return False
    if phase is None or nudge.exercise is None:
        return True
    exercise = pack.exercises.get(nudge.exercise)
    if exercise is None:
        return True
    targets = {f"tag:{tag}" for tag in exercise.load_tags}
    return _assess_targets(_phase_rules(pack, condition_id, phase), targets, "en").allowed
