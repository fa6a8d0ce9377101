"""Configuration: sensible defaults, and one clear line for each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Run from an empty folder with a content dir, so no developer .env leaks in.
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "CONTENT_DIR", "DEFAULT_TIMEZONE", "ADMIN_IDS", "LOG_LEVEL",
                 "TELEGRAM_API_BASE_URL", "SEND_RATE_PER_SECOND"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_mean_console_mode_on_sqlite() -> None:
    settings = load_settings()
    assert settings.console_mode
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.telegram_api_base_url == "https://api.telegram.org"


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=5, 6\nDEFAULT_TIMEZONE=Europe/London\n")
    settings = load_settings()
    assert settings.admin_ids == frozenset({5, 6})
    assert settings.default_timezone == "Europe/London"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL uses unsupported driver 'mysql'"),
        ("CONTENT_DIR", "no/such/dir", "CONTENT_DIR 'no/such/dir' is not a directory"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE 'Mars/Olympus' is not an IANA"),
        ("ADMIN_IDS", "alice", "ADMIN_IDS must be Telegram user ids"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL must start with http"),
        ("SEND_RATE_PER_SECOND", "500", "SEND_RATE_PER_SECOND Input should be less than"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
                                      message: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as excinfo:
        load_settings()
    assert str(excinfo.value).startswith(message)
    assert "\n" not in str(excinfo.value)


def test_a_malformed_token_is_rejected_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "supersecretvalue")
    with pytest.raises(ConfigError) as excinfo:
        load_settings()
    assert "TELEGRAM_BOT_TOKEN" in str(excinfo.value)
    assert "supersecretvalue" not in str(excinfo.value)


def test_plain_urls_get_async_drivers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/cc")
    assert load_settings().database_url == "postgresql+asyncpg://u:p@db:5432/cc"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///./x.db")
    assert load_settings().database_url == "sqlite+inloop:///./x.db"
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./x.db")
    assert load_settings().database_url == "sqlite+aiosqlite:///./x.db"
