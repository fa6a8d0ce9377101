"""`crosscoach content check [DIR]`: validate a content pack and report the result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.content.loader import ContentPackError, load_pack


def default_content_dir() -> Path:
    """The pack shipped with the code: <repo>/content."""
    return Path(__file__).resolve().parents[2] / "content"


def print_report(error: ContentPackError, out: TextIO) -> None:
    """The report both `content check` and a refused bot start print."""
    for problem in error.problems:
        print(problem, file=out)
    count = len(error.problems)
    print(f"content check failed: {count} problem{'s' if count != 1 else ''}", file=out)


def run_check(directory: Path, out: TextIO) -> int:
    """Print every problem (one per line, `file: item_id: field: message`) and return 1,
    or print the item counts per type and return 0."""
    try:
        pack = load_pack(directory)
    except ContentPackError as exc:
        print_report(exc, out)
        return 1
    counts = ", ".join(f"{number} {kind}" for kind, number in pack.counts().items())
    print(f"content OK: {counts}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for the project CLI (`crosscoach content check [DIR]`)."""
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else default_content_dir()
    return run_check(directory, sys.stdout)
