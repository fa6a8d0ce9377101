"""Each action of onboarding, /settings, /injury and /cancel costs at most one write
transaction, with the gate's presence (a refreshed last-seen) written inside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from bot.clock import FakeClock
from bot.services import services_of
from tests.harness import ChatUser, FakeTelegram, Reply
from tests.test_onboarding_chat import onboard_uninjured, step_of
from tests.transactions import TransactionCounter


async def counted(tg: FakeTelegram, act: Callable[[], Awaitable[Reply]]
                  ) -> tuple[Reply, TransactionCounter]:
    with TransactionCounter(services_of(tg.application).db) as counter:
        reply = await act()
    assert counter.rolled_back_writes == 0
    return reply, counter


async def test_start_of_a_brand_new_user(tg: FakeTelegram, ana: ChatUser) -> None:
    reply, cost = await counted(tg, lambda: ana.send("/start"))
    assert "Hi Ana!" in reply.text
    # The new user's row and the conversation; one transaction once the gate no longer writes
    # a new user's row ahead of the action.
    assert cost.writes == 1  # the new user row and the conversation, together
    assert await step_of(tg, ana.id) == "disclaimer"


async def test_every_onboarding_step_is_one_write(tg: FakeTelegram, ana: ChatUser) -> None:
    await ana.send("/start")
    for step in (lambda: ana.press("I understand"), lambda: ana.press("Not injured"),
                 lambda: ana.press("Turbo trainer"),  # ticked in place
                 lambda: ana.press("Done"), lambda: ana.press("30 min"),
                 lambda: ana.send("not a number"),  # asked again
                 lambda: ana.press("4"), lambda: ana.press("07:00"),
                 lambda: ana.press("« Back"), lambda: ana.press("07:00"),
                 lambda: ana.send("london"),
                 lambda: ana.press("✏️ Time"),  # an edit from the summary
                 lambda: ana.press("45 min"), lambda: ana.press("3")):
        _, cost = await counted(tg, step)
        assert cost.writes == 1, cost.write_statements
    assert await step_of(tg, ana.id) == "summary"
    reply, cost = await counted(tg, lambda: ana.press("Confirm"))
    assert "You're all set!" in reply.text
    assert cost.writes == 1, cost.write_statements
    assert await step_of(tg, ana.id) is None


async def test_start_again_mid_onboarding_is_one_write(tg: FakeTelegram, ana: ChatUser) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    reply, cost = await counted(tg, lambda: ana.send("/start"))
    assert "pick up where we left off" in reply.text
    assert cost.writes == 1


async def test_start_when_set_up_writes_nothing_but_presence(tg: FakeTelegram, ana: ChatUser
                                                             ) -> None:
    await onboard_uninjured(ana)
    reply, cost = await counted(tg, lambda: ana.send("/start"))
    assert "Welcome back, Ana!" in reply.text
    assert cost.writes <= 1


async def test_a_stale_tap_writes_nothing_but_presence(tg: FakeTelegram, ana: ChatUser) -> None:
    await ana.send("/start")
    first = ana.last_with_buttons()
    await ana.press("I understand", on=first)
    reply, cost = await counted(tg, lambda: ana.press_data("ob:disclaimer:ok", on=first))
    assert reply.answers == ["That question has passed. Please answer the latest one."]
    assert cost.writes <= 1


async def test_settings_actions(tg: FakeTelegram, ana: ChatUser, clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    # Later than the gate's last-seen refresh: the presence rides with each action's write.
    clock.advance(timedelta(minutes=10))
    reply, cost = await counted(tg, lambda: ana.send("/settings"))
    assert "Your settings" in reply.text
    assert cost.writes == 1
    clock.advance(timedelta(minutes=10))
    _, cost = await counted(tg, lambda: ana.press("✏️ Nudges"))
    assert cost.writes == 1, cost.write_statements
    _, cost = await counted(tg, lambda: ana.press("20:00"))
    assert cost.writes == 1
    reply, cost = await counted(tg, lambda: ana.send("Asia/Kolkata"))
    assert "Saved ✅" in reply.text
    assert cost.writes == 1, cost.write_statements
    assert await step_of(tg, ana.id) is None


async def test_a_settings_button_of_a_stranger_section_is_stale(tg: FakeTelegram,
                                                                ana: ChatUser) -> None:
    await onboard_uninjured(ana)
    reply = await ana.send("/settings")
    reply, cost = await counted(tg, lambda: ana.press_data("st:nothing", on=reply.last))
    assert reply.answers == ["That question has passed. Please answer the latest one."]
    assert cost.writes <= 1


async def test_injury_actions(tg: FakeTelegram, ana: ChatUser, clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    clock.advance(timedelta(minutes=10))
    _, cost = await counted(tg, lambda: ana.send("/injury"))
    assert cost.writes == 1, cost.write_statements
    for label in ("Injured right now", "Calf strain", "1–3 weeks ago", "2", "No", "Yes"):
        _, cost = await counted(tg, partial(ana.press, label))
        assert cost.writes == 1
    reply, cost = await counted(tg, lambda: ana.press("None of these"))
    assert "Injury updated ✅" in reply.text
    assert cost.writes == 1, cost.write_statements


async def test_cancel(tg: FakeTelegram, ana: ChatUser) -> None:
    await ana.send("/start")
    reply, cost = await counted(tg, lambda: ana.send("/cancel"))
    assert reply.text.startswith("Cancelled. Nothing was changed.")
    assert cost.writes == 1
    reply, cost = await counted(tg, lambda: ana.send("/cancel"))
    assert reply.text == "There's nothing to cancel."
    assert cost.writes <= 1


async def test_a_typed_answer_outside_any_flow_is_not_claimed(tg: FakeTelegram,
                                                              ana: ChatUser) -> None:
    await onboard_uninjured(ana)
    reply, cost = await counted(tg, lambda: ana.send("🙂"))
    assert "emoji" in reply.text  # the fallback answered: onboarding let it through
    assert cost.writes <= 1
