"""Settings read from the environment and `.env`, validated once at start-up."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.coach.timezones import canonical_zone

DEFAULT_DATABASE_URL = "sqlite+inloop:///./data/crosscoach.db"

# Async drivers we ship with. A plain `postgresql://` or `sqlite://` URL is rewritten to them so an
# operator can paste the URL their platform gives them.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+inloop",
    "sqlite+inloop": "sqlite+inloop",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class Settings(BaseSettings):
    """Every knob of the bot. `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = Path("content")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    default_timezone: str = "UTC"

    # Nudges (see docs/architecture.md, "Nudges").
    sweep_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    sweep_batch_size: int = Field(default=500, ge=1, le=100_000)
    nudge_grace_hours: float = Field(default=3.0, ge=0, le=48)
    send_rate_per_second: float = Field(default=25.0, gt=0, le=30)
    quiet_hours_start: time = time(21, 30)
    quiet_hours_end: time = time(7, 0)
    nudge_sender: bool = True

    # Webhook mode.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    processed_update_ttl_hours: float = Field(default=48.0, gt=0)
    # A worker's claim on an update is a lease: another worker may take the update again once
    # this long has passed without the claim being finished (the worker died mid-update).
    update_lease_seconds: float = Field(default=60.0, ge=5, le=3600)
    # When set, GET /metrics needs "Authorization: Bearer <token>". Without it /metrics is only
    # served by a worker bound to a loopback address.
    metrics_token: SecretStr | None = None

    @field_validator("telegram_bot_token", "metrics_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # `.env.example` ships `TELEGRAM_BOT_TOKEN=`; empty means "console mode", not "bad token".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            bot_id, sep, secret = raw.partition(":")
            if not (sep and bot_id.isdigit() and secret):
                # Never echo the value: it is a secret even when malformed.
                raise ValueError("must look like 123456:ABC-DEF… as given by @BotFather")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value.strip())
        except ArgumentError:
            raise ValueError(
                "is not a database URL; use e.g. sqlite:///./data/crosscoach.db "
                "or postgresql://user@host/dbname"
            ) from None
        driver = _ASYNC_DRIVERS.get(url.drivername)
        if driver is None:
            raise ValueError(
                f"uses unsupported driver {url.drivername!r}; use sqlite or postgresql"
            )
        if driver.startswith("postgresql") and not url.database:
            raise ValueError("names no database")
        return url.set(drivername=driver).render_as_string(hide_password=False)

    @field_validator("content_dir")
    @classmethod
    def _content_dir(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"{str(value)!r} is not a directory")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be Telegram user ids separated by commas")
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London") from None
        # Stored for users who have none (or lost theirs), so it is stored canonical too.
        return canonical_zone(value)

    @property
    def console_mode(self) -> bool:
        return self.telegram_bot_token is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secrets(self) -> list[str]:
        """Every value that must never reach a log line, stdout or stderr."""
        values = [self.telegram_bot_token, self.webhook_secret, self.metrics_token]
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


class ConfigError(Exception):
    """A configuration problem, already phrased as the one line an operator should read."""


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "SETTINGS"
            message = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{name} {message}")
        raise ConfigError("; ".join(lines)) from None
