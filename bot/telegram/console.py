"""Console mode: the real Application and handlers, with the terminal as the chat.

Updates are made from typed lines and fed to the Application; whatever the bot "sends" to the
in-process Bot API stand-in is printed, with inline buttons numbered so `#2` can press them.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import threading
from itertools import count
from pathlib import Path
from typing import Any, TextIO

from bot.telegram.standin import BotApiStandIn

CONSOLE_USER: dict[str, Any] = {"id": 1_000_001, "is_bot": False, "first_name": "Runner",
                                "language_code": "en"}
HELP = ("Type to chat. #N presses button N of the last message, ^ text replies to the last "
        "message, @loc LAT LON shares a location. Ctrl-D or Ctrl-C quits.")

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML to terminal text."""
    text = re.sub(r"<a href=\"([^\"]+)\">([^<]*)</a>", r"\2 (\1)", text)
    return html.unescape(_TAG.sub("", text))


class ConsoleChat:
    """Turns typed lines into Bot API updates and bot calls into printed lines."""

    def __init__(self, api: BotApiStandIn, out: TextIO, files_dir: Path) -> None:
        self.api = api
        self.out = out
        self.files_dir = files_dir
        self.user: dict[str, Any] = dict(CONSOLE_USER)
        self.chat: dict[str, Any] = {"id": self.user["id"], "type": "private",
                                     "first_name": "Runner"}
        self._update_ids = count(1)
        self._last_with_buttons: dict[str, Any] | None = None
        self._last_message_id: int | None = None
        self._printed: dict[int, str] = {}
        api.listeners.append(self._on_call)

    # -- bot -> terminal --------------------------------------------------------------------

    def _on_call(self, method: str, params: dict[str, Any]) -> None:
        if method in ("sendMessage", "sendPhoto", "sendDocument", "editMessageText"):
            chat_id = int(params.get("chat_id", 0))
            key: tuple[int, int] | None
            if method == "editMessageText":
                key = (chat_id, int(params.get("message_id", 0)))
            else:
                key = max((k for k in self.api.messages if k[0] == chat_id),
                          key=lambda k: k[1], default=None)
            message = self.api.messages.get(key) if key else None
            if message is not None:
                self._print_message(method, message)
        elif method == "answerCallbackQuery" and params.get("text"):
            self._write(f"  ({plain(str(params['text']))})")

    def _print_message(self, method: str, message: dict[str, Any]) -> None:
        prefix = "coach (edited)" if method == "editMessageText" else "coach"
        if "photo" in message:
            body = f"[chart image] {plain(message.get('caption', ''))}"
        elif "document" in message:
            body = f"[file] {plain(message.get('caption', ''))}"
        else:
            body = plain(message.get("text", ""))
        before = self._printed.get(message["message_id"], "")
        self._printed[message["message_id"]] = body
        if method == "editMessageText" and before and body.startswith(before):
            # An answered question only gains its answer: print that, not the whole text again.
            body = body[len(before):].strip() or body
        self._write(f"\n{prefix}: {body}")
        self._last_message_id = message["message_id"]
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if rows:
            number = count(1)
            for row in rows:
                self._write("   " + "   ".join(f"[{next(number)}] {b['text']}" for b in row))
            self._last_with_buttons = message

    def _write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    # -- terminal -> bot --------------------------------------------------------------------

    def update_for(self, line: str, now: int) -> dict[str, Any] | None:
        """The Bot API update a typed line stands for, or None after printing a hint."""
        line = line.rstrip("\n")
        if not line.strip():
            return None
        if re.fullmatch(r"#\d+", line.strip()):
            return self._press(int(line.strip()[1:]), now)
        message: dict[str, Any] = {
            "message_id": self.api.next_message_id(self.chat["id"]),
            "date": now, "chat": self.chat, "from": self.user,
        }
        loc = re.fullmatch(r"@loc\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)", line.strip())
        if loc:
            message["location"] = {"latitude": float(loc[1]), "longitude": float(loc[2])}
        else:
            if line.startswith("^") and self._last_message_id is not None:
                line = line[1:].strip()
                original = self.api.messages.get((self.chat["id"], self._last_message_id))
                if original is not None:
                    message["reply_to_message"] = original
            message["text"] = line
            if line.startswith("/"):
                length = len(line.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def _press(self, number: int, now: int) -> dict[str, Any] | None:
        message = self._last_with_buttons
        buttons = [b for row in (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
                   for b in row]
        if message is None or not 1 <= number <= len(buttons):
            self._write("  (no such button on the last message)")
            return None
        button = buttons[number - 1]
        if "url" in button:
            self._write(f"  (link: {button['url']})")
            return None
        return {"update_id": next(self._update_ids), "callback_query": {
            "id": str(now) + str(number), "from": self.user, "chat_instance": "console",
            "message": message, "data": button.get("callback_data", ""),
        }}


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None],
                 stream: TextIO) -> None:
    # A daemon thread, so Ctrl-C or Ctrl-D never waits on a blocked read.
    def pump() -> None:
        for line in iter(stream.readline, ""):
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, daemon=True, name="console-stdin").start()


async def run_console(application: Any, api: BotApiStandIn, *, stdin: TextIO = sys.stdin,
                      out: TextIO = sys.stdout, files_dir: Path = Path("data")) -> None:
    from telegram import Update

    chat = ConsoleChat(api, out, files_dir)
    out.write("CrossCoach console — no Telegram token set, so you are chatting offline.\n")
    out.write(HELP + "\n")
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    _stdin_lines(asyncio.get_running_loop(), queue, stdin)
    clock = application.bot_data["services"].clock
    first = chat.update_for("/start", int(clock.now().timestamp()))
    async with application:
        await application.post_init(application)
        await application.start()
        try:
            assert first is not None
            await application.process_update(Update.de_json(first, application.bot))
            while (line := await queue.get()) is not None:
                update = chat.update_for(line, int(clock.now().timestamp()))
                if update is not None:
                    await application.process_update(Update.de_json(update, application.bot))
        finally:
            await application.stop()
            await application.post_shutdown(application)
    out.write("\nBye! Run `make run` again to carry on where you left off.\n")
