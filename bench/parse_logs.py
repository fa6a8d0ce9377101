"""Parse-time benchmark for the session-log parser. Prints figures only.

Run from the project root: .venv/bin/python bench/parse_logs.py
Inputs: the table-test phrasings plus seeded random strings up to 4,096 characters. The baseline is
str.lower() + str.split() on the same inputs in the same process, so the ratio is comparable across
machines. Goal: median parse under 5 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

RANDOM_INPUTS = 200
REPEATS = 5
SEED = 7
PIECES = [
    "swam", "30", "min", "1h15", "tempo", "rpe", "7", "pain", "2/10", "yesterday", "🏊", "🚴‍♂️",
    "swimmimg", "half an hour", "5k", "1,500m", "3x1min", "1:30", "on tuesday", "with the kids",
    "blah", "the", "and", "?", "’", "ÿ", "漢字", "\u200d", "\ufdfa", "👍", "done", "skipped",
]  # fmt: skip


def _random_inputs(rng: random.Random) -> list[str]:
    texts = []
    for _ in range(RANDOM_INPUTS):
        size = rng.choice([64, 512, 4096])
        if rng.random() < 0.5:  # word salad drawn from real logs
            words: list[str] = []
            while sum(len(w) + 1 for w in words) < size:
                words.append(rng.choice(PIECES))
            text = " ".join(words)
        else:  # arbitrary code points
            text = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(size))
        texts.append(text[:4096])
    return texts


def _timings(fn: Callable[[str], object], texts: list[str]) -> list[float]:
    """Per-call seconds: the best of REPEATS runs for each input, to shed scheduler noise."""
    out = []
    for text in texts:
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            fn(text)
            best = min(best, time.perf_counter() - start)
        out.append(best)
    return out


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bot.coach.log_parser import parse_log
    from tests.test_log_parser import CASES, make_vocab

    vocab = make_vocab()
    today = date(2025, 6, 12)
    table = [text for text, _ in CASES]
    long_random = _random_inputs(random.Random(SEED))

    def parse(text: str) -> object:
        return parse_log(text, vocab, today)

    def baseline(text: str) -> object:
        return text.lower().split()

    sets = (("table", table), ("random<=4096", long_random), ("all", table + long_random))
    for name, texts in sets:
        ours = _timings(parse, texts)
        base = _timings(baseline, texts)
        med, p99 = statistics.median(ours), _p99(ours)
        base_med = statistics.median(base)
        print(
            f"{name:13s} n={len(texts):4d}  median {med * 1e3:7.3f} ms  p99 {p99 * 1e3:7.3f} ms  "
            f"max {max(ours) * 1e3:7.3f} ms  baseline median {base_med * 1e6:7.2f} us  "
            f"ratio {med / base_med:8.1f}x"
        )


if __name__ == "__main__":
    main()
