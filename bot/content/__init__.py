"""The content pack: the coach's knowledge as validated, read-only data (see docs/content.md)."""

from bot.content.check import default_content_dir, run_check
from bot.content.loader import ContentPackError, Problem, find_cycles, load_pack
from bot.content.models import (
    LOAD_TAGS,
    PHASES,
    REQUIRED_TEXT_IDS,
    TELEGRAM_MESSAGE_LIMIT,
    Activity,
    Block,
    Condition,
    ContentPack,
    Equipment,
    Exercise,
    Nudge,
    Rule,
    Session,
    Source,
    TextItem,
    localize,
)

__all__ = [
    "LOAD_TAGS",
    "PHASES",
    "REQUIRED_TEXT_IDS",
    "TELEGRAM_MESSAGE_LIMIT",
    "Activity",
    "Block",
    "Condition",
    "ContentPack",
    "ContentPackError",
    "Equipment",
    "Exercise",
    "Nudge",
    "Problem",
    "Rule",
    "Session",
    "Source",
    "TextItem",
    "default_content_dir",
    "find_cycles",
    "load_pack",
    "localize",
    "run_check",
]
