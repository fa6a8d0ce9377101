"""The per-pack ranking index changes nothing: `suggest` gives exactly what a straightforward,
unindexed ranking gives.

The reference below filters the whole pack on every call, reading every fact from the pack
itself (each session's verdict, its equipment, its activity's kind and impact, its family), and
scores with the rules of bot/coach/suggest.py written out plainly. For a few hundred seeded
profiles, histories and requests the two must agree exactly: the same picks in the same order,
with the same scores, reasons, notes and fallbacks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

import pytest

from bot.coach import suggest as ranking
from bot.coach.phases import FALLBACK_CONDITION, pain_limits
from bot.coach.profile import MINUTE_CHOICES, RED_FLAG_CONDITION, RED_FLAG_SCREEN, RunnerProfile
from bot.coach.safety import Assessment, assess_session
from bot.coach.suggest import (
    Constraints,
    PastSession,
    Preference,
    SafetyState,
    Suggestion,
    Suggestions,
    feasible_sessions,
    has_equipment,
    is_gentle,
    safety_state,
    suggest,
    time_limit,
)
from bot.content import PHASES, ContentPack, Session, load_pack, localize
from tests.conftest import CONTENT_DIR

SEED = 20260305
PROFILES = 300
TODAY = date(2026, 3, 5)
BUCKET_OF_KIND = {"aerobic": "aerobic", "strength": "strength",
                  "balance_agility": "balance_agility", "sport": "balance_agility"}
BUCKET_WORDS = {"aerobic": "aerobic work", "strength": "strength work",
                "balance_agility": "balance or agility work"}
STATUSES: tuple[Literal["injured", "returning"], ...] = ("injured", "returning")
PREFERENCES: tuple[Preference, ...] = ("shorter", "longer")


# ------------------------------------------------------------------ the unindexed reference


@dataclass
class _Ref:
    pack: ContentPack
    today: date
    state: SafetyState
    limit: int | None
    done: list[PastSession]
    progress: dict[str, tuple[str, str]]  # family -> (target session id, note)
    last_by_bucket: dict[str, date]
    hard_recently: bool
    leg_cardio_allowed: bool = False
    session_days: dict[str, list[int]] = field(default_factory=dict)
    activity_days: dict[str, list[int]] = field(default_factory=dict)


def _family(pack: ContentPack, session_id: str) -> str:
    """The smallest id among the sessions linked to this one by progressions, either way."""
    seen, todo = {session_id}, [session_id]
    while todo:
        session = pack.sessions[todo.pop()]
        linked = [session.progresses_to, session.regresses_to]
        linked += [s.id for s in pack.sessions.values()
                   if session.id in (s.progresses_to, s.regresses_to)]
        for other in linked:
            if other in pack.sessions and other not in seen:
                seen.add(other)
                todo.append(other)
    return min(seen)


def _bucket(pack: ContentPack, activity_id: str) -> str | None:
    activity = pack.activities.get(activity_id)
    return BUCKET_OF_KIND.get(activity.kind) if activity else None


def _hard(session: Session) -> bool:
    return session.intensity in ("intervals", "tempo", "hills")


def _arms_only(pack: ContentPack, session: Session) -> bool:
    activity = pack.activities.get(session.activity)
    return (activity is not None and activity.kind == "aerobic" and not activity.weight_bearing
            and not pack.session_equipment(session))


def _newest_first(logs: Iterable[PastSession]) -> list[PastSession]:
    return [log for _, log in sorted(enumerate(logs), key=lambda pair: (pair[1].performed_on,
                                                                         pair[0]), reverse=True)]


def _ref_progress(pack: ContentPack, done: Sequence[PastSession],
                  during_max: int) -> dict[str, tuple[str, str]]:
    by_family: dict[str, list[PastSession]] = {}
    for log in done:
        if log.session_id in pack.sessions:
            by_family.setdefault(_family(pack, log.session_id), []).append(log)
    result: dict[str, tuple[str, str]] = {}
    for family, logs in by_family.items():
        last = pack.sessions[str(logs[0].session_id)]
        title = localize(last.title)
        if logs[0].pain is not None and logs[0].pain > during_max:
            target = last.regresses_to if last.regresses_to in pack.sessions else last.id
            result[family] = (str(target), f"a step back from {title} after the pain you "
                                           f"reported ({logs[0].pain}/10)")
            continue
        comfortable = 0
        for log in logs:
            if log.session_id != last.id or log.effort is None or log.effort > 5 or log.pain:
                break
            comfortable += 1
        if comfortable >= 2 and last.progresses_to in pack.sessions:
            result[family] = (str(last.progresses_to),
                              f"you're ready to step up from {title}: {comfortable} "
                              f"comfortable, pain-free sessions in a row")
        else:
            result[family] = (last.id, "")
    return result


def _ref_context(pack: ContentPack, profile: RunnerProfile, history: Sequence[PastSession],
                 today: date, limit: int | None, safety_as_of: date | None) -> _Ref:
    since = today - timedelta(days=14)
    done = _newest_first(h for h in history
                         if h.status == "done" and since <= h.performed_on <= today)
    ref = _Ref(pack, today, safety_state(pack, profile, history, safety_as_of or today), limit,
               done, {}, {}, False)
    ref.progress = _ref_progress(pack, done, pain_limits(pack, ref.state.condition_id).during_max)
    for log in done:
        ago = (today - log.performed_on).days
        activity = pack.sessions[log.session_id].activity if log.session_id in pack.sessions \
            else log.activity_id
        bucket = _bucket(pack, activity)
        if bucket is not None:
            ref.last_by_bucket.setdefault(bucket, log.performed_on)
        if log.session_id is not None:
            ref.session_days.setdefault(log.session_id, []).append(ago)
        ref.activity_days.setdefault(log.activity_id, []).append(ago)
        if ago <= 1 and log.session_id in pack.sessions and _hard(pack.sessions[log.session_id]):
            ref.hard_recently = True
    return ref


def _recency(days_ago: int) -> float:
    return 1.0 if days_ago <= 2 else 0.6 if days_ago <= 7 else 0.3


def _ref_score(ref: _Ref, session: Session, assessment: Assessment,
               constraints: Constraints) -> tuple[float, list[str]]:
    """The old per-session score, term by term in the same order (so the floats match)."""
    pack, r = ref.pack, ranking
    score = 0.0
    notes: list[str] = []
    repeats = ref.session_days.get(session.id, [])
    score -= r.W_SAME_SESSION * sum(_recency(d) for d in repeats)
    if len(repeats) >= 2:
        score -= r.W_THIRD_TIME
    same_activity = [d for d in ref.activity_days.get(session.activity, []) if d <= 3]
    score -= r.W_SAME_ACTIVITY * sum(1.0 if d <= 1 else 0.5 for d in same_activity)
    bucket = _bucket(pack, session.activity)
    if bucket is not None:
        last = ref.last_by_bucket.get(bucket)
        gap = 14 if last is None else (ref.today - last).days
        score += r.W_BALANCE * min(gap, 7) / 7
        if last is None and ref.done:
            notes.append(f"you haven't done any {BUCKET_WORDS[bucket]} in the last two weeks")
        elif last is not None and gap >= 2:
            when = last.strftime("%A") if gap < 7 else f"{gap} days ago"
            since = f"since {when}" if gap < 7 else f"for {gap} days"
            notes.append(f"you haven't done {BUCKET_WORDS[bucket]} {since}")
    elif not ref.state.gentle:
        score -= r.W_MOBILITY
    progress = ref.progress.get(_family(pack, session.id))
    if progress is not None:
        target, note = progress
        if target == session.id:
            if note:
                score += r.W_PROGRESS_TARGET
                notes.insert(0, note)
        else:
            score -= r.W_PROGRESS_OFF_TARGET * (1 + abs(session.level
                                                        - pack.sessions[target].level))
    else:
        score -= r.W_ENTRY_LEVEL * (session.level - 1)
    if _hard(session) and ref.hard_recently:
        score -= r.W_HARD_AFTER_HARD
    if assessment.verdict == "caution":
        score -= r.W_CAUTION
        if _hard(session):
            score -= r.W_HARD_WITH_CAUTION
    if ref.limit:
        score -= r.W_TIME_FIT * max(0.0, 1 - session.minutes / ref.limit)
    if constraints.reference_minutes and constraints.preference != "any":
        gap_ratio = abs(session.minutes - constraints.reference_minutes)
        score -= r.W_PREFERENCE * gap_ratio / constraints.reference_minutes
    if pack.session_equipment(session):
        score += r.W_OWN_EQUIPMENT
    activity = pack.activities.get(session.activity)
    if ref.state.condition_id and activity is not None and activity.impact == "none":
        score += r.W_NO_IMPACT_INJURED
    if _arms_only(pack, session) and ref.leg_cardio_allowed:
        score -= r.W_ARMS_ONLY
    if repeats and repeats[0] <= 1:
        notes.append("you did this one recently; it's still the best fit")
    return score, notes


def _whose(pack: ContentPack, condition_id: str | None) -> str:
    condition = pack.conditions.get(condition_id or "")
    if condition is None or condition.id == FALLBACK_CONDITION:
        return "your injury"
    name = localize(condition.name).split(" (")[0]
    if len(name) > 1 and name[1].islower():
        name = name[0].lower() + name[1:]
    return f"your {name}"


def _kit_words(pack: ContentPack, needed: set[str]) -> str:
    names = []
    for item in sorted(needed):
        equipment = pack.equipment.get(item)
        name = localize(equipment.name) if equipment else item.replace("_", " ")
        name = name.split(" (")[0].split(" or ")[0]
        names.append(name[0].lower() + name[1:] if name[1:2].islower() else name)
    return " and ".join(names)


def _ref_make(ref: _Ref, session: Session, assessment: Assessment,
              constraints: Constraints) -> Suggestion:
    pack = ref.pack
    score, extra = _ref_score(ref, session, assessment, constraints)
    parts: list[str] = []
    activity = pack.activities.get(session.activity)
    if ref.state.condition_id is not None and activity is not None:
        whose = _whose(pack, ref.state.condition_id)
        if assessment.verdict == "caution":
            parts.append(f"OK for {whose} with care (see the notes)")
        elif activity.impact == "none":
            parts.append(f"no impact for {whose}")
        elif activity.impact == "low":
            parts.append(f"low impact, fine for {whose} in this phase")
        else:
            parts.append(f"fine for {whose} in this phase")
    if ref.state.gentle and ref.state.gentle_reason:
        parts.append(f"a gentle option because {ref.state.gentle_reason}")
    needed = pack.session_equipment(session)
    parts.append(f"uses your {_kit_words(pack, needed)}" if needed else "no equipment needed")
    parts.append(f"{session.minutes} min fits your time" if ref.limit is not None
                 else f"{session.minutes} min")
    parts.extend(extra)
    text = "; ".join(parts[:5])
    return Suggestion(session, score, text[:1].upper() + text[1:] + ".", tuple(parts),
                      tuple(assessment.notes) if assessment.verdict == "caution" else (),
                      ref.state.see_clinician, assessment.verdict)


def _ref_ok(ref: _Ref, session: Session, constraints: Constraints, *, use_time: bool,
            use_excludes: bool) -> bool:
    if use_excludes and session.id in constraints.exclude_ids:
        return False
    if constraints.kind is not None:
        activity = ref.pack.activities.get(session.activity)
        if activity is None or activity.kind != constraints.kind:
            return False
    if constraints.intensities is not None and session.intensity not in constraints.intensities:
        return False
    if ref.state.gentle and not is_gentle(ref.pack, session):
        return False
    if use_time:
        ref_minutes = constraints.reference_minutes
        if ref.limit is not None and session.minutes > ref.limit:
            return False
        if ref_minutes is not None and constraints.preference == "shorter" \
                and session.minutes >= ref_minutes:
            return False
        if ref_minutes is not None and constraints.preference == "longer" \
                and session.minutes <= ref_minutes:
            return False
    return True


def _reference_safe(pack: ContentPack, state: SafetyState,
                    equipment: frozenset[str]) -> list[tuple[Session, Assessment]]:
    """The old filter: every session of the pack, its verdict and its kit, one by one."""
    safe = []
    for session in pack.sessions.values():
        assessment = assess_session(pack, session, state.condition_id, state.phase,
                                    mode=state.mode)
        if assessment.allowed and pack.session_equipment(session) <= equipment:
            safe.append((session, assessment))
    return safe


def _reference_suggest(pack: ContentPack, profile: RunnerProfile,
                       history: Sequence[PastSession], today: date,
                       constraints: Constraints, safety_as_of: date | None) -> Suggestions:
    minutes = constraints.max_minutes if constraints.max_minutes is not None else \
        profile.minutes_per_session
    ref = _ref_context(pack, profile, history, today, time_limit(minutes), safety_as_of)
    state = ref.state
    safe = _reference_safe(pack, state, frozenset(profile.equipment) | {"nothing"})
    ref.leg_cardio_allowed = any(_bucket(pack, s.activity) == "aerobic"
                                 and not _arms_only(pack, s) for s, _ in safe)
    ranked = sorted((_ref_make(ref, s, a, constraints) for s, a in safe
                     if _ref_ok(ref, s, constraints, use_time=True, use_excludes=True)),
                    key=lambda s: -s.score)
    if state.mode == "emergency":
        return Suggestions((), None, "No exercise today: these signs need urgent care first.",
                           True, state.gentle_reason, ref.limit, state.mode, state.urgency)
    message = None
    if state.mode == "protect":
        message = (f"I'm only suggesting work that spares the sore area because "
                   f"{state.gentle_reason}.")
    elif state.see_clinician:
        message = f"I've kept to the gentlest options because {state.gentle_reason}."
    if ranked:
        return Suggestions(tuple(ranked), None, message, state.see_clinician,
                           state.gentle_reason, ref.limit, state.mode, state.urgency)
    nearest, why = _ref_nearest(ref, safe, constraints)
    return Suggestions((), nearest, f"{message} {why}" if message else why,
                       state.see_clinician, state.gentle_reason, ref.limit, state.mode,
                       state.urgency)


def _ref_nearest(ref: _Ref, safe: list[tuple[Session, Assessment]],
                 constraints: Constraints) -> tuple[Suggestion | None, str]:
    fitting = [(s, a) for s, a in safe if ref.limit is None or s.minutes <= ref.limit]

    def options(base: Constraints) -> list[Suggestion]:
        return [_ref_make(ref, s, a, constraints) for s, a in fitting
                if _ref_ok(ref, s, base, use_time=True, use_excludes=False)]

    if constraints.exclude_ids:
        found = sorted(options(constraints), key=lambda s: -s.score)
        if found:
            return found[0], "That's every session that fits; here's the best one again."
    if constraints.preference != "any" and constraints.reference_minutes is not None:
        found = options(replace(constraints, preference="any", reference_minutes=None))
        if constraints.preference == "longer":
            found.sort(key=lambda s: (-s.session.minutes, -s.score))
            limit = f"your {ref.limit} minutes" if ref.limit is not None else "what I have"
            return (found[0] if found else None), f"Nothing longer fits {limit}."
        found.sort(key=lambda s: (s.session.minutes, -s.score))
        return (found[0] if found else None), "That's the shortest safe option I have."
    found = sorted(options(replace(constraints, kind=None, intensities=None)),
                   key=lambda s: -s.score)
    if found:
        return found[0], "Nothing matches exactly; here's the nearest safe option."
    bare = [(s, a) for s, a in fitting if not ref.pack.session_equipment(s)
            and (not ref.state.gentle or is_gentle(ref.pack, s))]
    if bare:
        session, assessment = min(bare, key=lambda sa: (sa[0].level, sa[0].minutes))
        return (_ref_make(ref, session, assessment, constraints),
                "Nothing fits your equipment and time; here's the gentlest session that "
                "needs no equipment.")
    if ref.limit is not None:
        return None, (f"Nothing safe fits {ref.limit} minutes with your equipment. Rest is a "
                      f"fine choice today, or give yourself a little more time.")
    return None, ("I can't find a safe session for you right now. Please check with a "
                  "physiotherapist or doctor before training.")


# ------------------------------------------------------------------------ seeded profiles


def _profile(pack: ContentPack, rng: random.Random, user_id: int) -> RunnerProfile:
    condition = rng.choice([None, None, *sorted(pack.conditions)])
    status = "none" if condition is None and rng.random() < 0.8 else rng.choice(STATUSES)
    kit = sorted(e for e in pack.equipment if e != "nothing")
    return RunnerProfile(
        user_id=user_id, injury_status=status, condition_id=condition,
        phase=rng.choice([None, *PHASES]) if status != "none" else None,
        pain_today=rng.choice([None, None, 0, 2, 4, 6, 8]),
        red_flags=rng.choice([(), (), (), (RED_FLAG_SCREEN,),
                              (RED_FLAG_SCREEN, RED_FLAG_CONDITION)]),
        clinician_cleared=rng.random() < 0.2,
        equipment=frozenset(rng.sample(kit, rng.randint(0, len(kit)))),
        minutes_per_session=rng.choice([None, *MINUTE_CHOICES, 10, 20, 90]),
    )


def _history(pack: ContentPack, rng: random.Random) -> list[PastSession]:
    sessions = list(pack.sessions.values())
    logs = []
    for _ in range(rng.randint(0, 10)):
        day = TODAY - timedelta(days=rng.randint(0, 20))
        if rng.random() < 0.8:
            session = rng.choice(sessions)
            activity, session_id = session.activity, session.id
        else:  # a log without a session: a run, or an activity the bot does not know
            activity, session_id = rng.choice(["running", "walking", "yoga"]), None
        logs.append(PastSession(
            day, activity, session_id, rng.choice([None, 20, 45]),
            rng.choice([None, 3, 4, 5, 7]), rng.choice([None, None, 0, 0, 2, 4, 6]),
            rng.choice(["done", "done", "done", "skipped"]), rng.random() < 0.03,
        ))
    return logs


def _requests(pack: ContentPack, rng: random.Random, first: Suggestions) -> list[Constraints]:
    """The requests a runner can make: plain, Another, Shorter, Longer, a week plan's roles."""
    shown = [s.session for s in first.ranked[:3]]
    top = first.top
    requests = [Constraints(), Constraints(max_minutes=rng.choice([5, 15, 25, 40, 60]))]
    if shown:
        requests.append(Constraints(exclude_ids=frozenset(s.id for s in shown)))
        requests.append(Constraints(exclude_ids=frozenset(s.session.id for s in first.ranked)))
    if top is not None:
        for preference in PREFERENCES:
            requests.append(Constraints(preference=preference,
                                        reference_minutes=top.session.minutes,
                                        exclude_ids=frozenset({top.session.id})))
    kind = rng.choice(sorted({a.kind for a in pack.activities.values()}))
    requests.append(Constraints(kind=kind, intensities=rng.choice(
        [None, frozenset({"intervals", "tempo", "hills"}), frozenset({"easy", "recovery"}),
         frozenset({"long"})])))
    return requests


def test_the_indexed_ranking_matches_the_unindexed_reference(content: ContentPack) -> None:
    rng = random.Random(SEED)
    compared = nearest = 0
    for user_id in range(PROFILES):
        profile = _profile(content, rng, user_id)
        history = _history(content, rng)
        as_of = rng.choice([None, None, TODAY - timedelta(days=3)])
        first = suggest(content, profile, history, TODAY, safety_as_of=as_of)
        for constraints in _requests(content, rng, first):
            got = suggest(content, profile, history, TODAY, constraints, safety_as_of=as_of)
            want = _reference_suggest(content, profile, history, TODAY, constraints, as_of)
            assert got == want, (profile, history, constraints)
            compared += 1
            nearest += got.nearest is not None
    # The walk must reach the fallbacks as well as plain rankings.
    assert compared > PROFILES * 5
    assert nearest > 20


def test_equipment_lookups_match_the_pack(content: ContentPack) -> None:
    rng = random.Random(SEED + 1)
    kit = sorted(content.equipment)
    activities = [None, *sorted(content.activities), "no_such_activity"]
    for _ in range(200):
        have = frozenset(rng.sample(kit, rng.randint(0, len(kit))))
        activity = rng.choice(activities)
        expected = tuple(s for s in content.sessions.values()
                         if (activity is None or s.activity == activity)
                         and content.session_equipment(s) <= have | {"nothing"})
        assert feasible_sessions(content, have | {"nothing"}, activity) == expected
        for session in content.sessions.values():
            assert has_equipment(content, session, have) == \
                (content.session_equipment(session) <= have)


def test_a_full_feasibility_cache_drops_its_oldest_entries_and_still_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pack = load_pack(CONTENT_DIR)  # its own memos, so the shared pack's are not disturbed
    monkeypatch.setattr(ranking, "_FEASIBLE_CACHE_SIZE", 3)
    memo = pack.memo("suggest.feasible")
    rng = random.Random(SEED + 2)
    for user_id in range(12):
        profile = _profile(pack, rng, user_id)
        got = suggest(pack, profile, [], TODAY)
        assert got == _reference_suggest(pack, profile, [], TODAY, Constraints(), None)
        assert len(memo) <= 3
    # Only the equipment some session needs is in the key: a piece no session uses does not
    # make (and so evict) an entry.
    plain = RunnerProfile(user_id=1, equipment=frozenset({"road_bike"}))
    suggest(pack, plain, [], TODAY)
    keys = list(memo)
    suggest(pack, replace(plain, equipment=frozenset({"road_bike", "no_such_kit"})), [], TODAY)
    assert list(memo) == keys
