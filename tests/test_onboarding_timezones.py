"""The first nudge lands at the right UTC instant in zones with and without DST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.db.models import User
from tests.harness import ChatUser, FakeTelegram
from tests.test_onboarding_chat import onboard_until_summary, rows


async def onboard_at(user: ChatUser, nudge: str, zone: str) -> None:
    await onboard_until_summary(user, nudge=nudge, zone=zone)
    await user.press("Confirm")


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # London, the night before the clocks go forward (Sun 29 Mar 2026): 07:30 BST = 06:30Z.
        (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), "london", datetime(2026, 3, 29, 6, 30,
                                                                      tzinfo=UTC)),
        # London, the night before the clocks go back (Sun 25 Oct 2026): 07:30 GMT = 07:30Z.
        (datetime(2026, 10, 24, 12, 0, tzinfo=UTC), "london", datetime(2026, 10, 25, 7, 30,
                                                                       tzinfo=UTC)),
        # New York in summer time: 07:30 EDT = 11:30Z.
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "new york", datetime(2026, 7, 2, 11, 30,
                                                                       tzinfo=UTC)),
        # New York in winter, at 07:00 EST: 07:30 EST the same morning = 12:30Z.
        (datetime(2026, 1, 10, 12, 0, tzinfo=UTC), "America/New_York",
         datetime(2026, 1, 10, 12, 30, tzinfo=UTC)),
        # Kolkata, +05:30 all year: 07:30 IST = 02:00Z.
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), "kolkata", datetime(2026, 3, 3, 2, 0,
                                                                     tzinfo=UTC)),
        # Auckland in its summer (NZDT +13): 07:30 = 18:30Z the day before.
        (datetime(2026, 1, 5, 0, 0, tzinfo=UTC), "auckland", datetime(2026, 1, 5, 18, 30,
                                                                      tzinfo=UTC)),
        # Auckland in its winter (NZST +12): 07:30 = 19:30Z the day before.
        (datetime(2026, 7, 1, 0, 0, tzinfo=UTC), "Pacific/Auckland",
         datetime(2026, 7, 1, 19, 30, tzinfo=UTC)),
    ],
)
async def test_first_nudge_instant_in_utc(tg: FakeTelegram, clock: FakeClock, now: datetime,
                                          zone: str, expected: datetime) -> None:
    clock.set(now)
    ana = ChatUser(tg, user_id=77, first_name="Ana")
    await onboard_at(ana, "7:30", zone)
    [user] = await rows(tg, User, ana.id)
    assert user.next_nudge_at == expected
