"""Webhook mode as Telegram and an operator meet it: the secret, redeliveries, health, metrics,
and a real worker process that registers its webhook and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.app import build_application
from bot.clock import FakeClock
from bot.content import ContentPack
from bot.db.models import ProcessedUpdate, User
from bot.db.updates import ProcessedUpdates
from bot.metrics import Metrics
from bot.telegram.standin import BotApiStandIn, StandInRequest
from bot.update_order import PerUserOrder
from bot.webhook import (
    SECRET_HEADER,
    create_asgi_app,
    purge_processed_updates,
    run_webhook,
)
from tests.conftest import BotFactory, make_settings
from tests.harness import FakeTelegram
from tests.http_standin import HttpStandIn, free_port
from tests.test_cli import TOKEN, cli_env

SECRET = "s3cret_Token-42"


def start_update(update_id: int, user_id: int = 555, first_name: str = "Cleo") -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_790_000_000, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "from": {"id": user_id, "is_bot": False, "first_name": first_name}}}


class Worker:
    """One webhook worker's ASGI app over a harness bot, and an HTTP client for it."""

    def __init__(self, tg: FakeTelegram, client: httpx.AsyncClient, metrics: Metrics) -> None:
        self.tg = tg
        self.client = client
        self.metrics = metrics

    async def post(self, body: dict[str, Any] | bytes, secret: str | None = SECRET
                   ) -> httpx.Response:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["content-type"] = "application/json"
        return await self.client.post("/telegram", content=content, headers=headers)

    def sent_texts(self) -> list[str]:
        # The stand-in's result holds the text as the user reads it (HTML parsed).
        return [str(c.result["text"]) for c in self.tg.api.calls_to("sendMessage")
                if isinstance(c.result, dict)]

    async def count(self, model: type) -> int:
        db = self.tg.application.bot_data["services"].db
        async with db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def worker_for(tg: FakeTelegram) -> AsyncIterator[Worker]:
    metrics = Metrics()
    settings = tg.application.bot_data["services"].settings
    app = create_asgi_app(tg.application, settings, metrics)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://worker") as client:
        yield Worker(tg, client, metrics)


@pytest.fixture
async def worker(make_bot: BotFactory) -> AsyncIterator[Worker]:
    tg = await make_bot(webhook_secret=SECRET, webhook_url="https://coach.example.org")
    async for w in worker_for(tg):
        yield w


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(
        worker: Worker, secret: str | None) -> None:
    response = await worker.post(start_update(1), secret=secret)
    assert response.status_code == 403
    assert worker.sent_texts() == []
    assert await worker.count(User) == 0
    assert await worker.count(ProcessedUpdate) == 0  # a forged id can't block the real one
    # The real delivery of that update id is still processed.
    assert (await worker.post(start_update(1))).status_code == 200
    assert worker.sent_texts()[0].startswith("Hi Cleo!")


async def test_an_update_with_the_secret_is_answered(worker: Worker) -> None:
    response = await worker.post(start_update(7))
    assert response.status_code == 200
    [welcome] = worker.sent_texts()
    assert welcome.startswith("Hi Cleo! I'm CrossCoach.")
    assert await worker.count(User) == 1


async def test_a_repeated_update_id_is_processed_once(worker: Worker) -> None:
    first = await worker.post(start_update(8))
    again = await worker.post(start_update(8))
    assert (first.status_code, again.status_code) == (200, 200)  # Telegram must stop retrying
    assert len(worker.sent_texts()) == 1
    # A new update id from the same user is processed as usual.
    await worker.post(start_update(9))
    assert len(worker.sent_texts()) == 2


class HeldReplies:
    """Holds the stand-in's first sendMessage until released, and counts who got that far."""

    def __init__(self, api: BotApiStandIn) -> None:
        self.release = asyncio.Event()
        self.reached: list[int] = []
        perform = api._perform_async

        async def held(method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
            if method == "sendMessage":
                self.reached.append(int(params["chat_id"]))
                if len(self.reached) == 1:
                    await self.release.wait()
            return await perform(method, params, files)

        api._perform_async = held  # type: ignore[method-assign]

    async def until(self, count: int) -> None:
        for _ in range(1000):  # loop turns, not time
            if len(self.reached) >= count:
                return
            await asyncio.sleep(0)
        raise AssertionError(f"only {self.reached} reached sendMessage")


async def test_a_users_updates_arriving_together_run_one_after_another(worker: Worker) -> None:
    held = HeldReplies(worker.tg.api)
    first = asyncio.create_task(worker.post(start_update(21, user_id=555)))
    await held.until(1)  # Cleo's first /start is half-way through, waiting on Telegram
    second = asyncio.create_task(worker.post(start_update(22, user_id=555)))
    other = asyncio.create_task(worker.post(start_update(23, user_id=777, first_name="Dev")))
    await held.until(2)
    for _ in range(200):
        await asyncio.sleep(0)
    # Another user is served meanwhile; Cleo's second update waits for her first.
    assert held.reached == [555, 777]
    assert not second.done()
    held.release.set()
    responses = await asyncio.gather(first, second, other)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert held.reached == [555, 777, 555]
    # The second /start found the conversation the first one had saved: one welcome, not two.
    texts = worker.sent_texts()
    assert texts[0].startswith("Hi Cleo!") and texts[1].startswith("Hi Dev!")
    assert texts[2].startswith("Let's pick up where we left off.")


async def test_the_per_user_locks_are_dropped_when_a_users_updates_are_done(
        worker: Worker) -> None:
    order = PerUserOrder()
    update = Update.de_json(start_update(31), worker.tg.application.bot)
    async with order.turn(update), order.turn(Update(32)):  # no user: nothing to order
        assert order.in_flight() == 1
    assert order.in_flight() == 0


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"message": {}}',
                                  b'{"update_id": "12"}'])
async def test_a_malformed_body_is_a_bad_request(worker: Worker, body: bytes) -> None:
    response = await worker.post(body)
    assert response.status_code == 400
    assert worker.sent_texts() == []


async def test_a_crash_outside_the_handlers_lets_telegram_redeliver(
        worker: Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    application = worker.tg.application
    original = type(application).process_update
    calls = 0

    async def flaky(self: Any, update: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the machinery broke")
        await original(self, update)

    monkeypatch.setattr(type(application), "process_update", flaky)
    assert (await worker.post(start_update(11))).status_code == 500
    assert (await worker.post(start_update(11))).status_code == 200
    assert worker.sent_texts()[0].startswith("Hi Cleo!")


async def test_health_is_ok_with_a_database_and_content(worker: Worker) -> None:
    response = await worker.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "content": "ok"}


@pytest.fixture
async def worker_without_database(content: ContentPack, clock: FakeClock
                                  ) -> AsyncIterator[Worker]:
    # Nothing listens on this port: the database server is down (connection refused).
    settings = make_settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/crosscoach",
        webhook_secret=SECRET, webhook_url="https://coach.example.org")
    api = BotApiStandIn()
    application = build_application(settings, StandInRequest(api), clock=clock, content=content)
    await application.initialize()  # no post_init: its migrations need the database
    try:
        async for w in worker_for(FakeTelegram(application, api)):
            yield w
    finally:
        await application.shutdown()
        await application.bot_data["services"].db.dispose()


async def test_health_reports_a_database_that_is_down(worker_without_database: Worker) -> None:
    response = await worker_without_database.client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "down", "content": "ok"}


async def test_metrics_count_updates_latency_duplicates_and_nudges(worker: Worker) -> None:
    await worker.post(start_update(21))
    await worker.post(start_update(21))
    await worker.post(start_update(22), secret="nope")
    worker.metrics.nudge("daily", "sent")
    worker.metrics.nudge("daily", "blocked")
    worker.metrics.observe_sweep(0.02)
    response = await worker.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = set(response.text.splitlines())
    assert "updates_processed_total 1.0" in lines
    assert "handler_latency_seconds_count 1.0" in lines
    assert 'webhook_rejected_total{reason="duplicate"} 1.0' in lines
    assert 'webhook_rejected_total{reason="forbidden"} 1.0' in lines
    assert 'nudges_total{kind="daily",outcome="sent"} 1.0' in lines
    assert 'nudges_total{kind="daily",outcome="blocked"} 1.0' in lines
    assert "sweep_duration_seconds_count 1.0" in lines


def test_metrics_refuse_an_outcome_outside_the_known_set() -> None:
    with pytest.raises(ValueError, match="unknown nudge outcome"):
        Metrics().nudge("daily", "exploded")


def test_two_metrics_objects_do_not_share_counts() -> None:
    first, second = Metrics(), Metrics()
    first.observe_update(0.01)
    assert b"updates_processed_total 1.0" in first.render()
    assert b"updates_processed_total 0.0" in second.render()


async def test_serving_without_a_secret_is_refused(tg: FakeTelegram) -> None:
    settings = tg.application.bot_data["services"].settings
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        create_asgi_app(tg.application, settings, Metrics())


@pytest.mark.parametrize(("overrides", "message"), [
    ({"webhook_secret": SECRET}, "WEBHOOK_URL must be set"),
    ({"webhook_url": "https://coach.example.org"}, "WEBHOOK_SECRET must be set"),
    ({"webhook_url": "https://coach.example.org", "webhook_secret": "has spaces"},
     "WEBHOOK_SECRET must be 1-256 characters"),
])
def test_run_webhook_needs_a_url_and_a_valid_secret(
        overrides: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(**overrides)
    # The configuration is checked before the application is touched.
    assert run_webhook(object(), settings) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"crosscoach: configuration error: {message}")


async def test_claims_are_exclusive_and_old_ones_are_purged(
        make_bot: BotFactory, database_url: str, clock: FakeClock) -> None:
    tg = await make_bot(database_url)
    services = tg.application.bot_data["services"]
    repository = ProcessedUpdates(services.db)
    # Two workers racing for the same redelivered update: exactly one wins.
    results = await asyncio.gather(*(repository.claim(500, clock.now()) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    clock.advance(timedelta(hours=47))
    assert await repository.claim(501, clock.now())
    clock.advance(timedelta(hours=2))  # 49 h after the first claim, 2 h after the second

    class Context:
        application = tg.application

    await purge_processed_updates(Context())
    async with services.db.sessions() as session:
        left = list(await session.scalars(select(ProcessedUpdate.update_id)))
    assert left == [501]


async def test_a_worker_process_registers_its_webhook_serves_and_stops_on_sigterm(
        tmp_path: Path) -> None:
    api = BotApiStandIn()
    port = free_port()
    async with HttpStandIn(api, TOKEN) as base_url:
        env = cli_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
                      LOG_LEVEL="INFO", WEBHOOK_URL="https://coach.example.org/",
                      WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--webhook", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert process.stderr is not None
        log: list[str] = []
        try:
            async with asyncio.timeout(60):
                # uvicorn says so once the socket is listening.
                while not any("Uvicorn running on" in line for line in log):
                    line = await process.stderr.readline()
                    assert line, "the worker exited early:\n" + "".join(log)
                    log.append(line.decode())
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                health = await client.get("/healthz")
                answered = await client.post("/telegram", json=start_update(31),
                                             headers={SECRET_HEADER: SECRET})
                refused = await client.post("/telegram", json=start_update(32))
        finally:
            process.send_signal(signal.SIGTERM)
            _, rest = await asyncio.wait_for(process.communicate(), timeout=30)
    stderr = "".join(log) + rest.decode()
    assert process.returncode == 0, stderr
    assert api.webhook == {"url": "https://coach.example.org/telegram", "secret_token": SECRET}
    set_webhook = api.calls_to("setWebhook")[0].params
    assert set(json.loads(set_webhook["allowed_updates"])
               if isinstance(set_webhook["allowed_updates"], str)
               else set_webhook["allowed_updates"]) == {
        "message", "edited_message", "callback_query", "my_chat_member"}
    assert health.status_code == 200 and health.json()["database"] == "ok"
    assert (answered.status_code, refused.status_code) == (200, 403)
    [welcome] = [c.result["text"] for c in api.calls_to("sendMessage")]
    assert welcome.startswith("Hi Cleo!")
    assert "Webhook worker stopped" in stderr
    assert TOKEN not in stderr and SECRET not in stderr
