"""The command line as an operator meets it: clear errors, console mode, polling a local server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.telegram.standin import BotApiStandIn
from tests.conftest import CONTENT_DIR
from tests.http_standin import HttpStandIn

TOKEN = "123456789:AAF-test-token-never-logged"


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DATABASE_", "CONTENT_", "DEFAULT_TIMEZONE"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cc.db'}", "CONTENT_DIR": str(CONTENT_DIR),
                "LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "postgres//oops", "DATABASE_URL is not a database URL"),
        ("CONTENT_DIR", "/no/such/content", "CONTENT_DIR '/no/such/content' is not a directory"),
        ("DEFAULT_TIMEZONE", "Europe/Atlantis", "DEFAULT_TIMEZONE 'Europe/Atlantis' is not an"),
    ],
)
def test_bad_configuration_is_one_clear_line(tmp_path: Path, variable: str, value: str,
                                             expected: str) -> None:
    result = run_cli(["run"], cli_env(tmp_path, **{variable: value}), tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"crosscoach: configuration error: {expected}")
    assert "Traceback" not in result.stderr


def test_console_mode_welcomes_helps_and_remembers(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    first = run_cli(["run"], env, tmp_path, stdin="/help\n")
    assert first.returncode == 0, first.stderr
    assert "CrossCoach console" in first.stdout
    assert "Hi Runner!" in first.stdout
    assert "/help" in first.stdout and "What I can do" in first.stdout
    assert "Bye!" in first.stdout
    second = run_cli(["run"], env, tmp_path, stdin="")
    assert second.returncode == 0, second.stderr
    # The same user, half-way through onboarding, continues where they stopped.
    assert "Let's pick up where we left off." in second.stdout


def test_the_bot_refuses_to_start_with_a_broken_pack(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(CONTENT_DIR, pack)
    sessions = pack / "sessions.yaml"
    sessions.write_text(sessions.read_text().replace("activity: turbo", "activity: hovercraft", 1))
    started = run_cli(["run"], cli_env(tmp_path, CONTENT_DIR=str(pack)), tmp_path)
    checked = run_cli(["content", "check", str(pack)], cli_env(tmp_path), tmp_path)
    assert started.returncode == 1 and checked.returncode == 1
    report = [line for line in checked.stdout.splitlines() if "hovercraft" in line]
    assert report and report[0].startswith("sessions.yaml: ")
    # The refusal prints the same report the check prints.
    assert report[0] in started.stderr
    assert "Traceback" not in started.stderr


def test_db_upgrade_command(tmp_path: Path) -> None:
    result = run_cli(["db", "upgrade"], cli_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout


def test_content_check_passes_on_the_shipped_pack(tmp_path: Path) -> None:
    result = run_cli(["content", "check"], cli_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content OK" in result.stdout


async def test_polls_a_local_bot_api_server_and_answers_start(tmp_path: Path) -> None:
    api = BotApiStandIn()
    answered = asyncio.Event()
    api.listeners.append(lambda method, _p: answered.set() if method == "sendMessage" else None)
    api.queue_update({"update_id": 1, "message": {
        "message_id": 1, "date": 1_790_000_000, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": 555, "type": "private", "first_name": "Cleo"},
        "from": {"id": 555, "is_bot": False, "first_name": "Cleo"}}})
    async with HttpStandIn(api, TOKEN) as base_url:
        env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
                      LOG_LEVEL="DEBUG")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await asyncio.wait_for(answered.wait(), timeout=60)
        finally:
            process.terminate()
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    sent = api.calls_to("sendMessage")[0].params
    assert sent["chat_id"] == "555" or sent["chat_id"] == 555
    assert "Hi Cleo!" in sent["text"]
    assert "deleteWebhook" in [c.method for c in api.calls]
    # Even at DEBUG, with httpx talking to the server, the token never reaches the log.
    assert TOKEN not in stderr.decode()
