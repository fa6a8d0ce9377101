"""The command menu Telegram shows, in one place so /help and setMyCommands agree."""

from __future__ import annotations

# (command, description) in the order users see them.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Start, or show the main menu"),
    ("suggest", "Suggest a session for today"),
    ("convert", "Turn a planned run into cross-training"),
    ("week", "Your 7-day plan"),
    ("log", "Log a session, e.g. /log swam 30 min easy"),
    ("history", "Your last sessions"),
    ("stats", "This week vs last week, streaks and a chart"),
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
