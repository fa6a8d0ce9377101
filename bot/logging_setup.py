"""Logging, stdout and stderr that never show the bot token or the webhook secret."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

# httpx logs every request URL at INFO, and Bot API URLs contain the token.
NOISY_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING,
                 "apscheduler": logging.WARNING, "aiosqlite": logging.WARNING}
REDACTED = "[REDACTED]"


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """Replaces each secret with a marker in the fully formatted record, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei), self._secrets)


class RedactingStream:
    """A text stream that writes through to `target` with every secret replaced.

    Whole lines are redacted, so a secret written in two pieces (a traceback printed a frame at
    a time, a print() and its newline) is still caught; `flush` writes out a partial line.
    Everything else (fileno, isatty, encoding…) is the target's, so libraries that look at the
    stream see the real one.
    """

    def __init__(self, target: TextIO, secrets: list[str]) -> None:
        self._target = target
        self._secrets = [s for s in secrets if s]
        self._pending = ""

    @property
    def target(self) -> TextIO:
        return self._target

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self._target.write(redact(complete + "\n", self._secrets))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._pending:
            self._target.write(redact(self._pending, self._secrets))
            self._pending = ""
        self._target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


def protect_standard_streams(secrets: list[str]) -> None:
    """Route stdout and stderr through a RedactingStream, so nothing printed (by us, a library,
    or Python's handler for an uncaught exception, which writes to sys.stderr) can show a
    secret. Idempotent: a second call replaces the secrets."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, RedactingStream):
            stream.flush()
            stream = stream.target
        setattr(sys, name, RedactingStream(stream, secrets))
    # Warnings go to stderr as well; through logging they get the formatter too.
    logging.captureWarnings(True)


class StartupReportFilter(logging.Filter):
    """Keeps python-telegram-bot's reports of a failed start to what helps: its own account of
    the failure ("Network Retry Loop (Bootstrap Initialize Application)", with a traceback) is
    dropped, since the command line names the problem in one line (bot.cli), and an answer that
    is not JSON (a misrouted TELEGRAM_API_BASE_URL) is logged without the JSON parser's
    traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram") or record.levelno < logging.WARNING:
            return True
        message = record.getMessage()
        if "(Bootstrap Initialize" in message:
            return False
        if message.startswith("Can not load invalid JSON data"):
            record.exc_info = record.exc_text = None
            record.msg, record.args = message[:200], None
        return True


def configure_logging(level: str, secrets: list[str], stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(StartupReportFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in NOISY_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
