"""Two workers (two Applications, as two processes would build them) on one PostgreSQL database:
a conversation continues on whichever worker gets the next update, and a redelivered update is
processed by only one of them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, time

import httpx
from sqlalchemy import select

from bot.db.models import ConversationState, Profile, User
from bot.metrics import Metrics
from bot.telegram.standin import BotApiStandIn
from bot.webhook import SECRET_HEADER, create_asgi_app
from tests.conftest import BotFactory
from tests.harness import ChatUser, FakeTelegram

SECRET = "multi_worker_secret"


async def two_workers(make_bot: BotFactory, pg_url: str) -> tuple[FakeTelegram, FakeTelegram]:
    # One Telegram (one stand-in) in front of both, like the real Bot API in front of a cluster.
    api = BotApiStandIn()
    first = await make_bot(pg_url, api=api, webhook_secret=SECRET,
                           webhook_url="https://coach.example.org")
    second = await make_bot(pg_url, api=api, webhook_secret=SECRET,
                            webhook_url="https://coach.example.org")
    return first, second


async def fetch(tg: FakeTelegram, model: type, user_id: int) -> list:
    db = tg.application.bot_data["services"].db
    column = model.id if model is User else model.user_id
    async with db.sessions() as session:
        return list(await session.scalars(select(model).where(column == user_id)))


async def test_alternate_updates_of_one_onboarding_complete_it(make_bot: BotFactory,
                                                               pg_url: str) -> None:
    a, b = await two_workers(make_bot, pg_url)
    ana = ChatUser(a, user_id=4242, first_name="Ana")
    workers = [a, b]
    step = 0

    async def on_next_worker() -> ChatUser:
        nonlocal step
        ana.tg = workers[step % 2]
        step += 1
        return ana

    reply = await (await on_next_worker()).send("/start")  # worker A
    assert reply.last.labels == ["✅ I understand"]
    reply = await (await on_next_worker()).press("I understand")  # worker B
    assert reply.last.text == "Are you injured at the moment?"
    reply = await (await on_next_worker()).press("Not injured")  # A
    assert reply.last.text.startswith("What can you use?")
    reply = await (await on_next_worker()).press("Turbo trainer")  # B ticks on A's keyboard
    assert any(label.startswith("✅") and "Turbo" in label for label in reply.edits[-1].labels)
    reply = await (await on_next_worker()).press("Kettlebell")  # A keeps B's tick
    ticked = [label for label in reply.edits[-1].labels if label.startswith("✅")]
    assert any("Turbo" in label for label in ticked) and any("Kettlebell" in label
                                                             for label in ticked)
    reply = await (await on_next_worker()).press("Done")  # B
    assert reply.last.text == "How much time do you usually have for a session?"
    reply = await (await on_next_worker()).press("45 min")  # A
    assert reply.last.text == "How many days a week can you train?"
    reply = await (await on_next_worker()).press("4")  # B
    assert "When suits you?" in reply.last.text
    reply = await (await on_next_worker()).send("7:30")  # A
    assert reply.last.text.startswith("Which time zone are you in?")
    reply = await (await on_next_worker()).send("london")  # B
    assert "Time: 45 min per session, 4 days a week" in reply.last.text
    reply = await (await on_next_worker()).press("Confirm")  # A
    assert "Your first nudge comes Tuesday at 07:30." in reply.text

    [profile] = await fetch(b, Profile, ana.id)
    assert (profile.injury_status, sorted(profile.equipment), profile.minutes_per_session,
            profile.days_per_week) == ("none", ["kettlebell", "turbo_trainer"], 45, 4)
    [user] = await fetch(a, User, ana.id)
    assert user.timezone == "Europe/London" and user.nudge_time == time(7, 30)
    assert user.next_nudge_at == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert await fetch(a, ConversationState, ana.id) == []
    # Each step was answered exactly once, by one worker: one welcome in the whole chat.
    welcomes = [m for m in ana.messages() if m.text.startswith("Hi Ana!")]
    assert len(welcomes) == 1


async def onboard(user: ChatUser, workers: list[FakeTelegram], offset: int) -> None:
    steps = [("send", "/start"), ("press", "I understand"), ("press", "Not injured"),
             ("press", "Kettlebell"), ("press", "Done"), ("press", "30 min"), ("press", "3"),
             ("press", "07:00"), ("send", "london"), ("press", "Confirm")]
    for index, (action, value) in enumerate(steps):
        user.tg = workers[(index + offset) % len(workers)]
        if action == "send":
            await user.send(value)
        else:
            await user.press(value)


async def test_many_users_onboarding_at_once_across_two_workers(make_bot: BotFactory,
                                                                pg_url: str) -> None:
    a, b = await two_workers(make_bot, pg_url)
    users = [ChatUser(a, user_id=9000 + n, first_name=f"Runner{n}") for n in range(16)]
    await asyncio.gather(*(onboard(user, [a, b], n) for n, user in enumerate(users)))
    db = a.application.bot_data["services"].db
    async with db.sessions() as session:
        profiles = list(await session.scalars(select(Profile).order_by(Profile.user_id)))
        pending = list(await session.scalars(select(ConversationState)))
    assert [p.user_id for p in profiles] == [u.id for u in users]
    assert all(p.equipment == ["kettlebell"] and p.minutes_per_session == 30
               and p.days_per_week == 3 for p in profiles)
    assert pending == []


async def test_a_redelivery_to_the_other_worker_is_dropped(make_bot: BotFactory,
                                                           pg_url: str) -> None:
    a, b = await two_workers(make_bot, pg_url)
    update = {"update_id": 77, "message": {
        "message_id": 1, "date": 1_790_000_000, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": 31, "type": "private", "first_name": "Cleo"},
        "from": {"id": 31, "is_bot": False, "first_name": "Cleo"}}}
    body = json.dumps(update).encode()
    headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
    statuses = []
    for tg in (a, b, a):
        settings = tg.application.bot_data["services"].settings
        app = create_asgi_app(tg.application, settings, Metrics())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://worker") as client:
            statuses.append((await client.post("/telegram", content=body,
                                               headers=headers)).status_code)
    assert statuses == [200, 200, 200]
    assert len(a.api.calls_to("sendMessage")) == 1
