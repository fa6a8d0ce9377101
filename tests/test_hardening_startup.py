"""Start-up failures, as an operator meets them: one line naming the problem, never the token or
the webhook secret on stdout or stderr (uncaught tracebacks included), never a traceback for a
rejected token, a misrouted Bot API URL, a read-only SQLite file or an unreachable database."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.telegram.standin import BotApiStandIn
from tests.http_standin import HttpStandIn, free_port
from tests.test_cli import TOKEN, cli_env

SECRET = "hush_hush-webhook-secret"
WRONG_TOKEN = "123456789:AAF-this-token-is-revoked"


async def run_bot(tmp_path: Path, args: list[str], **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=cli_env(tmp_path, **env), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def assert_one_clean_line(code: int, out: str, err: str, expected: str) -> None:
    everything = out + err
    assert code == 1, everything
    for secret in (TOKEN, WRONG_TOKEN, SECRET):
        assert secret not in everything
        assert secret.split(":")[-1] not in everything
    assert "Traceback" not in everything
    lines = [line for line in err.splitlines() if line.startswith("crosscoach:")]
    assert len(lines) == 1, everything
    assert expected in lines[0], everything


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_rejected_token_is_one_line_without_the_token(tmp_path: Path,
                                                              webhook: bool) -> None:
    async with HttpStandIn(BotApiStandIn(), TOKEN) as base_url:  # answers 401 to other tokens
        code, out, err = await run_bot(
            tmp_path, ["run", "--webhook"] if webhook else ["run"],
            TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=base_url,
            WEBHOOK_URL="https://coach.example.org", WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(free_port()), LOG_LEVEL="DEBUG")
    assert_one_clean_line(code, out, err, "Telegram rejected the token (401)")


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_misrouted_bot_api_url_is_a_404_line_with_a_good_token(tmp_path: Path,
                                                                       webhook: bool) -> None:
    async with HttpStandIn(BotApiStandIn(), TOKEN) as base_url:
        code, out, err = await run_bot(
            tmp_path, ["run", "--webhook"] if webhook else ["run"],
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"{base_url}/wrong/prefix",
            WEBHOOK_URL="https://coach.example.org", WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(free_port()), LOG_LEVEL="DEBUG")
    assert_one_clean_line(code, out, err, "the Bot API answered 404 at ")
    assert "/bot…/getMe: check TELEGRAM_API_BASE_URL" in err


@pytest.fixture
def read_only_database(tmp_path: Path) -> Iterator[Path]:
    """A new database file the bot may not write (so its tables cannot be made), as an
    operator's chmod leaves it. Root ignores permissions, so there the file is made immutable."""
    path = tmp_path / "cc.db"
    path.touch()
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip("running as root on a file system without chattr +i")
        yield path
        subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    path.chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)  # no -wal or -shm file can be made either
    yield path
    tmp_path.chmod(stat.S_IRWXU)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize("args", [["db", "upgrade"], ["run"]], ids=["db upgrade", "run"])
async def test_a_read_only_sqlite_file_is_one_line(tmp_path: Path, read_only_database: Path,
                                                   args: list[str]) -> None:
    async with HttpStandIn(BotApiStandIn(), TOKEN) as base_url:
        code, out, err = await run_bot(tmp_path, args, TELEGRAM_BOT_TOKEN=TOKEN,
                                       TELEGRAM_API_BASE_URL=base_url)
    assert_one_clean_line(code, out, err, f"the database file {read_only_database} is read-only")


@pytest.mark.parametrize("args", [["db", "upgrade"], ["run"], ["run", "--webhook"]],
                         ids=["db upgrade", "run", "webhook"])
async def test_an_unreachable_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    port = free_port()  # nothing listens there: connection refused
    async with HttpStandIn(BotApiStandIn(), TOKEN) as base_url:
        code, out, err = await run_bot(
            tmp_path, args, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
            DATABASE_URL=f"postgresql://coach:pw-never-shown@127.0.0.1:{port}/crosscoach",
            WEBHOOK_URL="https://coach.example.org", WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(free_port()))
    assert_one_clean_line(code, out, err, f"cannot reach the database at 127.0.0.1:{port}")
    assert "pw-never-shown" not in out + err


def test_an_uncaught_traceback_and_prints_never_show_a_secret(tmp_path: Path) -> None:
    # Whatever fails after settings are read goes through the redacting streams; this stands in
    # for a bug nobody foresaw, in a library or in our code.
    script = (
        "import sys\n"
        "from bot.logging_setup import protect_standard_streams\n"
        f"protect_standard_streams([{TOKEN!r}, {SECRET!r}])\n"
        f"print('token is {TOKEN}')\n"
        f"sys.stderr.write('secret is ' + {SECRET[:5]!r})\n"
        f"sys.stderr.write({SECRET[5:]!r} + '\\n')\n"
        f"raise RuntimeError('https://api.telegram.org/bot{TOKEN}/getMe failed')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=cli_env(tmp_path),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "RuntimeError" in result.stderr
    assert "token is [REDACTED]" in result.stdout
    assert "secret is [REDACTED]" in result.stderr  # written in two pieces
    for secret in (TOKEN, SECRET, TOKEN.split(":")[1]):
        assert secret not in result.stdout + result.stderr
