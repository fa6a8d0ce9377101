"""How long ranking the whole content pack for one user takes (goal: under 5 ms).

Prints figures only; it is not a timed test. Run: `.venv/bin/python bench/rank.py [RUNS]`.
The baseline is one pass over the pack's sessions computing the length of each title, in the
same process, so the ratio says how much work a ranking is independent of machine speed.
The user is a realistic hard case: injured (so every session is checked against the rules),
most equipment, and two weeks of logs (so variety, balance and progression all have work to do).
The list of safe sessions a kit makes possible is cached per (rules, kit); the "first request"
figure empties that cache before each run, as for a user whose injury and kit nobody had yet.
It also counts `has_equipment` calls per ranking: the per-pack index makes them unnecessary.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

# Allow running as a script from the repository root without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.coach import suggest as ranking
from bot.coach.profile import RunnerProfile
from bot.coach.suggest import PastSession, suggest
from bot.coach.week_plan import plan_week
from bot.content import default_content_dir, load_pack, localize

GOAL_MS = 5.0


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: the per-pack index is built once, as in the running bot
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    pack = load_pack(default_content_dir())
    today = date(2026, 3, 5)
    profile = RunnerProfile(
        user_id=1, injury_status="injured", condition_id="shin_splints", phase="settling",
        equipment=frozenset(pack.equipment), minutes_per_session=45, days_per_week=5,
    )
    sessions = list(pack.sessions.values())
    history = [
        PastSession(today - timedelta(days=day), s.activity, s.id, s.minutes, 4, 0)
        for day, s in enumerate(sessions[:14], start=1)
    ]

    def baseline() -> int:
        return sum(len(localize(s.title)) for s in pack.sessions.values())

    def rank() -> object:
        return suggest(pack, profile, history, today)

    def week() -> object:
        return plan_week(pack, profile, history, today)

    def rank_first() -> object:
        pack.memo("suggest.feasible").clear()
        return suggest(pack, profile, history, today)

    base = median_ms(baseline, runs)
    ranked = median_ms(rank, runs)
    first = median_ms(rank_first, runs)
    planned = median_ms(week, max(20, runs // 10))
    calls = count_calls(ranking, "has_equipment", rank)
    print(f"sessions in pack: {len(pack.sessions)}; runs: {runs}; figures are medians")
    print(f"baseline (len of every title): {base:.4f} ms")
    verdict = "OK" if ranked < GOAL_MS else "OVER GOAL"
    print(f"median time to rank the whole pack for one user: {ranked:.3f} ms  "
          f"(goal < {GOAL_MS:g} ms: {verdict}; {ranked / base:.0f}x baseline)")
    print(f"first request for this injury and kit: {first:.3f} ms")
    print(f"plan a week (for reference):   {planned:.3f} ms")
    print(f"has_equipment calls per ranking: {calls}")


def count_calls(module: object, name: str, action: Callable[[], object]) -> int:
    """How many times `action` calls `module.name` (looked up at call time, as in the bot)."""
    original = getattr(module, name)
    calls = 0

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    setattr(module, name, counting)
    try:
        action()
    finally:
        setattr(module, name, original)
    return calls


if __name__ == "__main__":
    main()
