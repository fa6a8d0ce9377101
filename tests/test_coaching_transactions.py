"""Each coaching action costs at most one write transaction: one when it writes (Done, How it
felt, a /convert prompt or answer), none when it only reads (/suggest and the card's other
buttons, /week and its days), and what the gate learnt about the user (a stale last-seen) is
written inside that one transaction, never beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

import pytest

from bot.clock import FakeClock
from bot.coach.profile import RunnerProfile
from bot.db.models import User
from bot.db.users import SEEN_REFRESH
from bot.telegram.context import services_of
from tests.harness import BotMessage, ChatUser, FakeTelegram, Reply
from tests.test_onboarding_chat import rows
from tests.transactions import TransactionCounter

KIT = frozenset({"turbo_trainer", "pool", "kettlebell", "dumbbells", "resistance_band", "mat"})


async def _onboard(user: ChatUser, clock: FakeClock, **fields: object) -> None:
    await user.send("hello")  # creates the users row, as any first message does
    values: dict[str, object] = {"equipment": KIT, "minutes_per_session": 45,
                                 "days_per_week": 4}
    values.update(fields)
    profile = RunnerProfile(user_id=user.id, **values)  # type: ignore[arg-type]
    await services_of(user.tg.application).profiles.save(profile, clock.now())


class _Meter:
    """Runs one user action under a TransactionCounter; with `stale`, first lets the user's
    last-seen go stale so that the gate has something to write."""

    def __init__(self, tg: FakeTelegram, clock: FakeClock, user: ChatUser, stale: bool) -> None:
        self.tg, self.clock, self.user, self.stale = tg, clock, user, stale

    async def __call__(self, name: str, act: Callable[[], Awaitable[Reply]], *,
                       writes: bool) -> Reply:
        if self.stale:
            self.clock.advance(SEEN_REFRESH + timedelta(minutes=1))
        with TransactionCounter(services_of(self.tg.application).db) as counted:
            reply = await act()
        expected = 1 if writes or self.stale else 0
        assert counted.writes == expected, (name, counted.write_statements)
        assert counted.rolled_back_writes == 0, name
        if self.stale:  # the refreshed last-seen went in with the action
            [user] = await rows(self.tg, User, self.user.id)
            assert user.last_seen_at == self.clock.now(), name
        return reply


@pytest.fixture(params=[False, True], ids=["fresh", "stale-last-seen"])
def stale(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


async def test_suggest_and_the_card_buttons(tg: FakeTelegram, ana: ChatUser, clock: FakeClock,
                                            stale: bool) -> None:
    await _onboard(ana, clock, injury_status="injured", condition_id="shin_splints",
                   phase="returning")
    meter = _Meter(tg, clock, ana, stale)
    card: BotMessage = (await meter("/suggest", lambda: ana.send("/suggest"),
                                    writes=False)).last
    assert card.labels[0] == "✅ Done"
    for label in ("🔄 Another", "⏱ Shorter", "⏱ Longer", "❓ Why this one"):
        reply = await meter(label, partial(ana.press, label, on=card), writes=False)
        assert reply.answers and "expired" not in reply.answers[0], (label, reply.answers)
    done = await meter("Done", lambda: ana.press("✅ Done", on=card), writes=True)
    assert done.answers == ["Logged ✅"]
    assert done.last.text.startswith("Any pain during?")  # asked after the one transaction
    felt = await meter("How it felt", lambda: ana.press("🙂 Moderate", on=card), writes=True)
    assert felt.answers == ["Noted"]
    again = await meter("Done again", lambda: ana.press("✅ Logged · felt moderate", on=card),
                        writes=False)
    assert again.answers == ["Already logged"]
    menu = await meter("menu", lambda: ana.press_data("sg:menu", on=card), writes=False)
    assert menu.last.labels[0] == "✅ Done"


async def test_convert_prompts_and_answers(tg: FakeTelegram, ana: ChatUser, clock: FakeClock,
                                           stale: bool) -> None:
    await _onboard(ana, clock)
    meter = _Meter(tg, clock, ana, stale)
    prompt = (await meter("/convert", lambda: ana.send("/convert"), writes=True)).last
    assert "Which run do you want to replace?" in prompt.text
    pace_question = (await meter("the run", lambda: ana.reply(prompt, "6x800m with 90s jog"),
                                 writes=True)).last
    assert "usual easy running pace" in pace_question.text
    unreadable = (await meter("not a pace", lambda: ana.reply(pace_question, "fast-ish"),
                              writes=True)).last
    assert unreadable.text.startswith("I couldn't read that pace.")
    answer = await meter("the pace", lambda: ana.reply(unreadable, "5:30/km"), writes=True)
    assert "Got it: 5:30/km" in answer.text and "Turbo trainer: intervals" in answer.text
    # Not in the flow: converting the run in the command only reads.
    direct = await meter("/convert run", lambda: ana.send("/convert 5k easy"), writes=False)
    assert "Your run" in direct.text
    asked = await meter("menu convert", lambda: ana.press_data("sg:convert", on=prompt),
                        writes=True)
    assert "Which run do you want to replace?" in asked.last.text
    typed = await meter("typed run", lambda: ana.send("tempo 20 min"), writes=True)
    assert typed.text.startswith("🔁 Your run: tempo run")


async def test_week_and_a_day(tg: FakeTelegram, ana: ChatUser, clock: FakeClock,
                              stale: bool) -> None:
    await _onboard(ana, clock)
    meter = _Meter(tg, clock, ana, stale)
    week = (await meter("/week", lambda: ana.send("/week"), writes=False)).last
    assert len(week.labels) == 7
    label = week.labels[-1]
    day = await meter("a day", lambda: ana.press(label, on=week), writes=False)
    assert day.last.text.startswith("📅 ")


async def test_not_onboarded_writes_nothing_but_presence(tg: FakeTelegram, ana: ChatUser,
                                                         clock: FakeClock, stale: bool) -> None:
    await ana.send("hello")
    meter = _Meter(tg, clock, ana, stale)
    for command in ("/suggest", "/convert", "/week"):
        reply = await meter(command, partial(ana.send, command), writes=False)
        assert reply.text == "Let's set you up first: send /start."
