"""The command menu Telegram shows, in one place so /help and setMyCommands agree."""

from __future__ import annotations

# (command, description) in the order users see them.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Start, or show the main menu"),
    ("settings", "See and change your profile"),
    ("injury", "Update your injury"),
    ("pause", "Pause nudges for a few days (/pause 3)"),
    ("resume", "Turn nudges back on"),
    ("stop", "Stop nudges (your data is kept)"),
    ("cancel", "Cancel the current question"),
    ("privacy", "What I store and why"),
    ("export", "Download all your data"),
    ("delete", "Delete all your data"),
    ("help", "What I can do"),
]
