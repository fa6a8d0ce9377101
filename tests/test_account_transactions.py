"""Each account action is one write transaction, with what the gate learnt written inside it."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.db.models import User
from bot.telegram.context import services_of
from tests.harness import ChatUser, FakeTelegram
from tests.test_onboarding_chat import onboard_uninjured, rows
from tests.transactions import TransactionCounter


def _counter(tg: FakeTelegram) -> TransactionCounter:
    return TransactionCounter(services_of(tg.application).db)


async def test_pause_resume_stop_each_write_once(ana: ChatUser, tg: FakeTelegram,
                                                 clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    for command in ("/pause 3", "/resume", "/stop", "/resume"):
        with _counter(tg) as counted:
            await ana.send(command)
        assert counted.writes == 1, (command, counted.write_statements)


async def test_a_stale_last_seen_is_written_with_the_action_not_before_it(
        ana: ChatUser, tg: FakeTelegram, clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    clock.advance(timedelta(hours=2))  # last_seen_at is now stale: this message refreshes it
    with _counter(tg) as counted:
        reply = await ana.send("/pause 2")
    assert reply.text.startswith("Paused for 2 days.")
    assert counted.writes == 1, counted.write_statements
    [user] = await rows(tg, User, ana.id)
    assert user.last_seen_at == clock.now()
    assert user.paused_until == clock.now() + timedelta(days=2)


async def test_an_update_that_writes_nothing_else_still_refreshes_last_seen(
        ana: ChatUser, tg: FakeTelegram, clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    clock.advance(timedelta(hours=2))
    with _counter(tg) as counted:
        reply = await ana.send("/privacy")
    assert "What I store and why" in reply.text
    assert counted.writes == 1
    [user] = await rows(tg, User, ana.id)
    assert user.last_seen_at == clock.now()
    with _counter(tg) as counted:
        await ana.send("/help")  # a minute later nothing is stale: no write at all
    assert counted.writes == 0


async def test_export_and_delete_each_write_at_most_once(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    with _counter(tg) as counted:
        reply = await ana.send("/export")
    assert [m.is_document for m in reply.messages] == [True, True]
    assert counted.writes == 0
    with _counter(tg) as counted:
        question = (await ana.send("/delete")).last
    assert counted.writes == 1
    with _counter(tg) as counted:
        reply = await ana.press("Keep my data", on=question)
    assert "Nothing was deleted" in reply.text and counted.writes == 1
    question = (await ana.send("/delete")).last
    with _counter(tg) as counted:
        reply = await ana.press("Yes, delete everything", on=question)
    assert "All your data is deleted" in reply.text
    assert counted.writes == 1
    assert await rows(tg, User, ana.id) == []


async def test_blocking_and_unblocking_each_write_once(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    with _counter(tg) as counted:
        await ana.block_bot()
    assert counted.writes == 1
    [user] = await rows(tg, User, ana.id)
    assert (user.status, user.next_nudge_at) == ("blocked", None)
    with _counter(tg) as counted:
        await ana.unblock_bot()
    assert counted.writes == 1
    [user] = await rows(tg, User, ana.id)
    assert user.status == "active" and user.next_nudge_at is not None


async def test_a_blocked_user_who_writes_is_reachable_again_in_the_same_transaction(
        ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await ana.block_bot()
    with _counter(tg) as counted:
        await ana.send("/stop")
    # The gate's "reachable again" and the /stop are one transaction, and /stop wins.
    assert counted.writes == 1
    [user] = await rows(tg, User, ana.id)
    assert (user.status, user.next_nudge_at) == ("stopped", None)
