"""The sender's rate budget: a token bucket on an injected time source, and the per-chat
spacing, built once per process (on `Services`) so the budget spans job runs.

Nothing here knows about Telegram or the database; `bot.nudges.sender` spends the budget.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock

PER_CHAT_INTERVAL = 1.0  # Telegram: at most about one message a second to one chat
# Per-chat send times kept before old ones are forgotten (they only matter for a second).
_MAX_CHATS = 10_000

_EPSILON = 1e-9
_MIN_WAIT = 1e-6

TimeSource = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """A token bucket on an injected time source: `rate` tokens a second, up to `burst`.

    Over any window of T seconds at most `burst + rate * T` acquisitions succeed. The burst is
    small (a fifth of a second's budget) so a refill after an idle spell cannot push a second
    over Telegram's bulk limit, while send latency jitter is still made up.
    """

    def __init__(self, rate: float, *, now: TimeSource, sleep: Sleep,
                 burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 5)
        self._now = now
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = now()
        self._hold_until = 0.0

    def _refill(self, t: float) -> None:
        if t > self._stamp:
            self._tokens = min(self.burst, self._tokens + (t - self._stamp) * self.rate)
            self._stamp = t

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` (after a 429), and start again from an empty bucket."""
        t = self._now()
        self._hold_until = max(self._hold_until, t + seconds)
        self._tokens, self._stamp = 0.0, max(self._stamp, self._hold_until)

    async def acquire(self) -> None:
        # Float time: a deficit of 1e-17 s would be absorbed by `now + delta`, so near-whole
        # tokens count as whole and a wait is never shorter than a microsecond.
        while True:
            t = self._now()
            if t < self._hold_until - _EPSILON:
                await self._sleep(max(self._hold_until - t, _MIN_WAIT))
                continue
            self._refill(t)
            if self._tokens >= 1.0 - _EPSILON:
                self._tokens = max(0.0, self._tokens - 1.0)
                return
            await self._sleep(max((1.0 - self._tokens) / self.rate, _MIN_WAIT))

    def now(self) -> float:
        return self._now()

    def held_for(self) -> float:
        """Seconds left of a 429 hold (0 when none)."""
        return max(0.0, self._hold_until - self._now())

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)


def clock_time_source(clock: Clock) -> tuple[TimeSource, Sleep]:
    """Time and sleep on the injected clock: a clock that can `advance` (FakeClock) moves instead
    of sleeping, so tests and benches never wait; the system clock sleeps for real."""
    advance = getattr(clock, "advance", None)

    async def sleep(seconds: float) -> None:
        if seconds <= 0:
            return
        if advance is not None:
            # Round up to the clock's microsecond: rounding down could leave a waiter a hair
            # short of its deadline, sleeping 0 s forever.
            advance(timedelta(microseconds=math.ceil(seconds * 1_000_000)))
            await asyncio.sleep(0)  # still let other tasks run
        else:
            await asyncio.sleep(seconds)

    return (lambda: clock.now().timestamp()), sleep


@dataclass
class NudgeSender:
    """Sender state that outlives one job run: the rate budget and per-chat last send times."""

    limiter: TokenBucket
    last_by_chat: dict[int, float] = field(default_factory=dict)

    @classmethod
    def on_clock(cls, rate: float, clock: Clock) -> NudgeSender:
        """The budget of `rate` messages a second, timed by the injected clock."""
        now, sleep = clock_time_source(clock)
        return cls(TokenBucket(rate, now=now, sleep=sleep))

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a message may go to `chat_id`: one a second per chat, then the budget."""
        last = self.last_by_chat.get(chat_id)
        if last is not None:
            wait = last + PER_CHAT_INTERVAL - self.limiter.now()
            if wait > 0:
                await self.limiter.sleep(wait)
        await self.limiter.acquire()

    def sending_to(self, chat_id: int) -> None:
        t = self.limiter.now()
        self.last_by_chat[chat_id] = t
        if len(self.last_by_chat) > _MAX_CHATS:
            self.last_by_chat = {c: s for c, s in self.last_by_chat.items()
                                 if t - s < PER_CHAT_INTERVAL}
