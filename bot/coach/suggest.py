"""Choosing today's session: hard filters first (injury, equipment, time), then a soft ranking.

Pure functions over the content pack, the runner's profile and their recent logs.

Hard filters (a session that fails one is never in `ranked`):
- safety: the avoid-rules of the user's condition and phase (bot/coach/safety.py);
- equipment: the session needs its activity's, its own and its exercises' equipment, all of which
  the user must have (`nothing` is implied);
- time: the session fits the minutes available. "60" in onboarding means "an hour or more", so
  it allows up to 90 minutes.

Soft ranking (a score; higher is better):
- variety against recent logs (same session, then same activity);
- balance across the week between aerobic, strength and balance/agility work;
- progression: a family of sessions is linked by progresses_to/regresses_to. After
  LEVEL_UP_AFTER completions of the same session, each with effort <= LOW_EFFORT and no pain, the
  next level is preferred; after pain above the condition's pain model limit the level below is
  preferred;
- no hard session the day after a hard one; caution verdicts rank a little lower, and hard
  sessions under a caution verdict much lower (the notes ask for easy work).

Safety escalation (`safety_state`, thresholds from the condition's pain model in the pack):
pain above the model's limit or worse than the time before switches to the *gentle* set (level
1, easy or recovery intensity, no or low impact, with the first phase's rules) and sets
`see_clinician`. An unresolved warning sign, resting pain at `rest_protect`, a warning sign
written in a recent log, or a session that took pain to `session_stop` add the condition's
*protect* rules: only work that spares the injured area. A sign that calls for emergency care
means no exercise at all.

Arms-only cardio (aerobic work that needs no equipment and no weight on the legs: seated or lying
arm circuits) is a stand-in for runners whose legs must rest. It ranks below any leg-based
aerobic option the user can do, so a healthy runner is offered a walk, not chair boxing.

When nothing passes, `ranked` is empty and `nearest` holds the closest safe option that still
fits the time, with a message saying what was relaxed. Nothing reachable is ever longer than the
runner's time. `suggest` never raises for any profile the onboarding can produce.

Everything that depends only on the pack is worked out once per pack and kept with it
(`ContentPack.memo`): each session's kit, family, weekly bucket and activity facts, and the list
of safe sessions a kit makes possible per (condition, phase, mode, kit). A request then only
applies its own filters (time, kind, exclusions) and scores what is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from bot.coach.phases import FALLBACK_CONDITION, PainLimits, pain_limits, red_flag_urgency
from bot.coach.profile import RunnerProfile
from bot.coach.safety import Assessment, Mode, allowed_assessments, assess_session
from bot.coach.windows import PAIN_MEMORY_DAYS, VARIETY_DAYS
from bot.content.models import ContentPack, Session, Urgency, localize

Preference = Literal["any", "shorter", "longer"]
Bucket = Literal["aerobic", "strength", "balance_agility"]

OPEN_ENDED_MINUTES = 60  # the largest onboarding choice, meaning "an hour or more"
OPEN_ENDED_LIMIT = 90  # ... which we read as "up to 90 minutes"
LOW_EFFORT = 5  # RPE at or below which a completion counts as "comfortable"
LEVEL_UP_AFTER = 2  # comfortable, pain-free completions of one session before stepping up

HARD_INTENSITIES = frozenset({"intervals", "tempo", "hills"})
GENTLE_INTENSITIES = frozenset({"recovery", "easy", "strength", "skills"})
GENTLE_IMPACTS = frozenset({"none", "low"})
GENTLEST_PHASE = "acute"

# Activity kinds that count towards each weekly bucket. Sport sessions train agility; mobility is
# a recovery extra that counts towards none.
_BUCKET_OF_KIND: dict[str, Bucket] = {
    "aerobic": "aerobic",
    "strength": "strength",
    "balance_agility": "balance_agility",
    "sport": "balance_agility",
}
_BUCKET_WORDS: dict[str, str] = {
    "aerobic": "aerobic work",
    "strength": "strength work",
    "balance_agility": "balance or agility work",
}

# Ranking weights, in "points". Tuned so that variety beats a small time-fit difference but a
# safety-driven preference (progression step-down) beats variety.
W_SAME_SESSION = 3.0
W_THIRD_TIME = 3.0
W_SAME_ACTIVITY = 1.0
W_BALANCE = 2.0
W_PROGRESS_TARGET = 2.0
W_PROGRESS_OFF_TARGET = 0.75
W_ENTRY_LEVEL = 0.6
W_HARD_AFTER_HARD = 2.0
W_CAUTION = 0.5
W_HARD_WITH_CAUTION = 2.5  # caution notes ask for easy work ("easy gears", "no hard efforts")
W_TIME_FIT = 1.0
W_PREFERENCE = 1.5
W_OWN_EQUIPMENT = 0.3
W_NO_IMPACT_INJURED = 0.3
W_MOBILITY = 0.5
W_ARMS_ONLY = 3.0  # below leg cardio whenever some is allowed; still an option, never hidden


@dataclass(frozen=True)
class PastSession:
    """One logged session as the coach needs it (the logging repository produces these)."""

    performed_on: date
    activity_id: str
    session_id: str | None = None
    minutes: float | None = None
    effort: int | None = None  # RPE 1-10
    pain: int | None = None  # 0-10
    status: str = "done"  # done | skipped
    red_flag: bool = False  # the log's text mentions a warning sign (bot/coach/pain_check.py)


@dataclass(frozen=True)
class Constraints:
    """What the user asked for on top of their profile."""

    max_minutes: int | None = None  # overrides the profile's minutes for this request
    exclude_ids: frozenset[str] = frozenset()  # e.g. sessions already shown ("Another")
    preference: Preference = "any"  # relative to `reference_minutes`
    reference_minutes: int | None = None  # the session the user wants shorter/longer than
    kind: str | None = None  # an activity kind (aerobic, strength, ...) or None for any
    intensities: frozenset[str] | None = None  # e.g. the hard ones, for the week plan


@dataclass(frozen=True)
class Suggestion:
    session: Session
    score: float
    reason: str  # one human sentence: "No impact for your shin; uses your turbo trainer; ..."
    reasons: tuple[str, ...]  # the parts of `reason`, for "Why this one?"
    caution_notes: tuple[str, ...] = ()
    see_clinician: bool = False
    verdict: str = "ok"


@dataclass(frozen=True)
class Suggestions:
    ranked: tuple[Suggestion, ...]
    nearest: Suggestion | None = None  # set when `ranked` is empty
    message: str | None = None  # why nothing fits / what changed
    see_clinician: bool = False
    gentle_reason: str | None = None  # why only the gentlest options are offered
    limit_minutes: int | None = None  # the time limit that was applied
    mode: Mode = "normal"  # protect: only work that spares the area; emergency: none at all
    urgency: Urgency | None = None  # of an unresolved warning sign

    @property
    def top(self) -> Suggestion | None:
        return self.ranked[0] if self.ranked else self.nearest


# ---------------------------------------------------------------------------------- pack index

# How many (rules, kit) pairs keep their list of feasible sessions. The key space is finite
# (conditions x phases x modes x subsets of the pack's equipment) but too large to keep whole in
# a long-running bot; when full, the oldest entry goes.
_FEASIBLE_CACHE_SIZE = 2048


@dataclass(frozen=True, slots=True)
class _Facts:
    """What ranking reads about one session. Derived once per pack, so a request makes no pack
    lookups per session. `kind` and `impact` are the activity's, None when it is unknown."""

    session: Session
    equipment: frozenset[str]  # equipment needed, without `nothing`
    family: str  # sessions linked by progresses_to/regresses_to share one family id
    bucket: Bucket | None
    kind: str | None
    impact: str | None
    hard: bool
    gentle: bool
    arms_only: bool  # aerobic with no equipment and no weight on the legs
    kit_words: str  # the reason part about equipment


@dataclass(frozen=True)
class _PackIndex:
    """Per-pack facts that never change between requests, computed once per pack."""

    facts: dict[str, _Facts]  # session id -> facts, in pack order
    by_activity: dict[str, tuple[_Facts, ...]]  # activity id -> its sessions, in pack order
    kit: frozenset[str]  # every piece of equipment some session needs


_Option = tuple[Session, Assessment, _Facts]


@dataclass(frozen=True)
class _Feasible:
    """The sessions one set of rules allows and one kit makes possible, in pack order."""

    options: tuple[_Option, ...]
    leg_cardio_allowed: bool  # one of them is aerobic work on the legs


def _index(pack: ContentPack) -> _PackIndex:
    memo = pack.memo("suggest.index")
    index: _PackIndex | None = memo.get("index")
    if index is None:
        index = memo["index"] = _build_index(pack)
    return index


def _build_index(pack: ContentPack) -> _PackIndex:
    parent: dict[str, str] = {sid: sid for sid in pack.sessions}

    def root(sid: str) -> str:
        while parent[sid] != sid:
            parent[sid] = parent[parent[sid]]
            sid = parent[sid]
        return sid

    for session in pack.sessions.values():
        for other in (session.progresses_to, session.regresses_to):
            if other in parent:
                a, b = root(session.id), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    facts: dict[str, _Facts] = {}
    by_activity: dict[str, list[_Facts]] = {}
    for session in pack.sessions.values():
        activity = pack.activities.get(session.activity)
        needed = frozenset(pack.session_equipment(session))
        fact = _Facts(
            session=session,
            equipment=needed,
            family=root(session.id),
            bucket=_BUCKET_OF_KIND.get(activity.kind) if activity else None,
            kind=activity.kind if activity else None,
            impact=activity.impact if activity else None,
            hard=session.intensity in HARD_INTENSITIES,
            gentle=is_gentle(pack, session),
            # Without a bike, pool or machine, cardio that keeps weight off the legs can only
            # be arm work: derived from the facts, so new content of that kind is treated alike.
            arms_only=(activity is not None and activity.kind == "aerobic"
                       and not activity.weight_bearing and not needed),
            kit_words=(f"uses your {_equipment_words(pack, needed)}" if needed
                       else "no equipment needed"),
        )
        facts[session.id] = fact
        by_activity.setdefault(session.activity, []).append(fact)
    return _PackIndex(
        facts=facts,
        by_activity={activity: tuple(group) for activity, group in by_activity.items()},
        kit=frozenset().union(*(fact.equipment for fact in facts.values())),
    )


def _feasible(pack: ContentPack, state: SafetyState, equipment: frozenset[str]) -> _Feasible:
    """The safe sessions this kit makes possible. Safety comes from the per-pack verdicts; the
    equipment check runs once per (rules, kit) rather than once per session per request."""
    index = _index(pack)
    # Only equipment some session needs can change the answer, so it alone is the key.
    kit = equipment & index.kit
    key = (state.condition_id, state.phase, state.mode, kit)
    memo: dict[tuple[str | None, str | None, Mode, frozenset[str]], _Feasible] = \
        pack.memo("suggest.feasible")
    found = memo.get(key)
    if found is None:
        options = tuple(
            (session, assessment, fact)
            for session, assessment in allowed_assessments(pack, state.condition_id,
                                                           state.phase, state.mode)
            if (fact := index.facts[session.id]).equipment <= kit
        )
        found = _Feasible(options, any(fact.bucket == "aerobic" and not fact.arms_only
                                       for _, _, fact in options))
        while len(memo) >= _FEASIBLE_CACHE_SIZE:
            del memo[next(iter(memo))]
        memo[key] = found
    return found


def feasible_sessions(pack: ContentPack, equipment: Iterable[str],
                      activity_id: str | None = None) -> tuple[Session, ...]:
    """The pack's sessions (all, or one activity's) that `equipment` makes possible, in pack
    order, from the per-pack index: callers that pick within one activity skip the rest.
    `nothing` need not be in `equipment`."""
    have = frozenset(equipment)
    index = _index(pack)
    group = index.by_activity.get(activity_id, ()) if activity_id is not None else \
        tuple(index.facts.values())
    return tuple(fact.session for fact in group if fact.equipment <= have)


# ------------------------------------------------------------------------------ the user state


def time_limit(minutes: int | None) -> int | None:
    """The longest session that fits `minutes` (None = no limit). 60 is the "60+" choice and
    means up to OPEN_ENDED_LIMIT; any other number means at most that many minutes."""
    if minutes is None:
        return None
    return OPEN_ENDED_LIMIT if minutes == OPEN_ENDED_MINUTES else minutes


def user_equipment(profile: RunnerProfile) -> frozenset[str]:
    return frozenset(profile.equipment) | {"nothing"}


def has_equipment(pack: ContentPack, session: Session, equipment: Iterable[str]) -> bool:
    have = equipment if isinstance(equipment, frozenset) else frozenset(equipment)
    return _index(pack).facts[session.id].equipment <= have


@dataclass(frozen=True)
class SafetyState:
    """Which rules apply today, and whether the gentle set and clinician advice are due."""

    condition_id: str | None
    phase: str | None
    gentle: bool
    see_clinician: bool
    gentle_reason: str | None
    mode: Mode = "normal"
    urgency: Urgency | None = None  # how soon an unresolved warning sign needs a clinician


def safety_state(
    pack: ContentPack, profile: RunnerProfile, history: Sequence[PastSession], today: date
) -> SafetyState:
    """The rules for today, from the profile and the recent logs, most careful first:
    - an unresolved warning sign (not cleared by a clinician since): the protect mode, or no
      exercise at all when the sign calls for emergency care;
    - resting pain at the pain model's `rest_protect`, a warning sign written in a recent log,
      or a session that took pain to the model's `session_stop`: the protect mode;
    - pain above the model's limit during a session, or pain rising: the gentle set;
    - otherwise the phase's own rules.
    """
    condition_id: str | None = None
    if profile.injury_status != "none":
        # Injured without a named condition: the conservative "not sure" rules, never none.
        condition_id = profile.condition_id or FALLBACK_CONDITION
    limits = pain_limits(pack, condition_id)
    careful = condition_id or FALLBACK_CONDITION
    if profile.unresolved_red_flags:
        urgency = red_flag_urgency(pack, condition_id, profile.red_flags) or "prompt"
        mode: Mode = "emergency" if urgency == "emergency" else "protect"
        when = " today" if urgency != "prompt" else ""
        return SafetyState(careful, GENTLEST_PHASE, True, True,
                           f"you reported warning signs that need a clinician's look{when}",
                           mode, urgency)
    reason = _logged_red_flag(history, today)
    if reason is None and profile.pain_today is not None and \
            profile.pain_today >= limits.rest_protect:
        reason = f"you told me your pain is {profile.pain_today}/10 at rest"
    if reason is None:
        reason = _pain_past_stop(history, today, limits)
    if reason is not None:
        return SafetyState(careful, GENTLEST_PHASE, True, True, reason, "protect",
                           None)
    reason = _pain_escalation(history, today, limits)
    if reason is None:
        return SafetyState(condition_id, profile.phase, False, False, None)
    # Pain without a known injury still gets the careful rules until someone has looked at it.
    return SafetyState(careful, GENTLEST_PHASE, True, True, reason)


def _newest_first(logs: Iterable[PastSession]) -> list[PastSession]:
    """By date, newest first; logs of the same day keep their order reversed, so the one logged
    last (history comes oldest first) counts as the latest."""
    return [log for _, log in sorted(enumerate(logs), key=lambda pair: (pair[1].performed_on,
                                                                         pair[0]), reverse=True)]


def _logged_red_flag(history: Sequence[PastSession], today: date) -> str | None:
    """A warning sign written in a log within PAIN_MEMORY_DAYS. Unlike a pain score, a later
    pain-free log does not clear it: only a clinician can say it was nothing."""
    for log in _newest_first(history):
        if log.red_flag and 0 <= (today - log.performed_on).days <= PAIN_MEMORY_DAYS:
            return f"you described a warning sign after your session on {log.performed_on:%A}"
    return None


def _recent_reports(history: Sequence[PastSession], today: date) -> list[PastSession]:
    """Pain reports within PAIN_MEMORY_DAYS, newest first."""
    reports = _newest_first(h for h in history if h.pain is not None and h.performed_on <= today)
    return [r for r in reports if (today - r.performed_on).days <= PAIN_MEMORY_DAYS]


def _pain_past_stop(history: Sequence[PastSession], today: date,
                    limits: PainLimits) -> str | None:
    """The latest session took pain clearly past the tissue's limit: rest the area until a later
    report is lower."""
    reports = _recent_reports(history, today)
    if reports and (reports[0].pain or 0) >= limits.session_stop:
        return f"your pain reached {reports[0].pain}/10 after your session on " \
               f"{reports[0].performed_on:%A}"
    return None


def _pain_escalation(history: Sequence[PastSession], today: date,
                     limits: PainLimits) -> str | None:
    """Pain above the tissue's limit, or worse than the previous report, within
    PAIN_MEMORY_DAYS. A later report within the limit (including 0) clears it."""
    reports = _recent_reports(history, today)
    if not reports:
        return None
    latest = reports[0]
    assert latest.pain is not None
    if latest.pain > limits.during_max:
        return f"you reported pain of {latest.pain}/10"
    if len(reports) > 1 and latest.pain > (reports[1].pain or 0) and latest.pain > 0:
        return f"your pain went up to {latest.pain}/10 from {reports[1].pain}/10 last time"
    return None


def is_gentle(pack: ContentPack, session: Session) -> bool:
    activity = pack.activities.get(session.activity)
    return (
        session.level == 1
        and session.intensity in GENTLE_INTENSITIES
        and activity is not None
        and activity.impact in GENTLE_IMPACTS
        and activity.kind != "sport"
    )


# ---------------------------------------------------------------------------------- progression


@dataclass(frozen=True)
class _Progress:
    target: str  # the session id the family should be at now
    note: str  # the reason shown when the target is suggested


def _progressions(pack: ContentPack, done: Sequence[PastSession],
                  limits: PainLimits) -> dict[str, _Progress]:
    """family id -> where the user is in it, from their most recent completions (newest first)."""
    index = _index(pack)
    by_family: dict[str, list[tuple[Session, PastSession]]] = {}
    for log in done:
        fact = index.facts.get(log.session_id) if log.session_id is not None else None
        if fact is not None:
            by_family.setdefault(fact.family, []).append((fact.session, log))
    result: dict[str, _Progress] = {}
    for family, logs in by_family.items():
        last, latest = logs[0]
        title = localize(last.title)
        if latest.pain is not None and latest.pain > limits.during_max:
            target = last.regresses_to if last.regresses_to in pack.sessions else last.id
            result[family] = _Progress(target, f"a step back from {title} after the pain you "
                                               f"reported ({latest.pain}/10)")
            continue
        comfortable = 0
        for _, log in logs:
            if log.session_id != last.id or not _comfortable(log):
                break
            comfortable += 1
        if comfortable >= LEVEL_UP_AFTER and last.progresses_to in pack.sessions:
            result[family] = _Progress(
                last.progresses_to,
                f"you're ready to step up from {title}: {comfortable} comfortable, "
                f"pain-free sessions in a row",
            )
        else:
            # Stay at this level: no bonus (variety decides when to repeat it), but the
            # family's other levels stay out of the way.
            result[family] = _Progress(last.id, "")
    return result


def _comfortable(log: PastSession) -> bool:
    return log.effort is not None and log.effort <= LOW_EFFORT and not log.pain


# ------------------------------------------------------------------------------------ ranking


@dataclass
class _Context:
    """One request's inputs, with every per-request term of the score worked out once here
    rather than once per candidate session."""

    pack: ContentPack
    profile: RunnerProfile
    today: date
    state: SafetyState
    limit: int | None
    equipment: frozenset[str]
    done: list[PastSession]  # newest first, status done, within VARIETY_DAYS
    progress: dict[str, _Progress]
    last_by_bucket: dict[str, date]
    hard_recently: bool
    leg_cardio_allowed: bool = False  # some safe aerobic session the user can do uses the legs
    session_days: dict[str, list[int]] = field(default_factory=dict)
    activity_days: dict[str, list[int]] = field(default_factory=dict)
    activity_penalty: dict[str, float] = field(default_factory=dict)  # variety, per activity
    balance: dict[str, tuple[float, str | None]] = field(default_factory=dict)  # per bucket
    whose: str = "your injury"  # how the reasons name the condition


def _context(
    pack: ContentPack,
    profile: RunnerProfile,
    history: Sequence[PastSession],
    today: date,
    limit: int | None,
    safety_as_of: date | None = None,
) -> _Context:
    index = _index(pack)
    since = today - timedelta(days=VARIETY_DAYS)
    done = _newest_first(
        h for h in history if h.status == "done" and since <= h.performed_on <= today
    )
    last_by_bucket: dict[str, date] = {}
    session_days: dict[str, list[int]] = {}
    activity_days: dict[str, list[int]] = {}
    hard_recently = False
    for log in done:
        ago = (today - log.performed_on).days
        bucket = _bucket_of_log(pack, log)
        if bucket is not None:
            last_by_bucket.setdefault(bucket, log.performed_on)
        if log.session_id is not None:
            session_days.setdefault(log.session_id, []).append(ago)
            fact = index.facts.get(log.session_id)
            if ago <= 1 and fact is not None and fact.hard:
                hard_recently = True
        activity_days.setdefault(log.activity_id, []).append(ago)
    state = safety_state(pack, profile, history, safety_as_of or today)
    ctx = _Context(
        pack=pack, profile=profile, today=today,
        state=state, limit=limit,
        equipment=user_equipment(profile), done=done,
        progress=_progressions(pack, done, pain_limits(pack, state.condition_id)),
        last_by_bucket=last_by_bucket, hard_recently=hard_recently,
        session_days=session_days, activity_days=activity_days,
        activity_penalty={
            activity: W_SAME_ACTIVITY * sum(1.0 if d <= 1 else 0.5 for d in days if d <= 3)
            for activity, days in activity_days.items()
        },
        whose=_condition_words(pack, state.condition_id),
    )
    ctx.balance = {bucket: _balance(ctx, bucket) for bucket in _BUCKET_WORDS}
    return ctx


def _balance(ctx: _Context, bucket: str) -> tuple[float, str | None]:
    """The weekly-balance points for a session in `bucket`, and the note saying why."""
    last = ctx.last_by_bucket.get(bucket)
    gap = VARIETY_DAYS if last is None else (ctx.today - last).days
    points = W_BALANCE * min(gap, 7) / 7
    if last is None and ctx.done:
        return points, f"you haven't done any {_BUCKET_WORDS[bucket]} in the last two weeks"
    if last is not None and gap >= 2:
        when = last.strftime("%A") if gap < 7 else f"{gap} days ago"
        since = f"since {when}" if gap < 7 else f"for {gap} days"
        return points, f"you haven't done {_BUCKET_WORDS[bucket]} {since}"
    return points, None


def _bucket_of_log(pack: ContentPack, log: PastSession) -> Bucket | None:
    fact = _index(pack).facts.get(log.session_id) if log.session_id is not None else None
    if fact is not None:
        return fact.bucket
    activity = pack.activities.get(log.activity_id)
    return _BUCKET_OF_KIND.get(activity.kind) if activity else None


def _recency_weight(days_ago: int) -> float:
    if days_ago <= 2:
        return 1.0
    if days_ago <= 7:
        return 0.6
    return 0.3


def _score(ctx: _Context, fact: _Facts, assessment: Assessment,
           constraints: Constraints) -> tuple[float, list[str]]:
    """The ranking score and the reasons worth telling the user (beyond safety/equipment/time).

    The terms are added in a fixed order and a term that is zero is skipped (x - 0.0 == x), so
    the same inputs always give the same float and ties keep pack order."""
    session = fact.session
    score = 0.0
    notes: list[str] = []

    repeats = ctx.session_days.get(session.id)
    if repeats:
        score -= W_SAME_SESSION * sum(_recency_weight(d) for d in repeats)
        if len(repeats) >= 2:
            score -= W_THIRD_TIME  # a third time within two weeks needs a very good reason
    penalty = ctx.activity_penalty.get(session.activity)
    if penalty is not None:
        score -= penalty

    bucket = fact.bucket
    if bucket is not None:
        points, note = ctx.balance[bucket]
        score += points
        if note is not None:
            notes.append(note)
    elif not ctx.state.gentle:
        score -= W_MOBILITY

    progress = ctx.progress.get(fact.family)
    if progress is not None:
        if progress.target == session.id:
            if progress.note:  # a step up or down, not "stay where you are"
                score += W_PROGRESS_TARGET
                notes.insert(0, progress.note)
        else:
            target_level = ctx.pack.sessions[progress.target].level
            score -= W_PROGRESS_OFF_TARGET * (1 + abs(session.level - target_level))
    else:
        score -= W_ENTRY_LEVEL * (session.level - 1)

    if fact.hard and ctx.hard_recently:
        score -= W_HARD_AFTER_HARD
    if assessment.verdict == "caution":
        score -= W_CAUTION
        if fact.hard:
            score -= W_HARD_WITH_CAUTION
    if ctx.limit:
        score -= W_TIME_FIT * max(0.0, 1 - session.minutes / ctx.limit)
    if constraints.reference_minutes and constraints.preference != "any":
        gap_ratio = abs(session.minutes - constraints.reference_minutes)
        score -= W_PREFERENCE * gap_ratio / constraints.reference_minutes
    if fact.equipment:
        score += W_OWN_EQUIPMENT
    if ctx.state.condition_id and fact.impact == "none":
        score += W_NO_IMPACT_INJURED
    if fact.arms_only and ctx.leg_cardio_allowed:
        score -= W_ARMS_ONLY
    if repeats and repeats[0] <= 1:
        notes.append("you did this one recently; it's still the best fit")
    return score, notes


def _condition_words(pack: ContentPack, condition_id: str | None) -> str:
    memo: dict[str | None, str] = pack.memo("suggest.condition_words")
    words = memo.get(condition_id)
    if words is None:
        words = memo[condition_id] = _name_condition(pack, condition_id)
    return words


def _name_condition(pack: ContentPack, condition_id: str | None) -> str:
    condition = pack.conditions.get(condition_id or "")
    if condition is None or condition.id == FALLBACK_CONDITION:
        return "your injury"
    name = localize(condition.name).split(" (")[0]
    if len(name) > 1 and name[1].islower():
        name = name[0].lower() + name[1:]
    return f"your {name}"


def _equipment_words(pack: ContentPack, needed: Iterable[str]) -> str:
    names = []
    for item in sorted(needed):
        equipment = pack.equipment.get(item)
        name = localize(equipment.name) if equipment else item.replace("_", " ")
        name = name.split(" (")[0].split(" or ")[0]  # "Turbo trainer or indoor bike" -> short
        names.append(name[0].lower() + name[1:] if name[1:2].islower() else name)
    return " and ".join(names)


def _reasons(ctx: _Context, fact: _Facts, assessment: Assessment,
             extra: list[str]) -> list[str]:
    session = fact.session
    parts: list[str] = []
    # `impact` is None only when the activity is unknown, which says nothing about the injury.
    if ctx.state.condition_id is not None and fact.impact is not None:
        whose = ctx.whose
        if assessment.verdict == "caution":
            parts.append(f"OK for {whose} with care (see the notes)")
        elif fact.impact == "none":
            parts.append(f"no impact for {whose}")
        elif fact.impact == "low":
            parts.append(f"low impact, fine for {whose} in this phase")
        else:
            parts.append(f"fine for {whose} in this phase")
    if ctx.state.gentle and ctx.state.gentle_reason:
        parts.append(f"a gentle option because {ctx.state.gentle_reason}")
    parts.append(fact.kit_words)
    if ctx.limit is not None:
        parts.append(f"{session.minutes} min fits your time")
    else:
        parts.append(f"{session.minutes} min")
    parts.extend(extra)
    return parts


def _sentence(parts: Sequence[str]) -> str:
    text = "; ".join(parts)
    return (text[:1].upper() + text[1:] + ".") if text else ""


def _candidate_ok(ctx: _Context, fact: _Facts, constraints: Constraints,
                  *, use_time: bool, use_excludes: bool, use_gentle: bool) -> bool:
    session = fact.session
    if use_excludes and session.id in constraints.exclude_ids:
        return False
    # Candidates come from `_feasible`, which holds only sessions the user has the kit for, so
    # no equipment check here.
    if constraints.kind is not None and fact.kind != constraints.kind:
        return False
    if constraints.intensities is not None and session.intensity not in constraints.intensities:
        return False
    if use_gentle and ctx.state.gentle and not fact.gentle:
        return False
    if use_time:
        if ctx.limit is not None and session.minutes > ctx.limit:
            return False
        ref = constraints.reference_minutes
        if ref is not None and constraints.preference == "shorter" and session.minutes >= ref:
            return False
        if ref is not None and constraints.preference == "longer" and session.minutes <= ref:
            return False
    return True


def _make(ctx: _Context, fact: _Facts, assessment: Assessment,
          constraints: Constraints) -> Suggestion:
    score, extra = _score(ctx, fact, assessment, constraints)
    parts = _reasons(ctx, fact, assessment, extra)
    cautions = tuple(assessment.notes) if assessment.verdict == "caution" else ()
    return Suggestion(session=fact.session, score=score, reason=_sentence(parts[:5]),
                      reasons=tuple(parts), caution_notes=cautions,
                      see_clinician=ctx.state.see_clinician, verdict=assessment.verdict)


def suggest(
    pack: ContentPack,
    profile: RunnerProfile,
    history: Sequence[PastSession],
    today: date,
    constraints: Constraints | None = None,
    *,
    safety_as_of: date | None = None,
) -> Suggestions:
    """Rank every session that passes the hard filters; see the module docstring.

    safety_as_of: the day whose safety state applies (default `today`). A week plan made today
    keeps today's caution for every day of it, rather than assuming the pain will settle."""
    constraints = constraints or Constraints()
    minutes = constraints.max_minutes if constraints.max_minutes is not None else \
        profile.minutes_per_session
    ctx = _context(pack, profile, history, today, time_limit(minutes), safety_as_of)
    state = ctx.state

    # Safety and equipment both come from the per-pack index; only the request's own filters
    # (time, kind, exclusions) run per session.
    feasible = _feasible(pack, state, ctx.equipment)
    safe = feasible.options
    ctx.leg_cardio_allowed = feasible.leg_cardio_allowed

    ranked = [
        _make(ctx, fact, assessment, constraints)
        for _, assessment, fact in safe
        if _candidate_ok(ctx, fact, constraints, use_time=True, use_excludes=True,
                         use_gentle=True)
    ]
    ranked.sort(key=lambda s: -s.score)  # stable: ties keep pack order
    message = None
    if state.mode == "emergency":
        return Suggestions((), None, "No exercise today: these signs need urgent care first.",
                           True, state.gentle_reason, ctx.limit, state.mode, state.urgency)
    if state.mode == "protect":
        message = (f"I'm only suggesting work that spares the sore area because "
                   f"{state.gentle_reason}.")
    elif state.see_clinician:
        message = f"I've kept to the gentlest options because {state.gentle_reason}."
    if ranked:
        return Suggestions(tuple(ranked), None, message, state.see_clinician,
                           state.gentle_reason, ctx.limit, state.mode, state.urgency)
    nearest, why = _nearest(ctx, safe, constraints)
    if message:
        why = f"{message} {why}"
    return Suggestions((), nearest, why, state.see_clinician, state.gentle_reason, ctx.limit,
                       state.mode, state.urgency)


def _nearest(ctx: _Context, safe: Sequence[_Option],
             constraints: Constraints) -> tuple[Suggestion | None, str]:
    """The closest safe option when nothing passes every filter, and what was relaxed. The
    time limit is never relaxed: a runner who said 20 minutes is never offered 45."""

    def fits(session: Session) -> bool:
        return ctx.limit is None or session.minutes <= ctx.limit

    def options(*, use_time: bool, use_excludes: bool,
                base: Constraints = constraints) -> list[Suggestion]:
        return [
            _make(ctx, f, a, constraints) for s, a, f in safe
            if fits(s) and _candidate_ok(ctx, f, base, use_time=use_time,
                                         use_excludes=use_excludes, use_gentle=True)
        ]

    if constraints.exclude_ids:
        found = sorted(options(use_time=True, use_excludes=False), key=lambda s: -s.score)
        if found:
            return found[0], "That's every session that fits; here's the best one again."
    reference = constraints.reference_minutes
    if constraints.preference != "any" and reference is not None:
        # Nothing shorter (or longer, within the time) exists: say so, and offer the closest
        # in that direction that still fits.
        plain = replace(constraints, preference="any", reference_minutes=None)
        found = options(use_time=True, use_excludes=False, base=plain)
        if constraints.preference == "longer":
            found.sort(key=lambda s: (-s.session.minutes, -s.score))
            limit = f"your {ctx.limit} minutes" if ctx.limit is not None else "what I have"
            return (found[0] if found else None), f"Nothing longer fits {limit}."
        found.sort(key=lambda s: (s.session.minutes, -s.score))
        return (found[0] if found else None), "That's the shortest safe option I have."
    # Without the kind or intensity asked for: the best that fits the time.
    plain = replace(constraints, kind=None, intensities=None)
    found = sorted(options(use_time=True, use_excludes=False, base=plain), key=lambda s: -s.score)
    if found:
        return found[0], "Nothing matches exactly; here's the nearest safe option."
    bare = [(f, a) for s, a, f in safe
            if fits(s) and not f.equipment and (not ctx.state.gentle or f.gentle)]
    if bare:
        fact, assessment = min(bare, key=lambda fa: (fa[0].session.level, fa[0].session.minutes))
        return (_make(ctx, fact, assessment, constraints),
                "Nothing fits your equipment and time; here's the gentlest session that "
                "needs no equipment.")
    if ctx.limit is not None:
        return None, (f"Nothing safe fits {ctx.limit} minutes with your equipment. Rest is a "
                      f"fine choice today, or give yourself a little more time.")
    return None, ("I can't find a safe session for you right now. Please check with a "
                  "physiotherapist or doctor before training.")


def explain(
    pack: ContentPack,
    profile: RunnerProfile,
    history: Sequence[PastSession],
    today: date,
    session_id: str,
) -> Suggestion | None:
    """The reasons for one given session ("Why this one?"), or None when it is not (or no
    longer) a safe option the user has the equipment for."""
    session = pack.sessions.get(session_id)
    if session is None:
        return None
    ctx = _context(pack, profile, history, today, time_limit(profile.minutes_per_session))
    if not has_equipment(pack, session, ctx.equipment):
        return None
    assessment = assess_session(pack, session, ctx.state.condition_id, ctx.state.phase,
                                mode=ctx.state.mode)
    if not assessment.allowed:
        return None
    return _make(ctx, _index(pack).facts[session.id], assessment, Constraints())
