"""Each log action is one write transaction, pain judgment and flagged profile included."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import Services
from bot.telegram.context import services_of
from tests.conftest import BotFactory
from tests.harness import ChatUser, FakeTelegram
from tests.test_logging_chat import live_logs, make_injured, send_nudge
from tests.transactions import TransactionCounter


@pytest.fixture
async def bot(make_bot: BotFactory, database_url: str) -> FakeTelegram:
    return await make_bot(database_url)


@pytest.fixture
def runner(bot: FakeTelegram) -> ChatUser:
    return ChatUser(bot, user_id=6161, first_name="Ana")


def _services(tg: FakeTelegram) -> Services:
    return services_of(tg.application)


def _counter(tg: FakeTelegram) -> TransactionCounter:
    return TransactionCounter(_services(tg).db)


async def test_a_reply_with_pain_and_a_warning_sign_is_one_write(
        bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    habit = next(iter(_services(bot).content.nudges))
    nudge, _ = await send_nudge(bot, runner, habit)
    with _counter(bot) as counted:
        reply = await runner.reply(nudge, "done, pain 7, calf is swollen and numb")
    assert counted.writes == 1, counted.write_statements
    assert "Logged" in reply.messages[0].text
    [log] = await live_logs(bot, runner.id)
    assert log.pain == 7
    profile = await _services(bot).profiles.get(runner.id)
    assert profile is not None and profile.unresolved_red_flags


async def test_log_command_edit_undo_and_pain_tap_are_one_write_each(
        bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    with _counter(bot) as counted:
        reply = await runner.send("/log swam 30 min easy")
    assert counted.writes == 1, counted.write_statements
    with _counter(bot) as counted:
        await runner.press("6", on=reply.messages[-1])
    assert counted.writes == 1, counted.write_statements
    with _counter(bot) as counted:
        await runner.edit(runner.sent[-1], "/log swam 40 min easy, pain 2")
    assert counted.writes == 1, counted.write_statements
    [log] = await live_logs(bot, runner.id)
    assert (log.minutes, log.pain) == (40.0, 2)
    with _counter(bot) as counted:
        await runner.press("↩️ Undo", on=reply.messages[0])
    assert counted.writes == 1, counted.write_statements
    assert await live_logs(bot, runner.id) == []


async def test_a_clarify_answer_is_one_write(bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    _services(bot).clock.advance(timedelta(hours=2))  # last seen is stale: the question writes it
    with _counter(bot) as counted:
        question = await runner.send("/log zumba 30")
    # The unclear text, the question's id and the refreshed last seen: one write, after the send.
    assert "Did you want to log a session?" in question.text
    assert counted.writes == 1, counted.write_statements
    with _counter(bot) as counted:
        await runner.press("Other…")
    assert counted.writes == 1, counted.write_statements
    [log] = await live_logs(bot, runner.id)
    assert log.minutes == 30.0


async def test_done_on_a_nudge_is_one_write(bot: FakeTelegram, runner: ChatUser) -> None:
    await make_injured(bot, runner)
    habit = next(iter(_services(bot).content.nudges))
    nudge, _ = await send_nudge(bot, runner, habit)
    with _counter(bot) as counted:
        await runner.press("✅ Done", on=nudge)
    assert counted.writes == 1, counted.write_statements
    [log] = await live_logs(bot, runner.id)
    assert log.source == "nudge"


async def test_plain_text_that_is_not_a_log_writes_nothing_of_its_own(
        bot: FakeTelegram, runner: ChatUser) -> None:
    await runner.send("hello")
    with _counter(bot) as counted:
        await runner.send("what a lovely day")
    assert counted.writes <= 1, counted.write_statements  # at most the last-seen refresh
