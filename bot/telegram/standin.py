"""An in-process stand-in for the Telegram Bot API.

It answers the methods the bot uses the way Telegram does, keeps the messages it "sent" so edits
apply to them, records every call, and can be told to fail the next call in the ways Telegram
fails (403 blocked, 400 chat not found, 429 retry-after, timeouts). Console mode talks to it
instead of the network, and the test harness builds on it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT_ID = 7000001
BOT_USERNAME = "crosscoach_bot"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None


@dataclass
class Fault:
    """One injected failure. `chat_id` None matches any chat."""

    method: str
    # blocked | chat_not_found | retry_after | timeout | timeout_after_send | server_error
    kind: str
    chat_id: int | None = None
    retry_after: int = 5
    times: int = 1


class _Failure(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "span", "blockquote"}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


def parse_html(text: str) -> str:
    """What the user sees of an HTML-mode text, rejecting what Telegram would reject."""
    stack: list[str] = []
    for match in _TAG_RE.finditer(text):
        closing, tag = match[1] == "/", match[2].lower()
        if tag not in _ALLOWED_TAGS:
            raise _Failure(400, f"Bad Request: can't parse entities: unsupported start tag "
                                f"\"{tag}\"")
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            raise _Failure(400, "Bad Request: can't parse entities: unmatched end tag")
    if stack:
        raise _Failure(400, "Bad Request: can't parse entities: unclosed start tag")
    stripped = _TAG_RE.sub("", text)
    if re.search(r"<|>", stripped):
        raise _Failure(400, "Bad Request: can't parse entities: unescaped < or >")
    return html.unescape(stripped)


def _visible(params: dict[str, Any], key: str = "text") -> str:
    raw = str(params.get(key) or "")
    return parse_html(raw) if params.get("parse_mode") == "HTML" else raw


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": "A group"}
    return {"id": chat_id, "type": "private", "first_name": "Runner"}


class BotApiStandIn:
    """The fake server side: state and method implementations, with no transport."""

    def __init__(self, *, clock: Callable[[], int] | None = None) -> None:
        self.calls: list[ApiCall] = []
        self.faults: list[Fault] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.pending_updates: list[dict[str, Any]] = []
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        # Message dates: real time unless a test injects its clock (old dates read as stale).
        self._clock = clock or (lambda: int(time.time()))
        self._updates_event = asyncio.Event()

    # -- test and console controls -------------------------------------------------------------

    def fail(self, method: str, kind: str, *, chat_id: int | None = None, retry_after: int = 5,
             times: int = 1) -> None:
        self.faults.append(Fault(method, kind, chat_id, retry_after, times))

    def next_message_id(self, chat_id: int) -> int:
        # Shared with user messages made by the harness, so ids in a chat never collide.
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def queue_update(self, update: dict[str, Any]) -> None:
        self.pending_updates.append(update)
        self._updates_event.set()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    # -- dispatch -------------------------------------------------------------------------------

    async def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes]
                     ) -> tuple[int, dict[str, Any]]:
        chat_id = params.get("chat_id")
        fault = self._take_fault(method, chat_id)
        if fault is not None and fault.kind in ("timeout", "timeout_after_send"):
            if fault.kind == "timeout_after_send":
                # Telegram got it and delivered it; only the answer was lost on the way back.
                self.calls.append(ApiCall(method, params, files))
                self._perform(method, params, files)
            raise TimedOut("Timed out")
        call = ApiCall(method, params, files)
        self.calls.append(call)
        if fault is not None:
            return self._fault_response(fault)
        try:
            result = call.result = await self._perform_async(method, params, files)
        except _Failure as failure:
            body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                    "description": failure.description}
            if failure.parameters:
                body["parameters"] = failure.parameters
            return failure.status, body
        return 200, {"ok": True, "result": result}

    def _take_fault(self, method: str, chat_id: Any) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and (fault.chat_id is None or fault.chat_id == chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_response(fault: Fault) -> tuple[int, dict[str, Any]]:
        if fault.kind == "blocked":
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot was blocked by the user"}
        if fault.kind == "chat_not_found":
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: chat not found"}
        if fault.kind == "retry_after":
            return 429, {"ok": False, "error_code": 429,
                         "description": f"Too Many Requests: retry after {fault.retry_after}",
                         "parameters": {"retry_after": fault.retry_after}}
        return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}

    async def _perform_async(self, method: str, params: dict[str, Any],
                             files: dict[str, bytes]) -> Any:
        if method == "getUpdates":
            return await self._get_updates(params)
        return self._perform(method, params, files)

    def _perform(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise _Failure(404, "Not Found: method not found")
        result = handler(params, files)
        for listener in self.listeners:
            listener(method, params)
        return result

    # -- methods --------------------------------------------------------------------------------

    def _m_getMe(self, _p: dict[str, Any], _f: dict[str, bytes]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "CrossCoach",
                "username": BOT_USERNAME, "can_join_groups": False,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _store(self, chat_id: int, extra: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.next_message_id(chat_id),
            "date": self._clock(),
            "chat": _chat(chat_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "CrossCoach",
                     "username": BOT_USERNAME},
            **extra,
        }
        markup = _as_json(params.get("reply_markup"))
        # Telegram echoes only inline keyboards in the sent Message (not ForceReply and the like).
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _chat_id(self, params: dict[str, Any]) -> int:
        try:
            return int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise _Failure(400, "Bad Request: chat not found") from None

    def _m_sendMessage(self, p: dict[str, Any], _f: dict[str, bytes]) -> dict[str, Any]:
        text = _visible(p)
        if not text.strip():
            raise _Failure(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _Failure(400, "Bad Request: message is too long")
        return self._store(self._chat_id(p), {"text": text}, p)

    def _m_sendPhoto(self, p: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        size = len(files.get("photo", b""))
        photo = [{"file_id": f"photo{next(self._file_ids)}", "file_unique_id": "u",
                  "width": 800, "height": 500, "file_size": size}]
        extra: dict[str, Any] = {"photo": photo}
        if p.get("caption"):
            extra["caption"] = _visible(p, "caption")
        return self._store(self._chat_id(p), extra, p)

    def _m_sendDocument(self, p: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        document = {"file_id": f"doc{next(self._file_ids)}", "file_unique_id": "d",
                    "file_name": "file", "file_size": len(files.get("document", b""))}
        extra: dict[str, Any] = {"document": document}
        if p.get("caption"):
            extra["caption"] = _visible(p, "caption")
        return self._store(self._chat_id(p), extra, p)

    def _existing(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (self._chat_id(p), int(p.get("message_id", 0)))
        if key not in self.messages:
            raise _Failure(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _m_editMessageText(self, p: dict[str, Any], _f: dict[str, bytes]) -> dict[str, Any]:
        message = self._existing(p)
        text = _visible(p)
        if len(text) > 4096:
            raise _Failure(400, "Bad Request: message is too long")
        new_markup = _as_json(p["reply_markup"]) if p.get("reply_markup") else None
        if message.get("text") == text and message.get("reply_markup") == new_markup:
            raise _Failure(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        message["text"] = text
        message["edit_date"] = self._clock()
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        return message

    def _m_editMessageReplyMarkup(self, p: dict[str, Any], _f: dict[str, bytes]) -> Any:
        message = self._existing(p)
        if p.get("reply_markup"):
            message["reply_markup"] = _as_json(p["reply_markup"])
        else:
            message.pop("reply_markup", None)
        return message

    def _m_deleteMessage(self, p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        self.messages.pop((self._chat_id(p), int(p.get("message_id", 0))), None)
        return True

    def _m_answerCallbackQuery(self, _p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        return True

    def _m_sendChatAction(self, _p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        return True

    def _m_setMyCommands(self, p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        self.commands = list(_as_json(p.get("commands", [])))
        return True

    def _m_deleteMyCommands(self, _p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        self.commands = []
        return True

    def _m_setWebhook(self, p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        self.webhook = {"url": p.get("url", ""), "secret_token": p.get("secret_token")}
        return True

    def _m_deleteWebhook(self, _p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        self.webhook = {}
        return True

    def _m_getWebhookInfo(self, _p: dict[str, Any], _f: dict[str, bytes]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.pending_updates)}

    def _m_close(self, _p: dict[str, Any], _f: dict[str, bytes]) -> bool:
        return True

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        # Telegram forgets updates below the offset: that is how a poller confirms them.
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        if not self.pending_updates:
            self._updates_event.clear()
            timeout = float(p.get("timeout") or 0)
            if timeout > 0:
                try:
                    await asyncio.wait_for(self._updates_event.wait(), timeout=min(timeout, 1.0))
                except TimeoutError:
                    return []
        return list(self.pending_updates)


def _as_json(value: Any) -> Any:
    # PTB hands over JSON-encoded strings for nested objects in some code paths.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class StandInRequest(BaseRequest):
    """A python-telegram-bot request layer that talks to a BotApiStandIn instead of HTTPS."""

    def __init__(self, api: BotApiStandIn) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None
                         ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request_data is not None:
            params = {k: _as_json(v) if k in _JSON_FIELDS else v
                      for k, v in request_data.parameters.items()}
            if request_data.contains_files:
                for name, part in request_data.multipart_data.items():
                    content = part[1] if isinstance(part, tuple) else part
                    if hasattr(content, "read"):
                        content = content.read()
                    files[name] = bytes(content)
        status, body = await self.api.handle(api_method, params, files)
        return status, json.dumps(body).encode()


_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "entities"}
