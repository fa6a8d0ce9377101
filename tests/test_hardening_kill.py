"""kill -9, for real: a nudge sender killed mid-burst and a webhook worker killed mid-update,
both as separate processes against the Bot API stand-in served over HTTP on 127.0.0.1.

After the kill and a restart, every due user has exactly one nudge except at most the one whose
send was in flight (it becomes 'unknown', never resent), and the update the dead worker held is
processed once, by the worker that gets Telegram's redelivery."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select, update

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import ConversationState, NudgeDelivery, ProcessedUpdate, User
from bot.db.nudges import NudgeRepository
from bot.telegram.standin import BotApiStandIn
from bot.webhook import SECRET_HEADER
from tests.http_standin import HttpStandIn, free_port
from tests.test_cli import TOKEN, cli_env
from tests.test_webhook import start_update

USERS = 60
HELD_AT = 10  # the sendMessage that is in flight when the process dies
SECRET = "kill_nine_secret"


class HoldOne:
    """Makes the stand-in never answer the n-th sendMessage (the process dies waiting for it):
    Telegram never got that message. Every other call is served as usual."""

    def __init__(self, api: BotApiStandIn, nth: int) -> None:
        self.reached = asyncio.Event()
        self.held_chat: int | None = None
        self.calls = 0
        self._never = asyncio.Event()
        perform = api._perform_async

        async def held(method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
            if method == "sendMessage":
                self.calls += 1
                if self.calls == nth:
                    self.held_chat = int(params["chat_id"])
                    self.reached.set()
                    await self._never.wait()
                    raise ConnectionError("the client went away")
            return await perform(method, params, files)

        api._perform_async = held  # type: ignore[method-assign]

    async def __aenter__(self) -> HoldOne:
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Let the held request end, so the stand-in's server can shut down, pass or fail.
        self._never.set()


def delivered(api: BotApiStandIn) -> dict[int, int]:
    """Messages that reached each chat (the stand-in stores only those)."""
    counts: dict[int, int] = {}
    for chat_id, _ in api.messages:
        counts[chat_id] = counts.get(chat_id, 0) + 1
    return counts


@asynccontextmanager
async def bot_process(tmp_path: Path, *args: str, ready: str | None = None,
                      **env: str) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, env=cli_env(tmp_path, **env), cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    try:
        if ready is not None:
            seen: list[str] = []
            async with asyncio.timeout(60):
                while not any(ready in line for line in seen):
                    line = await process.stderr.readline()
                    assert line, "the process exited early:\n" + "".join(seen)
                    seen.append(line.decode())
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


# -- the nudge sender --------------------------------------------------------------------------


async def seed_due_users(database_url: str, now: datetime) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.sessions() as session, session.begin():
            await session.execute(insert(User), [{
                "id": 5000 + n, "chat_id": 5000 + n, "first_name": f"R{n}", "status": "active",
                "timezone": "UTC", "nudge_time": time(7, 30), "ignored_nudges": 0,
                "created_at": now, "last_seen_at": now, "onboarded_at": now,
                # Quiet hours off, so the test passes at any hour of the real day.
                "quiet_start": time(12, 0), "quiet_end": time(12, 0),
                "next_nudge_at": now - timedelta(minutes=1),
            } for n in range(USERS)])
    finally:
        await db.dispose()


async def ledger_statuses(database_url: str) -> dict[int, str]:
    db = Database(database_url)
    try:
        async with db.sessions() as session:
            rows = await session.execute(select(NudgeDelivery.user_id, NudgeDelivery.status))
            return {user_id: status for user_id, status in rows}
    finally:
        await db.dispose()


async def test_a_sender_killed_mid_burst_loses_no_nudge(tmp_path: Path) -> None:
    database_url = f"sqlite+inloop:///{tmp_path / 'cc.db'}"
    await seed_due_users(database_url, datetime.now(UTC))
    api = BotApiStandIn()
    hold = HoldOne(api, HELD_AT)
    all_sent = asyncio.Event()

    def count(method: str, _params: dict[str, Any]) -> None:
        if method == "sendMessage" and len(delivered(api)) >= USERS - 1:
            all_sent.set()

    api.listeners.append(count)
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp_path / 'cc.db'}",
           "SEND_RATE_PER_SECOND": "10", "LOG_LEVEL": "INFO"}
    async with HttpStandIn(api, TOKEN) as base_url, hold:
        env["TELEGRAM_API_BASE_URL"] = base_url
        async with bot_process(tmp_path, **env) as first:
            async with asyncio.timeout(60):
                await hold.reached.wait()  # mid-burst, one send in flight
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert len(delivered(api)) == HELD_AT - 1
        async with bot_process(tmp_path, **env) as second:
            async with asyncio.timeout(60):
                await all_sent.wait()
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=30)

    per_chat = delivered(api)
    assert hold.held_chat is not None and hold.held_chat not in per_chat
    assert sorted(per_chat) == sorted(5000 + n for n in range(USERS) if 5000 + n != hold.held_chat)
    assert set(per_chat.values()) == {1}  # exactly one nudge each
    statuses = await ledger_statuses(database_url)
    assert statuses.pop(hold.held_chat) == "sending"  # the one ambiguous message
    assert set(statuses.values()) == {"sent"}
    # Ten minutes after, the ambiguous one is 'unknown' and is never resent.
    db = Database(database_url)
    try:
        repo = NudgeRepository(db)
        assert await repo.expire_sending(datetime.now(UTC) + timedelta(minutes=11)) == 1
        assert await repo.pending_deliveries(datetime.now(UTC) + timedelta(minutes=11), 100) == []
    finally:
        await db.dispose()


# -- the webhook worker ------------------------------------------------------------------------


async def post(port: int, body: dict[str, Any]) -> int:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        response = await client.post("/telegram", json=body, headers={SECRET_HEADER: SECRET})
        return response.status_code


async def test_a_worker_killed_mid_update_has_it_processed_once_on_redelivery(
        tmp_path: Path, pg_url: str) -> None:
    api = BotApiStandIn()
    hold = HoldOne(api, 1)  # the welcome of the first /start never leaves the dead worker
    update_body = start_update(4711, user_id=31, first_name="Cleo")
    first_port, second_port = free_port(), free_port()
    async with HttpStandIn(api, TOKEN) as base_url, hold:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url,
               "DATABASE_URL": pg_url.replace("+asyncpg", ""), "NUDGE_SENDER": "false",
               "WEBHOOK_URL": "https://coach.example.org", "WEBHOOK_SECRET": SECRET,
               "LOG_LEVEL": "INFO"}
        async with bot_process(tmp_path, "--webhook", ready="Uvicorn running on",
                               WEBHOOK_PORT=str(first_port), **env) as first, \
                bot_process(tmp_path, "--webhook", ready="Uvicorn running on",
                            WEBHOOK_PORT=str(second_port), **env):
            in_flight = asyncio.create_task(post(first_port, update_body))
            async with asyncio.timeout(60):
                await hold.reached.wait()  # the first worker is mid-update
            first.send_signal(signal.SIGKILL)
            await first.wait()
            with contextlib.suppress(httpx.HTTPError):
                await in_flight  # the connection died with the worker: Telegram redelivers
            # Redelivered at once (nginx tries the other worker): the claim is still a live
            # lease, so the update is neither processed twice nor dropped: 409, "try again later".
            assert await post(second_port, update_body) == 409
            await lease_runs_out(pg_url, 4711)
            assert await post(second_port, update_body) == 200
            assert await post(second_port, update_body) == 200  # a later repeat: dropped

    welcomes = [c for c in api.calls_to("sendMessage")
                if isinstance(c.result, dict) and "Hi Cleo!" in str(c.result.get("text"))]
    assert len(welcomes) == 1  # processed once, by the second worker
    db = Database(pg_url)
    try:
        async with db.sessions() as session:
            claim = await session.get(ProcessedUpdate, 4711)
            conversations = await session.scalar(
                select(func.count()).select_from(ConversationState)
                .where(ConversationState.user_id == 31))
    finally:
        await db.dispose()
    assert claim is not None and claim.finished_at is not None and claim.user_id is None
    assert conversations == 1


async def lease_runs_out(database_url: str, update_id: int) -> None:
    """UPDATE_LEASE_SECONDS pass (the dead worker's lease ends) without the test waiting them
    out in real time: the lease is moved into the past, as the passing of time would."""
    db = Database(database_url)
    try:
        async with db.sessions() as session, session.begin():
            result = await session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.update_id == update_id,
                       ProcessedUpdate.finished_at.is_(None))
                .values(leased_until=datetime.now(UTC) - timedelta(seconds=1)))
            assert result.rowcount == 1  # type: ignore[attr-defined]
    finally:
        await db.dispose()
