"""One update at a time per user inside a worker process.

Polling hands PTB one update after another, but the webhook serves each POST as it arrives, so
two updates from the same user (a retrying proxy, a redelivery after a timeout, a test client)
could run side by side and both act on the same conversation step. Telegram's Bot API server
itself keeps one update per chat in flight and sends the next only after the previous one was
answered; this keeps that promise inside a worker whatever sits in front of it. Different users
still run concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update


def user_key(update: Update) -> int | None:
    """Whose update this is: the user, else the chat; None for updates that belong to neither."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerUserOrder:
    def __init__(self) -> None:
        # A lock per user with updates in flight; dropped when the last one finishes, so the
        # map stays as small as the number of users active right now.
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    def in_flight(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def turn(self, update: Update) -> AsyncIterator[None]:
        key = user_key(update)
        if key is None:
            yield
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if self._holders[key] == 0:
                del self._holders[key], self._locks[key]
