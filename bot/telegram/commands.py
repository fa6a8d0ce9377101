"""The command menu Telegram shows, in one place so /help and setMyCommands agree."""

from __future__ import annotations

# (command, description) in the order users see them.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Start or restart the coach"),
    ("help", "What I can do"),
]
