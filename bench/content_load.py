"""How long loading and validating the shipped content pack takes (target: well under 200 ms).

Prints figures only; it is not a timed test. Run: `.venv/bin/python bench/content_load.py [RUNS]`.
The baseline is a plain yaml.safe_load of the same files in the same process, so the ratio shows
what validation and cross-checking add on top of parsing, independent of machine speed.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

# Allow running as a script from the repository root without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.content import default_content_dir, load_pack
from bot.content.loader import PACK_FILES


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: imports, pydantic schema build, file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    directory = default_content_dir()
    files = [directory / file_name for file_name, _model in PACK_FILES.values()]

    def plain_yaml() -> None:
        for path in files:
            yaml.safe_load(path.read_text(encoding="utf-8"))

    c_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def parse_only() -> None:
        for path in files:
            yaml.load(path.read_text(encoding="utf-8"), Loader=c_loader)

    pack = load_pack(directory)
    counts = ", ".join(f"{number} {kind}" for kind, number in pack.counts().items())
    full = median_ms(lambda: load_pack(directory), runs)
    baseline = median_ms(plain_yaml, runs)
    parse = median_ms(parse_only, runs)
    libyaml = "yes" if hasattr(yaml, "CSafeLoader") else "no"
    print(f"pack: {counts}")
    print(f"load_pack (read + validate + cross-check), median of {runs}: {full:.1f} ms")
    print(f"baseline yaml.safe_load of the same files, median of {runs}: {baseline:.1f} ms")
    print(f"parse only with the loader load_pack uses (libyaml: {libyaml}): {parse:.1f} ms")
    print(f"ratio load_pack / yaml.safe_load baseline: {full / baseline:.2f}")
    print(f"ratio load_pack / parse only: {full / parse:.2f}")


if __name__ == "__main__":
    main()
