"""Load test of webhook mode on loopback: 2 worker processes, one PostgreSQL, N users onboarding.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth):

    .venv/bin/python bench/webhook_load.py [--users 1000] [--concurrency 100]

What it does:
- creates its own database, runs `crosscoach db upgrade` once (the documented migration step);
- serves the Bot API stand-in over HTTP in this process, so the workers' replies land here;
- starts 2 × `python -m bot run --webhook` on two ports (NUDGE_SENDER on the first only);
- has every simulated user go through onboarding (10 updates each, in order, alternating
  between the two workers), at most `--concurrency` users at once;
- checks: no HTTP errors, every update answered (a message or edit in that chat, or the
  callback query answered), every user has a profile row, no conversation left half-way,
  and the workers together processed exactly as many updates as were sent;
- prints throughput and client-side latency p50/p99, then stops the workers and drops the
  database. The whole run is bounded by `--timeout` seconds.

As built, each worker's python-telegram-bot AIORateLimiter holds its replies to about 30 chat
messages a second (Telegram's bulk limit), so that is the throughput ceiling: about 2 × 30 chat
messages a second, under 2 per update. `--no-rate-limiter` runs the same workers without it to
show the processing capacity behind that cap.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bot.telegram.standin import BotApiStandIn  # noqa: E402
from bot.webhook import SECRET_HEADER  # noqa: E402
from tests.harness import BotMessage, ChatUser  # noqa: E402
from tests.http_standin import HttpStandIn, free_port  # noqa: E402

TOKEN = "123456789:AAF-load-bench-token"
SECRET = "load_bench_secret"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WORKERS = 2
STEPS: list[tuple[str, str]] = [
    ("send", "/start"), ("press", "I understand"), ("press", "Not injured"),
    ("press", "Kettlebell"), ("press", "Done"), ("press", "30 min"), ("press", "3"),
    ("press", "07:00"), ("send", "london"), ("press", "Confirm"),
]
_REPLY_METHODS = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto"}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    unanswered: int = 0
    failed_users: list[str] = field(default_factory=list)
    replies_by_chat: Counter[int] = field(default_factory=Counter)
    answered_callbacks: set[str] = field(default_factory=set)

    def listen(self, method: str, params: dict[str, Any]) -> None:
        """Bot API stand-in listener: what the workers sent, per chat."""
        if method in _REPLY_METHODS and params.get("chat_id") is not None:
            self.replies_by_chat[int(params["chat_id"])] += 1
        elif method == "answerCallbackQuery":
            self.answered_callbacks.add(str(params.get("callback_query_id")))


class Route:
    """What a ChatUser takes as its "Telegram": posts each update to the next worker in turn."""

    def __init__(self, api: BotApiStandIn, post: Callable[[int, dict[str, Any]], Awaitable[None]],
                 first_worker: int) -> None:
        self.api = api
        self._post = post
        self._workers = itertools.cycle([(first_worker + i) % WORKERS for i in range(WORKERS)])

    async def feed(self, update: dict[str, Any]) -> None:
        await self._post(next(self._workers), update)


class LoadUser(ChatUser):
    """A ChatUser whose "last keyboard" lookup does not scan every chat's messages."""

    def last_with_buttons(self) -> BotMessage:
        chat_id = self.chat["id"]
        # Taking an id skips one in this chat, harmlessly; every older id is below it.
        top = self.tg.api.next_message_id(chat_id)
        for message_id in range(top - 1, 0, -1):
            raw = self.tg.api.messages.get((chat_id, message_id))
            if raw is not None and raw.get("reply_markup", {}).get("inline_keyboard"):
                return BotMessage(raw)
        raise AssertionError("no bot message with buttons in this chat")


class Bench:
    def __init__(self, api: BotApiStandIn, client: httpx.AsyncClient, ports: list[int]) -> None:
        self.api = api
        self.client = client
        self.ports = ports
        self.tally = Tally()
        api.listeners.append(self.tally.listen)

    async def post(self, worker: int, update: dict[str, Any]) -> None:
        callback = update.get("callback_query")
        chat_id = int((callback["message"] if callback else
                       update.get("message") or update["edited_message"])["chat"]["id"])
        before = self.tally.replies_by_chat[chat_id]
        started = time.perf_counter()
        try:
            response = await self.client.post(
                f"http://127.0.0.1:{self.ports[worker]}/telegram", json=update,
                headers={SECRET_HEADER: SECRET})
        except httpx.HTTPError:
            self.tally.transport_errors += 1
            raise
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.statuses[response.status_code] += 1
        # The worker answers after processing, so the reply is already here.
        answered = (str(callback["id"]) in self.tally.answered_callbacks if callback
                    else self.tally.replies_by_chat[chat_id] > before)
        if not answered:
            self.tally.unanswered += 1

    async def onboard(self, user_id: int, limit: asyncio.Semaphore) -> None:
        async with limit:
            user = LoadUser(Route(self.api, self.post, user_id % WORKERS),  # type: ignore[arg-type]
                            user_id=user_id, first_name=f"Runner{user_id}")
            try:
                for action, value in STEPS:
                    if action == "send":
                        await user.send(value)
                    else:
                        await user.press(value)
            except Exception as exc:  # counted and reported; the other users carry on
                self.tally.failed_users.append(f"{user_id}: {type(exc).__name__}: {exc}")


def _worker_env(database_url: str, base_url: str, port: int, sender: bool) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "NUDGE_", "CONTENT_"))}
    return {**keep, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url,
            "DATABASE_URL": database_url, "CONTENT_DIR": str(ROOT / "content"),
            "WEBHOOK_URL": "https://coach.example.org", "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port),
            "NUDGE_SENDER": "true" if sender else "false", "LOG_LEVEL": "WARNING"}


async def _wait_healthy(client: httpx.AsyncClient, port: int, process: subprocess.Popen[bytes],
                        deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker on port {port} exited with {process.returncode}")
        try:
            if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)  # a bench waiting for a process to listen, not a test
    raise TimeoutError(f"worker on port {port} never became healthy")


# `--no-rate-limiter`: the same worker command with python-telegram-bot's AIORateLimiter taken
# out, to see what the workers can do when Telegram's ~30 messages/s per process is not the cap.
_UNLIMITED = ("import sys, bot.app; bot.app.AIORateLimiter = lambda **_: None; "
              "from bot.cli import main; sys.exit(main(['run', '--webhook']))")


def _start_workers(workdir: Path, database_url: str, base_url: str, ports: list[int],
                   rate_limiter: bool) -> list[subprocess.Popen[bytes]]:
    command = (["-m", "bot", "run", "--webhook"] if rate_limiter else ["-c", _UNLIMITED])
    processes = []
    for index, port in enumerate(ports):
        with open(workdir / f"worker{index}.log", "wb") as log:  # the child keeps its own fd
            processes.append(subprocess.Popen(
                [sys.executable, *command], cwd=workdir,
                env=_worker_env(database_url, base_url, port, sender=index == 0),
                stdout=log, stderr=subprocess.STDOUT))
    return processes


def _print_log_tails(workdir: Path) -> None:
    for path in sorted(workdir.glob("worker*.log")):
        tail = path.read_text(errors="replace").splitlines()[-15:]
        print(f"--- {path.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)


def _stop(processes: list[subprocess.Popen[bytes]]) -> list[int | None]:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=30))
        except subprocess.TimeoutExpired:
            process.kill()
            codes.append(process.wait())
    return codes


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


async def run(users: int, concurrency: int, budget_seconds: float, rate_limiter: bool) -> int:
    name = f"cc_load_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN, timeout=5)
    await admin.execute(f'CREATE DATABASE "{name}"')
    database_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    workdir = Path(tempfile.mkdtemp(prefix="cc_load_"))
    processes: list[subprocess.Popen[bytes]] = []
    ok = False
    try:
        api = BotApiStandIn()
        async with HttpStandIn(api, TOKEN) as base_url:
            upgrade = subprocess.run(  # noqa: ASYNC221 - once, before anything else runs
                [sys.executable, "-m", "bot", "db", "upgrade"], cwd=workdir,
                env=_worker_env(database_url, base_url, 1, False), capture_output=True,
                timeout=120, check=False)
            if upgrade.returncode != 0:
                print(upgrade.stderr.decode(), file=sys.stderr)
                return 1
            ports = [free_port() for _ in range(WORKERS)]
            processes.extend(_start_workers(workdir, database_url, base_url, ports,
                                            rate_limiter))
            limits = httpx.Limits(max_connections=concurrency + 10,
                                  max_keepalive_connections=concurrency + 10)
            async with httpx.AsyncClient(limits=limits, timeout=120) as client:
                deadline = time.monotonic() + 90
                for port, process in zip(ports, processes, strict=True):
                    await _wait_healthy(client, port, process, deadline)
                bench = Bench(api, client, ports)
                limit = asyncio.Semaphore(concurrency)
                print(f"{WORKERS} workers up (rate limiter {'on' if rate_limiter else 'OFF'}); "
                      f"{users} users onboarding, {len(STEPS)} updates each, {concurrency} at "
                      "once …", flush=True)
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(budget_seconds):
                        await asyncio.gather(*(bench.onboard(1_000_000 + n, limit)
                                               for n in range(users)))
                except TimeoutError:
                    print(f"TIMEOUT after {budget_seconds:.0f} s", file=sys.stderr)
                elapsed = time.perf_counter() - started
                scraped = [(await client.get(f"http://127.0.0.1:{p}/metrics")).text
                           for p in ports]
            ok = _report(bench.tally, users, elapsed, scraped,
                         await _database_counts(admin, name), len(api.calls))
    finally:
        codes = _stop(processes)
        if processes:
            print(f"worker exit codes after SIGTERM: {codes}")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        if not ok:
            _print_log_tails(workdir)
    return 0 if ok else 1


async def _database_counts(admin: asyncpg.Connection, name: str) -> dict[str, int]:
    conn = await asyncpg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", timeout=5)
    try:
        return {
            "profiles": await conn.fetchval("SELECT count(*) FROM profiles"),
            "onboarded": await conn.fetchval(
                "SELECT count(*) FROM users WHERE onboarded_at IS NOT NULL"),
            "half_way": await conn.fetchval("SELECT count(*) FROM conversation_states"),
            "processed_ids": await conn.fetchval("SELECT count(*) FROM processed_updates"),
        }
    finally:
        await conn.close()


def _report(tally: Tally, users: int, elapsed: float, scraped: list[str],
            counts: dict[str, int], api_calls: int) -> bool:
    sent = len(tally.latencies)
    processed = sum(_metric(text, "updates_processed_total") for text in scraped)
    duplicates = sum(_metric(text, 'webhook_rejected_total{reason="duplicate"}')
                     for text in scraped)
    http_errors = sum(n for status, n in tally.statuses.items() if status != 200)
    print(f"updates sent:        {sent} ({users} users × {len(STEPS)})")
    print(f"HTTP statuses:       {dict(tally.statuses)}; transport errors "
          f"{tally.transport_errors}")
    print(f"processed (metrics): {processed:.0f} over {len(scraped)} workers, "
          f"{duplicates:.0f} duplicates dropped")
    print(f"unanswered updates:  {tally.unanswered}")
    print(f"users failed:        {len(tally.failed_users)}")
    for line in tally.failed_users[:5]:
        print(f"  {line}")
    print(f"database:            {counts}")
    print(f"Bot API calls:       {api_calls} ({api_calls / elapsed:.0f}/s)")
    print(f"elapsed:             {elapsed:.1f} s")
    print(f"throughput:          {sent / elapsed:.1f} updates/s")
    print(f"latency (client):    p50 {_pct(tally.latencies, 50) * 1000:.0f} ms, "
          f"p99 {_pct(tally.latencies, 99) * 1000:.0f} ms")
    ok = (http_errors == 0 and tally.transport_errors == 0 and tally.unanswered == 0
          and not tally.failed_users and sent == users * len(STEPS)
          and processed == sent and counts["profiles"] == users
          and counts["onboarded"] == users and counts["half_way"] == 0)
    print("RESULT: " + ("OK, no errors and no lost updates" if ok else "FAILED"))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the load")
    parser.add_argument("--no-rate-limiter", action="store_true",
                        help="take python-telegram-bot's AIORateLimiter out of the workers")
    args = parser.parse_args()
    return asyncio.run(run(args.users, args.concurrency, args.timeout,
                           rate_limiter=not args.no_rate_limiter))


if __name__ == "__main__":
    sys.exit(main())
