"""The one codec for inline-button callback data.

Every button the bot sends is built from a `Button` spec, and every tap is read back through
`decode`, so the shapes cannot drift between the keyboard that sends and the handler that reads.
Callback data comes from the user's client and can be anything (an old message, another version
of the bot, a forged query): `decode` returns None for whatever does not match a spec exactly,
with integers bounded and dates checked, and the handler answers "That button has expired"
instead of raising.

Data is `prefix:action[:field...]`, ASCII, at most Telegram's 64 bytes.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

MAX_BYTES = 64
# Ids from our database; anything larger cannot be ours (and would overflow BIGINT).
MAX_ID = 2**63 - 1
_SEPARATOR = ":"
WILDCARD = "*"
_TOKEN = re.compile(r"[A-Za-z0-9_.+-]+")


class Field:
    """One typed field of callback data."""

    def encode(self, value: object) -> str:
        raise NotImplementedError

    def decode(self, text: str) -> object | None:
        """The value, or None when `text` is not one this field can hold."""
        raise NotImplementedError


@dataclass(frozen=True)
class Int(Field):
    low: int = 0
    high: int = MAX_ID

    def encode(self, value: object) -> str:
        if not isinstance(value, int) or isinstance(value, bool) or not (
                self.low <= value <= self.high):
            raise ValueError(f"{value!r} is not an integer in [{self.low}, {self.high}]")
        return str(value)

    def decode(self, text: str) -> int | None:
        # isascii + isdigit: "٣" and "²" are digits to Python but never ours; no sign, no
        # leading "+", and a length cap before int() so a 4,000-digit number costs nothing.
        negative = text.startswith("-") and self.low < 0
        digits = text[1:] if negative else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
            return None
        value = -int(digits) if negative else int(digits)
        return value if self.low <= value <= self.high else None


@dataclass(frozen=True)
class Day(Field):
    """A calendar date as YYYYMMDD."""

    def encode(self, value: object) -> str:
        if not isinstance(value, date):
            raise ValueError(f"{value!r} is not a date")
        return value.strftime("%Y%m%d")

    def decode(self, text: str) -> date | None:
        if len(text) != 8 or not (text.isascii() and text.isdigit()):
            return None
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None


@dataclass(frozen=True)
class Token(Field):
    """An identifier: letters, digits and `_.+-`, at most `max_len` characters."""

    max_len: int = 40

    def encode(self, value: object) -> str:
        if not isinstance(value, str) or not _TOKEN.fullmatch(value) or len(value) > self.max_len:
            raise ValueError(f"{value!r} is not a callback token")
        return value

    def decode(self, text: str) -> str | None:
        return text if len(text) <= self.max_len and _TOKEN.fullmatch(text) else None


@dataclass(frozen=True)
class Rest(Field):
    """The rest of the data, separators included (a free value such as "edit:injury" or
    "loc:51.5,-0.1"); printable ASCII only. Only as the last field."""

    max_len: int = 48

    def encode(self, value: object) -> str:
        if not isinstance(value, str) or not value or len(value) > self.max_len or not (
                value.isascii() and value.isprintable()):
            raise ValueError(f"{value!r} is not a callback value")
        return value

    def decode(self, text: str) -> str | None:
        if not text or len(text) > self.max_len or not (text.isascii() and text.isprintable()):
            return None
        return text


@dataclass(frozen=True)
class Button:
    """The shape of one kind of button: a prefix, an action and typed fields."""

    prefix: str
    action: str
    fields: tuple[Field, ...] = ()
    registry: ClassVar[dict[tuple[str, str], Button]] = {}

    def __post_init__(self) -> None:
        key = (self.prefix, self.action)
        if key in Button.registry and Button.registry[key] != self:
            raise ValueError(f"two button specs for {self.prefix}:{self.action}")
        if any(isinstance(f, Rest) for f in self.fields[:-1]):
            raise ValueError("Rest may only be the last field")
        Button.registry[key] = self

    def data(self, *values: object) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix}:{self.action} takes {len(self.fields)} values")
        parts = [self.prefix] if self.action == WILDCARD else [self.prefix, self.action]
        parts += [field.encode(value) for field, value in zip(self.fields, values, strict=True)]
        text = _SEPARATOR.join(parts)
        if len(text.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {text!r}")
        return text

    def read(self, rest: str) -> tuple[object, ...] | None:
        """The values of the part after "prefix:action", or None if it does not fit."""
        if not self.fields:
            return () if rest == "" else None
        if rest == "":
            return None
        last = self.fields[-1]
        pieces = rest.split(_SEPARATOR, len(self.fields) - 1) if isinstance(last, Rest) \
            else rest.split(_SEPARATOR)
        if len(pieces) != len(self.fields):
            return None
        values = []
        for field, piece in zip(self.fields, pieces, strict=True):
            value = field.decode(piece)
            if value is None:
                return None
            values.append(value)
        return tuple(values)


@dataclass(frozen=True)
class Tap:
    """A decoded tap: which button spec it matched and its typed values."""

    button: Button
    values: tuple[object, ...]

    @property
    def action(self) -> str:
        return self.button.action

    # Named for the field types they return; the builtins are spelled out because inside the
    # class body these names are the methods.
    def int(self, index: builtins.int) -> builtins.int:
        value = self.values[index]
        assert isinstance(value, builtins.int)
        return value

    def str(self, index: builtins.int) -> builtins.str:
        value = self.values[index]
        assert isinstance(value, builtins.str)
        return value

    def date(self, index: builtins.int) -> date:
        value = self.values[index]
        assert isinstance(value, date)
        return value


def decode(data: str | None, prefix: str) -> Tap | None:
    """The tap for callback data under `prefix`, or None for anything malformed or forged."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    head, sep, tail = data.partition(_SEPARATOR)
    if head != prefix or not sep:
        return None
    action, _, rest = tail.partition(_SEPARATOR)
    button = Button.registry.get((prefix, action))
    if button is None:
        # A spec whose "action" is itself a free value (e.g. onboarding steps) is registered
        # under WILDCARD and reads the whole tail as its fields.
        wildcard = Button.registry.get((prefix, WILDCARD))
        if wildcard is None:
            return None
        values = wildcard.read(tail)
        return None if values is None else Tap(wildcard, values)
    values = button.read(rest)
    return None if values is None else Tap(button, values)


def pattern(prefix: str) -> str:
    """The CallbackQueryHandler pattern for a prefix: the codec decides the rest."""
    return f"^{re.escape(prefix)}{_SEPARATOR}"
