"""A webhook claim is a lease: final only once processing finishes, taken again after it runs
out, and holding its user meanwhile, so one user's updates never run side by side on two
workers (a double tap delivered to both must not send the next onboarding question twice)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.db.updates import ProcessedUpdates
from bot.metrics import Metrics
from bot.telegram.standin import BotApiStandIn
from bot.webhook import SECRET_HEADER, create_asgi_app
from tests.conftest import BotFactory
from tests.harness import FakeTelegram
from tests.test_webhook import start_update

SECRET = "lease_secret"


@asynccontextmanager
async def client_for(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    settings = tg.application.bot_data["services"].settings
    app = create_asgi_app(tg.application, settings, Metrics())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://worker") as client:
        yield client


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/telegram", content=json.dumps(body).encode(),
                             headers={SECRET_HEADER: SECRET, "content-type": "application/json"})


class HoldNext:
    """Holds the next sendMessage on the stand-in until released."""

    def __init__(self, api: BotApiStandIn) -> None:
        self.release = asyncio.Event()
        self.reached = asyncio.Event()
        self._armed = True
        perform = api._perform_async

        async def held(method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
            if method == "sendMessage" and self._armed:
                self._armed = False
                self.reached.set()
                await self.release.wait()
            return await perform(method, params, files)

        api._perform_async = held  # type: ignore[method-assign]


def tap(update_id: int, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": str(update_id), "chat_instance": "ci", "data": data, "message": message,
        "from": {"id": user_id, "is_bot": False, "first_name": "Cleo"}}}


def questions(api: BotApiStandIn, text: str) -> int:
    return sum(1 for c in api.calls_to("sendMessage")
               if isinstance(c.result, dict) and text in str(c.result.get("text")))


async def test_a_double_tap_delivered_to_two_workers_asks_the_next_question_once(
        make_bot: BotFactory, pg_url: str) -> None:
    api = BotApiStandIn()
    settings = {"webhook_secret": SECRET, "webhook_url": "https://coach.example.org"}
    a = await make_bot(pg_url, api=api, **settings)
    b = await make_bot(pg_url, api=api, **settings)
    async with client_for(a) as worker_a, client_for(b) as worker_b:
        assert (await post(worker_a, start_update(1, user_id=31))).status_code == 200
        [disclaimer] = [m for m in api.messages.values() if m.get("reply_markup")]
        data = disclaimer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

        hold = HoldNext(api)
        first = asyncio.create_task(post(worker_a, tap(2, 31, disclaimer, data)))
        await hold.reached.wait()  # worker A is asking the next question, slowly
        # The second tap reaches worker B meanwhile: it must not run beside the first.
        second = await post(worker_b, tap(3, 31, disclaimer, data))
        assert second.status_code == 409
        hold.release.set()
        assert (await first).status_code == 200
        # Telegram retries the second tap later; by then it is a tap on a passed question.
        assert (await post(worker_b, tap(3, 31, disclaimer, data))).status_code == 200
    assert questions(api, "Are you injured at the moment?") == 1


async def test_a_redelivery_while_the_update_is_in_flight_is_retried_not_dropped(
        make_bot: BotFactory, database_url: str) -> None:
    api = BotApiStandIn()
    tg = await make_bot(database_url, api=api, webhook_secret=SECRET,
                        webhook_url="https://coach.example.org")
    other = await make_bot(database_url, api=api, webhook_secret=SECRET,
                           webhook_url="https://coach.example.org") \
        if not database_url.startswith("sqlite") else tg
    async with client_for(tg) as worker, client_for(other) as second_worker:
        hold = HoldNext(api)
        first = asyncio.create_task(post(worker, start_update(40, user_id=32)))
        await hold.reached.wait()
        if other is not tg:
            # Telegram timed out and redelivered to another worker: not a 200 that would
            # drop it if the first worker then died.
            assert (await post(second_worker, start_update(40, user_id=32))).status_code == 409
        hold.release.set()
        assert (await first).status_code == 200
        again = await post(second_worker, start_update(40, user_id=32))
        assert (again.status_code, again.text) == (200, "duplicate")
    assert questions(api, "Hi Cleo!") == 1


async def test_a_lease_is_taken_again_only_after_it_runs_out(
        make_bot: BotFactory, database_url: str, clock) -> None:
    tg = await make_bot(database_url)
    claims = ProcessedUpdates(tg.application.bot_data["services"].db)
    lease = timedelta(seconds=60)
    assert await claims.acquire(7, clock.now(), user_id=1, lease=lease) == "claimed"
    # The worker died here: no finish. Redeliveries within the lease wait...
    assert await claims.acquire(7, clock.now(), user_id=1, lease=lease) == "busy"
    clock.advance(timedelta(seconds=59))
    assert await claims.acquire(7, clock.now(), user_id=1, lease=lease) == "busy"
    # ...as does the user's next update, which must not overtake the unfinished one.
    assert await claims.acquire(8, clock.now(), user_id=1, lease=lease) == "busy"
    assert await claims.acquire(9, clock.now(), user_id=2, lease=lease) == "claimed"
    clock.advance(timedelta(seconds=2))
    # After the lease, the redelivery takes it over; once finished it is final.
    assert await claims.acquire(7, clock.now(), user_id=1, lease=lease) == "claimed"
    await claims.finish(7, clock.now())
    assert await claims.acquire(7, clock.now(), user_id=1, lease=lease) == "duplicate"
    clock.advance(timedelta(hours=1))
    assert await claims.acquire(7, clock.now(), user_id=1, lease=lease) == "duplicate"
    assert await claims.acquire(8, clock.now(), user_id=1, lease=lease) == "claimed"


async def test_a_worker_gives_up_an_update_at_the_end_of_its_lease(
        make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past its lease another worker may have taken the update again, so the worker stops and
    # releases the claim: the redelivery is then the only run. A budget of zero ends the
    # update at its first wait, the way a lease running out mid-update would.
    import bot.webhook as webhook

    api = BotApiStandIn()
    tg = await make_bot(api=api, webhook_secret=SECRET, webhook_url="https://coach.example.org")
    async with client_for(tg) as worker:
        monkeypatch.setattr(webhook, "processing_budget", lambda _lease: 0.0)
        assert (await post(worker, start_update(50, user_id=33))).status_code == 500
        monkeypatch.undo()
        assert (await post(worker, start_update(50, user_id=33))).status_code == 200
        assert (await post(worker, start_update(50, user_id=33))).text == "duplicate"
    assert questions(api, "Hi Cleo!") == 1
    assert webhook.processing_budget(60.0) == 55.0
    assert webhook.processing_budget(5.0) == 3.75
