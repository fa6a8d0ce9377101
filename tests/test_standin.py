"""The fake Bot API behaves like Telegram where the bot depends on it, faults included."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.telegram.standin import BotApiStandIn, StandInRequest


@pytest.fixture
async def bot() -> Bot:
    api = BotApiStandIn()
    bot = Bot("123:abc", request=StandInRequest(api), get_updates_request=StandInRequest(api))
    await bot.initialize()
    return bot


def api_of(bot: Bot) -> BotApiStandIn:
    return bot.request.api  # type: ignore[attr-defined, no-any-return]


async def test_send_and_edit_keep_message_state(bot: Bot) -> None:
    sent = await bot.send_message(5, "hello")
    await bot.edit_message_text("hello again", chat_id=5, message_id=sent.message_id)
    assert api_of(bot).messages[(5, sent.message_id)]["text"] == "hello again"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("hello again", chat_id=5, message_id=sent.message_id)


async def test_injected_faults_raise_what_telegram_raises(bot: Bot) -> None:
    api = api_of(bot)
    api.fail("sendMessage", "blocked", chat_id=5)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(5, "x")
    api.fail("sendMessage", "chat_not_found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(6, "x")
    api.fail("sendMessage", "retry_after", retry_after=7)
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(6, "x")
    assert excinfo.value.retry_after == 7
    api.fail("sendMessage", "timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(6, "x")
    # Faults are used up: the next call goes through.
    await bot.send_message(6, "x")
    # A plain timeout never reached "Telegram", so it is the one attempt not recorded.
    assert [c.method for c in api.calls].count("sendMessage") == 4


async def test_timeout_after_send_still_delivers(bot: Bot) -> None:
    api = api_of(bot)
    api.fail("sendMessage", "timeout_after_send")
    with pytest.raises(TimedOut):
        await bot.send_message(9, "maybe delivered")
    assert [m["text"] for m in api.messages.values()] == ["maybe delivered"]


async def test_files_arrive_as_bytes(bot: Bot) -> None:
    await bot.send_document(5, document=b"a,b\n1,2\n", filename="logs.csv", caption="logs")
    call = api_of(bot).calls_to("sendDocument")[0]
    assert b"a,b\n1,2\n" in call.files.values()


async def test_get_updates_confirms_by_offset(bot: Bot) -> None:
    api = api_of(bot)
    api.queue_update({"update_id": 10, "message": {"message_id": 1, "date": 0,
                      "chat": {"id": 1, "type": "private"}, "text": "hi"}})
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [10]
    assert await bot.get_updates(offset=11, timeout=0) == ()
