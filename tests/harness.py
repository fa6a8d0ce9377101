"""The offline Telegram harness: a real Application over the Bot API stand-in, and a ChatUser
that talks to it the way a person on a phone does.

    ana = ChatUser(bot, user_id=42, first_name="Ana")
    reply = await ana.send("/start")
    assert "Welcome" in reply.text
    await ana.press("I understand")
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.app import CoachApplication
from bot.telegram.standin import BotApiStandIn, StandInRequest

_update_ids = itertools.count(1000)
_callback_ids = itertools.count(1)


@dataclass
class BotMessage:
    """A message the bot sent, as it stands now (edits applied)."""

    raw: dict[str, Any]

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def text(self) -> str:
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def buttons(self) -> list[list[str]]:
        rows = self.raw.get("reply_markup", {}).get("inline_keyboard", [])
        return [[b["text"] for b in row] for row in rows]

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def button(self, label: str) -> dict[str, Any]:
        rows = self.raw.get("reply_markup", {}).get("inline_keyboard", [])
        matches = [b for row in rows for b in row if b["text"] == label]
        if not matches:
            matches = [b for row in rows for b in row if label.lower() in b["text"].lower()]
        if not matches:
            raise AssertionError(f"no button {label!r} on message: {self.labels}")
        return matches[0]

    @property
    def is_photo(self) -> bool:
        return "photo" in self.raw

    @property
    def is_document(self) -> bool:
        return "document" in self.raw


@dataclass
class Reply:
    """What the bot did in answer to one user action."""

    messages: list[BotMessage]
    answers: list[str]  # texts of answerCallbackQuery (toasts), "" for a silent answer
    edits: list[BotMessage]
    calls: list[Any]

    @property
    def text(self) -> str:
        """All sent and edited texts, joined: what the user now reads."""
        return "\n".join(m.text for m in self.messages + self.edits)

    @property
    def last(self) -> BotMessage:
        if self.messages:
            return self.messages[-1]
        if self.edits:
            return self.edits[-1]
        raise AssertionError("the bot sent nothing")

    @property
    def silent(self) -> bool:
        return not self.messages and not self.edits and not any(self.answers)


class FakeTelegram:
    """The Bot API stand-in plus the Application wired to it."""

    def __init__(self, application: CoachApplication, api: BotApiStandIn) -> None:
        self.application = application
        self.api = api

    @staticmethod
    def request_for(api: BotApiStandIn) -> StandInRequest:
        return StandInRequest(api)

    async def feed(self, update: dict[str, Any]) -> Reply:
        start = len(self.api.calls)
        await self.application.process_update(Update.de_json(update, self.application.bot))
        calls = self.api.calls[start:]
        messages, edits, answers = [], [], []
        for call in calls:
            chat_id = call.params.get("chat_id")
            if call.method in ("sendMessage", "sendPhoto", "sendDocument"):
                if isinstance(call.result, dict):
                    key = (int(chat_id), int(call.result["message_id"]))
                    messages.append(BotMessage(self.api.messages.get(key, call.result)))
            elif call.method in ("editMessageText", "editMessageReplyMarkup"):
                key = (int(chat_id), int(call.params["message_id"]))
                if key in self.api.messages:
                    edits.append(BotMessage(self.api.messages[key]))
            elif call.method == "answerCallbackQuery":
                answers.append(str(call.params.get("text") or ""))
        return Reply(messages, answers, edits, calls)


class ChatUser:
    """One person in a private chat with the bot."""

    def __init__(self, telegram: FakeTelegram, user_id: int, first_name: str = "Ana",
                 *, language_code: str = "en", chat_id: int | None = None,
                 chat_type: str = "private") -> None:
        self.tg = telegram
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name,
                     "language_code": language_code}
        chat_id = chat_id if chat_id is not None else user_id
        self.chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            self.chat["first_name"] = first_name
        else:
            self.chat["title"] = "Running club"
        self.now = 1_790_000_000
        self.sent: list[dict[str, Any]] = []

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def _message(self, **fields: Any) -> dict[str, Any]:
        message = {"message_id": self.tg.api.next_message_id(self.chat["id"]),
                   "date": self.now, "chat": self.chat, "from": self.user, **fields}
        self.sent.append(message)
        return message

    async def send(self, text: str, *, reply_to: BotMessage | None = None) -> Reply:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(text.split()[0])}]
        if reply_to is not None:
            fields["reply_to_message"] = reply_to.raw
        return await self.tg.feed({"update_id": next(_update_ids),
                                   "message": self._message(**fields)})

    async def reply(self, to: BotMessage, text: str) -> Reply:
        return await self.send(text, reply_to=to)

    async def edit(self, original: dict[str, Any], new_text: str) -> Reply:
        # Telegram parses the new text afresh: a command entity only if it now starts with one.
        edited = {k: v for k, v in original.items() if k != "entities"}
        edited.update(text=new_text, edit_date=self.now + 60)
        if new_text.startswith("/"):
            edited["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(new_text.split()[0])}]
        return await self.tg.feed({"update_id": next(_update_ids), "edited_message": edited})

    async def resend(self, update_message: dict[str, Any]) -> Reply:
        """Telegram redelivering the same message (same message id) in a new update."""
        return await self.tg.feed({"update_id": next(_update_ids), "message": update_message})

    async def press(self, label: str, on: BotMessage | None = None) -> Reply:
        message = on or self.last_with_buttons()
        # Telegram sends the message as it is now, with edits applied.
        current = self.tg.api.messages.get((self.chat["id"], message.message_id), message.raw)
        button = BotMessage(current).button(label)
        return await self.tg.feed({"update_id": next(_update_ids), "callback_query": {
            "id": str(next(_callback_ids)), "from": self.user, "chat_instance": "ci",
            "message": current, "data": button["callback_data"],
        }})

    async def press_data(self, data: str, on: BotMessage) -> Reply:
        """Press a button by its raw callback data (e.g. one from an old keyboard)."""
        return await self.tg.feed({"update_id": next(_update_ids), "callback_query": {
            "id": str(next(_callback_ids)), "from": self.user, "chat_instance": "ci",
            "message": on.raw, "data": data,
        }})

    async def send_sticker(self) -> Reply:
        sticker = {"file_id": "stk", "file_unique_id": "stku", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "type": "regular"}
        return await self.tg.feed({"update_id": next(_update_ids),
                                   "message": self._message(sticker=sticker)})

    async def send_photo(self) -> Reply:
        photo = [{"file_id": "ph", "file_unique_id": "phu", "width": 90, "height": 90}]
        return await self.tg.feed({"update_id": next(_update_ids),
                                   "message": self._message(photo=photo)})

    async def share_location(self, latitude: float, longitude: float) -> Reply:
        location = {"latitude": latitude, "longitude": longitude}
        return await self.tg.feed({"update_id": next(_update_ids),
                                   "message": self._message(location=location)})

    async def block_bot(self) -> Reply:
        return await self._member_change("member", "kicked")

    async def unblock_bot(self) -> Reply:
        return await self._member_change("kicked", "member")

    async def _member_change(self, old: str, new: str) -> Reply:
        bot_user = {"id": 7000001, "is_bot": True, "first_name": "CrossCoach",
                    "username": "crosscoach_bot"}
        def member(status: str) -> dict[str, Any]:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"status": status, "user": bot_user, **extra}

        return await self.tg.feed({"update_id": next(_update_ids), "my_chat_member": {
            "chat": self.chat, "from": self.user, "date": self.now,
            "old_chat_member": member(old), "new_chat_member": member(new),
        }})

    def messages(self) -> list[BotMessage]:
        """Every message in this chat from the bot, oldest first, as it stands now."""
        keys = sorted(k for k in self.tg.api.messages if k[0] == self.chat["id"])
        return [BotMessage(self.tg.api.messages[k]) for k in keys]

    def last_with_buttons(self) -> BotMessage:
        for message in reversed(self.messages()):
            if message.buttons:
                return message
        raise AssertionError("no bot message with buttons in this chat")
