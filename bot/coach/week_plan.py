"""A 7-day plan within the days and minutes the runner set.

Rules, in order of strength:
- exactly `days_per_week` training days (default DEFAULT_DAYS), the others are rest days;
- every session passes the same hard filters as `suggest` (injury, equipment, time);
- hard days (intervals, tempo, hills) are never on consecutive dates, nor the day after a hard
  session in the history;
- the long session goes on the weekend when a weekend day is a training day;
- running days only when the runner is not injured (and not in the gentle, see-a-clinician state);
- no hard or long days in the gentle state.

Sessions are chosen day by day with `suggest`, feeding the days already planned back in as
history, so the week gets the same variety and balance as single suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from bot.coach.profile import RunnerProfile
from bot.coach.suggest import (
    HARD_INTENSITIES,
    OPEN_ENDED_LIMIT,
    Constraints,
    PastSession,
    Suggestion,
    safety_state,
    suggest,
    time_limit,
)
from bot.content.models import ContentPack

DayRole = Literal["rest", "long", "hard", "strength", "balance", "easy"]
RunType = Literal["recovery", "easy", "tempo", "intervals", "hills", "long"]

DEFAULT_DAYS = 3
# On the long day, a session up to this many ranking points below the best may win by being
# longer: the day is about unbroken time, and variety still rules out poor choices.
LONG_DAY_MARGIN = 2.0
SATURDAY, SUNDAY = 5, 6

# Training weekdays (Monday = 0) for each number of days: spread out, weekend included.
_PATTERNS: dict[int, tuple[int, ...]] = {
    1: (SATURDAY,),
    2: (2, SUNDAY),
    3: (1, 3, SUNDAY),
    4: (1, 3, SATURDAY, SUNDAY),
    5: (0, 1, 3, SATURDAY, SUNDAY),
    6: (0, 1, 2, 3, SATURDAY, SUNDAY),
    7: (0, 1, 2, 3, 4, SATURDAY, SUNDAY),
}
_FILL: tuple[DayRole, ...] = ("strength", "balance", "easy", "strength", "easy")
_AEROBIC_EASY = frozenset({"easy", "recovery"})

# What each role asks `suggest` for, most specific first.
_ROLE_CONSTRAINTS: dict[str, tuple[Constraints, ...]] = {
    "long": (Constraints(kind="aerobic", intensities=frozenset({"long"})),
             Constraints(kind="aerobic", intensities=_AEROBIC_EASY),
             Constraints(kind="aerobic")),
    "hard": (Constraints(kind="aerobic", intensities=HARD_INTENSITIES),),
    "strength": (Constraints(kind="strength"),),
    "balance": (Constraints(kind="balance_agility"),
                Constraints(intensities=frozenset({"skills"}))),
    "easy": (Constraints(kind="aerobic", intensities=_AEROBIC_EASY), Constraints(kind="aerobic")),
}
_ROLE_WORDS: dict[str, str] = {
    "rest": "Rest", "long": "Long session", "hard": "Hard session", "strength": "Strength",
    "balance": "Balance and agility", "easy": "Easy aerobic",
}  # fmt: skip


@dataclass(frozen=True)
class PlannedDay:
    day: date
    role: DayRole
    suggestion: Suggestion | None = None  # the cross-training session (None: rest or run)
    run_type: RunType | None = None  # set on a running day
    minutes: int = 0
    note: str = ""

    @property
    def rest(self) -> bool:
        return self.role == "rest"

    @property
    def hard(self) -> bool:
        """A hard day: a hard run or a session of hard intensity."""
        if self.run_type is not None:
            return self.run_type in HARD_INTENSITIES
        return (self.suggestion is not None
                and self.suggestion.session.intensity in HARD_INTENSITIES)

    @property
    def is_run(self) -> bool:
        return self.run_type is not None

    @property
    def label(self) -> str:
        """One line: "Run: long run, easy effort", "Turbo: 8 x 1 minute · 30 min", "Rest"."""
        if self.run_type is not None:
            return f"Run: {_RUN_WORDS[self.run_type]} · up to {self.minutes} min"
        if self.suggestion is not None:
            session = self.suggestion.session
            return f"{session.title['en']} · {session.minutes} min"
        return "Rest" if self.rest else f"{_ROLE_WORDS[self.role]}: {self.note or 'rest instead'}"


_RUN_WORDS: dict[str, str] = {
    "long": "long run, easy effort (RPE 4)", "intervals": "intervals (RPE 8)",
    "tempo": "tempo (RPE 7)", "easy": "easy run (RPE 3)", "recovery": "recovery jog (RPE 2)",
    "hills": "hill reps (RPE 8)",
}  # fmt: skip


def _roles(n: int, gentle: bool, injured: bool) -> list[DayRole]:
    """The roles to place, most constrained first."""
    if n == 1:
        return ["easy" if injured or gentle else "strength"]
    roles: list[DayRole] = ["easy" if gentle else "long"]
    hard = 0 if gentle or n <= 2 else 1 if n == 3 else 2
    roles += ["hard"] * hard
    fill = iter(_FILL * 2)
    while len(roles) < n:
        roles.append(next(fill))
    return roles


def _assign(days: list[date], training: list[int], roles: list[DayRole],
            hard_before_start: bool) -> dict[int, DayRole]:
    assigned: dict[int, DayRole] = {}
    free = list(training)
    weekend = [i for i in free if days[i].weekday() in (SATURDAY, SUNDAY)]
    # Long session: Sunday if possible, then Saturday, then the last training day.
    long_day = None
    if roles and roles[0] == "long":
        sundays = [i for i in weekend if days[i].weekday() == SUNDAY]
        long_day = (sundays or weekend or free)[-1]
        assigned[long_day] = "long"
        free.remove(long_day)
        roles = roles[1:]
    hard_days: list[int] = []
    for role in [r for r in roles if r == "hard"]:
        def blocked(i: int) -> bool:
            return any(abs(i - h) == 1 for h in hard_days) or (i == 0 and hard_before_start)

        options = [i for i in free if not blocked(i)]
        if not options:
            continue  # fewer hard days rather than two in a row

        def preference(i: int) -> tuple[bool, int, int]:
            near_long = long_day is not None and abs(i - long_day) == 1
            spacing = min([abs(i - h) for h in hard_days] or [7])
            return (near_long, -spacing, i)

        day = min(options, key=preference)
        assigned[day] = role
        hard_days.append(day)
        free.remove(day)
    others = [r for r in roles if r != "hard"]
    for i, other in zip(free, others, strict=False):
        assigned[i] = other
    for i in free[len(others):]:
        assigned[i] = "easy"
    return assigned


def plan_week(
    pack: ContentPack,
    profile: RunnerProfile,
    history: Sequence[PastSession],
    week_start: date,
) -> list[PlannedDay]:
    """Seven PlannedDays from `week_start` (any weekday); see the module docstring."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    n = max(1, min(7, profile.days_per_week or DEFAULT_DAYS))
    state = safety_state(pack, profile, history, week_start)
    if state.mode == "emergency":
        # Signs that need urgent care: no training at all until a clinician has seen them.
        return [PlannedDay(day, "rest", note="rest until you have been seen") for day in days]
    injured = state.condition_id is not None
    limit = time_limit(profile.minutes_per_session) or OPEN_ENDED_LIMIT
    wanted = set(_PATTERNS[n])
    training = [i for i, d in enumerate(days) if d.weekday() in wanted]
    yesterday = week_start - timedelta(days=1)
    hard_before = any(
        h.performed_on == yesterday and h.status == "done"
        and h.session_id in pack.sessions
        and pack.sessions[h.session_id].intensity in HARD_INTENSITIES
        for h in history
    )
    roles = _assign(days, training, _roles(n, state.gentle, injured), hard_before)

    planned: list[PlannedDay] = []
    virtual = list(history)
    runs_left = {"long": 1, "hard": 1, "easy": 1} if not injured and not state.gentle else {}
    for i, day in enumerate(days):
        role = roles.get(i, "rest")
        if role == "rest":
            planned.append(PlannedDay(day, "rest"))
            continue
        if runs_left.get(role, 0) > 0:
            runs_left[role] -= 1
            run_type: RunType = ("long" if role == "long" else "easy" if role == "easy"
                                 else "intervals" if day.isocalendar().week % 2 == 0 else "tempo")
            planned.append(PlannedDay(day, role, run_type=run_type, minutes=limit))
            virtual.append(PastSession(day, "running", None, limit, None, None, "done"))
            continue
        planned_ids = frozenset(p.suggestion.session.id for p in planned if p.suggestion)
        choice = _choose(pack, profile, virtual, day, role, limit, planned_ids, week_start)
        if choice is None:
            planned.append(PlannedDay(day, role, note="nothing safe fits, so rest"))
            continue
        session = choice.session
        planned.append(PlannedDay(day, role, suggestion=choice, minutes=session.minutes))
        virtual.append(PastSession(day, session.activity, session.id, session.minutes,
                                   None, None, "done"))
    return planned


def _choose(pack: ContentPack, profile: RunnerProfile, history: Sequence[PastSession],
            day: date, role: str, limit: int, planned: frozenset[str],
            planned_on: date) -> Suggestion | None:
    """The best session for `role` on `day`: a session not yet in this week's plan if any fits,
    else a repeat; a hard session only on a hard day (the spacing was decided by the roles).
    The long day takes the longest of the options that rank close to the best."""
    for exclude in (planned, frozenset()):
        for constraints in (*_ROLE_CONSTRAINTS[role], Constraints()):
            result = suggest(pack, profile, history, day,
                             replace(constraints, max_minutes=limit, exclude_ids=exclude),
                             safety_as_of=planned_on)
            # Hard work only on a hard day, and never under a caution verdict: its notes ask
            # for easy work, so the day becomes an easier one instead.
            options = [o for o in result.ranked
                       if o.session.intensity not in HARD_INTENSITIES
                       or (role == "hard" and o.verdict != "caution")]
            if not options:
                continue
            if role != "long":
                return options[0]
            close = [o for o in options if o.score >= options[0].score - LONG_DAY_MARGIN]
            return max(close, key=lambda o: (o.session.minutes, o.score))
    return None
