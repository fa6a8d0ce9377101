"""Shared fixtures: the shipped content pack, an injected clock, real databases, and the bot."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.content import ContentPack, load_pack
from bot.telegram.standin import BotApiStandIn
from tests.harness import ChatUser, FakeTelegram

# A loaded CI machine must not turn slow examples into failures: no per-example deadline.
settings.register_profile("crosscoach", deadline=None)
settings.load_profile("crosscoach")

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def make_settings(**overrides: Any) -> Settings:
    """Settings for a test: never read the developer's .env or environment secrets."""
    values: dict[str, Any] = {"content_dir": CONTENT_DIR, "telegram_bot_token": None}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def content() -> ContentPack:
    return load_pack(CONTENT_DIR)


@pytest.fixture
def clock() -> FakeClock:
    # A Monday morning in winter, London = UTC.
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+inloop:///{tmp_path / 'crosscoach.db'}"


def _pg_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL).replace(
        "postgresql://", "postgresql+asyncpg://"
    )


async def _pg_execute(sql: str) -> None:
    import asyncpg

    url = _pg_admin_url().replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_reachable() -> bool:
    # A thread of its own: this may be first asked from inside a running event loop.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(asyncio.run, _pg_execute("SELECT 1")).result(timeout=10)
        except Exception:
            return False
    return True


@pytest.fixture(scope="session")
def pg_available() -> bool:
    reachable = _pg_reachable()
    if not reachable and os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is not reachable at {_pg_admin_url()} and CI is set")
    return reachable


@contextlib.asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """A new, empty database for one test, dropped afterwards whatever happens."""
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    await _pg_execute(f'CREATE DATABASE "{name}"')
    base = _pg_admin_url().rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        await _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Node ids of tests that asked for PostgreSQL, for the closing summary line.
_PG_TESTS: set[str] = set()


@pytest.fixture
async def pg_url(pg_available: bool, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    _PG_TESTS.add(request.node.nodeid)
    if not pg_available:
        pytest.skip("PostgreSQL not reachable (these tests always run in CI)")
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+inloop:///{tmp_path / 'crosscoach.db'}"
        return
    request.applymarker(pytest.mark.postgres)
    _PG_TESTS.add(request.node.nodeid)
    pg_available = request.getfixturevalue("pg_available")
    if not pg_available:
        pytest.skip("PostgreSQL not reachable (these tests always run in CI)")
    async with fresh_pg_database() as url:
        yield url


BotFactory = Callable[..., Awaitable[FakeTelegram]]


@pytest.fixture
async def make_bot(content: ContentPack, clock: FakeClock, sqlite_url: str
                   ) -> AsyncIterator[BotFactory]:
    """Build (and later shut down) bots; several may share one database, like workers."""
    built: list[FakeTelegram] = []

    async def factory(database_url: str | None = None, *, api: BotApiStandIn | None = None,
                      **overrides: Any) -> FakeTelegram:
        settings = make_settings(database_url=database_url or sqlite_url, **overrides)
        api = api or BotApiStandIn(clock=lambda: int(clock.now().timestamp()))
        application = build_application(settings, FakeTelegram.request_for(api), clock=clock,
                                        content=content)
        await application.initialize()
        assert application.post_init is not None
        await application.post_init(application)
        tg = FakeTelegram(application, api)
        built.append(tg)
        return tg

    yield factory
    for tg in built:
        await tg.application.shutdown()
        assert tg.application.post_shutdown is not None
        await tg.application.post_shutdown(tg.application)


@pytest.fixture
async def tg(make_bot: BotFactory) -> FakeTelegram:
    return await make_bot()


@pytest.fixture
def ana(tg: FakeTelegram) -> ChatUser:
    return ChatUser(tg, user_id=4242, first_name="Ana")


@pytest.fixture(autouse=True)
def _no_env_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A developer's real token in the environment must never reach a test.
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    yield


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly whether the PostgreSQL tests ran, so a CI log can't hide a silent skip."""
    def on_postgres(report: Any) -> bool:
        return report.nodeid in _PG_TESTS

    passed = [r for r in terminalreporter.stats.get("passed", []) if on_postgres(r)]
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if on_postgres(r)]
    failed = [r for r in terminalreporter.stats.get("failed", []) if on_postgres(r)]
    terminalreporter.write_line(
        f"PostgreSQL tests: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped "
        f"(server {_pg_admin_url().split('@')[-1]})"
    )
