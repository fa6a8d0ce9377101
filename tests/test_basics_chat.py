"""The bot's manners: help, and a friendly answer to everything it does not understand."""

from __future__ import annotations

from bot.telegram.standin import BotApiStandIn
from tests.harness import ChatUser, FakeTelegram


async def test_help_lists_the_commands(ana: ChatUser) -> None:
    reply = await ana.send("/help")
    assert "/start" in reply.text
    assert "/help" in reply.text
    assert "swam 30 min" in reply.text


async def test_command_menu_is_set_on_start(tg: FakeTelegram) -> None:
    names = [c["command"] for c in tg.api.commands]
    assert "start" in names and "help" in names


async def test_unknown_command_gets_pointed_to_help(ana: ChatUser) -> None:
    reply = await ana.send("/frobnicate now")
    assert reply.text == "I don't know the command /frobnicate. Send /help to see the ones I know."


async def test_sticker_and_photo_get_a_friendly_reply(ana: ChatUser) -> None:
    for action in (ana.send_sticker, ana.send_photo):
        reply = await action()
        assert "I can only read text and button taps" in reply.text


async def test_emoji_only_text(ana: ChatUser) -> None:
    reply = await ana.send("🏃‍♀️💨🔥")
    assert "I read words better than emoji" in reply.text


async def test_a_4096_character_message_is_answered(ana: ChatUser) -> None:
    reply = await ana.send("a" * 4096)
    assert "That's a long message" in reply.text
    assert len(reply.messages) == 1


async def test_html_in_user_text_is_not_interpreted(ana: ChatUser) -> None:
    reply = await ana.send("/x<b>y</b>")
    # Escaped, so Telegram shows the characters instead of rejecting the message.
    assert "&lt;b&gt;" in reply.calls[0].params["text"]


async def test_group_chat_asks_to_write_privately(tg: FakeTelegram) -> None:
    member = ChatUser(tg, user_id=77, first_name="Bo", chat_id=-100123, chat_type="group")
    reply = await member.send("/start")
    assert reply.text == "I coach one runner at a time. Write to me privately: @crosscoach_bot"


async def test_button_on_an_unknown_old_message_is_answered(ana: ChatUser, tg: FakeTelegram
                                                            ) -> None:
    await ana.send("/help")
    old = ana.messages()[-1]
    reply = await ana.press_data("v0:something-from-an-old-version", on=old)
    assert reply.answers == ["That button has expired. Send /help to see what I can do."]


async def test_the_user_is_remembered(ana: ChatUser, tg: FakeTelegram) -> None:
    services = tg.application.bot_data["services"]
    assert await services.users.get(ana.id) is None
    await ana.send("/help")
    user = await services.users.get(ana.id)
    assert user is not None and user.first_name == "Ana" and user.status == "active"


async def test_error_handler_apologises_and_logs(ana: ChatUser, tg: FakeTelegram,
                                                 caplog: object) -> None:
    import logging

    from telegram.ext import CommandHandler

    async def broken(update: object, context: object) -> None:
        raise RuntimeError("boom")

    # At the front of the main group, like any real command handler.
    tg.application.handlers[0].insert(0, CommandHandler("boom", broken))
    with_caplog = caplog  # pytest's LogCaptureFixture
    with_caplog.set_level(logging.ERROR)  # type: ignore[attr-defined]
    reply = await ana.send("/boom")
    assert reply.text == "Sorry, something went wrong on my side. Please try again in a moment."
    records = with_caplog.records  # type: ignore[attr-defined]
    assert any("Error handling update" in r.getMessage() and r.exc_info for r in records)


async def test_standin_rejects_too_long_messages() -> None:
    api = BotApiStandIn()
    status, body = await api.handle("sendMessage", {"chat_id": 1, "text": "x" * 4097}, {})
    assert status == 400 and "too long" in body["description"]


async def test_a_newcomer_typing_anything_is_pointed_to_start(ana: ChatUser) -> None:
    reply = await ana.send("hello there")
    assert reply.text == "I'm not sure what you mean. Send /start to set up your coaching first."
