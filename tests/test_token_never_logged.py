"""The bot token never appears in log output, at any level, tracebacks included."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from telegram.ext import CommandHandler

from bot.logging_setup import configure_logging
from tests.conftest import BotFactory
from tests.harness import ChatUser

TOKEN = "987654321:AAH-very-secret-token-value"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN], stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)


async def test_token_is_redacted_everywhere(make_bot: BotFactory, log_stream: io.StringIO) -> None:
    tg = await make_bot(telegram_bot_token=TOKEN)
    assert tg.application.bot.token == TOKEN

    async def leaky(update: object, context: object) -> None:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/sendMessage failed")

    tg.application.handlers[0].insert(0, CommandHandler("leak", leaky))
    user = ChatUser(tg, user_id=31, first_name="Dee")
    await user.send("/help")
    await user.send("/leak")
    logging.getLogger("httpx").warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe",
                                       TOKEN)
    logging.getLogger("bot").debug("debugging with %s", TOKEN)

    output = log_stream.getvalue()
    assert "Error handling update" in output and "Traceback" in output
    assert "[REDACTED]" in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output


def test_httpx_request_log_stays_below_info() -> None:
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        configure_logging("INFO", [TOKEN], io.StringIO())
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
