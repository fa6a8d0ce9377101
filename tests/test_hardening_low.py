"""The low-severity hardening: each test names the attack it replays."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text, update

from bot.clock import FakeClock
from bot.db.models import SessionLog, User
from bot.metrics import Metrics
from bot.webhook import SECRET_HEADER, create_asgi_app
from tests.conftest import BotFactory
from tests.harness import ChatUser, FakeTelegram
from tests.nudge_support import get_user, ledger, services_of, tick, utc
from tests.test_nudge_chat import onboarded
from tests.test_onboarding_chat import onboard_uninjured, rows

SECRET = "low_items_secret"


@pytest.fixture
def handler_errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """What the error handler logged (each one is an apology the user got)."""
    caplog.set_level(logging.INFO)
    errors: list[str] = []
    yield errors
    errors += [r.getMessage() for r in caplog.records if r.name == "bot.errors"]


# -- "blocked" is not sticky ---------------------------------------------------------------------


async def test_a_blocked_user_who_writes_again_is_nudged_again(make_bot: BotFactory,
                                                              clock: FakeClock) -> None:
    tg = await make_bot()
    ana = await onboarded(tg, clock)  # the 07:30 nudge went out
    services = services_of(tg)
    clock.set(utc(2026, 3, 3, 7, 30))
    tg.api.fail("sendMessage", "chat_not_found", chat_id=ana.id)  # a hiccup, not a block
    await tick(tg, clock)
    assert (await get_user(services, ana.id)).status == "blocked"
    clock.set(utc(2026, 3, 3, 12, 0))
    await ana.send("swam 30 min")  # ...but they keep chatting
    user = await get_user(services, ana.id)
    assert (user.status, user.next_nudge_at) == ("active", utc(2026, 3, 4, 7, 30))
    clock.set(utc(2026, 3, 4, 7, 30))
    await tick(tg, clock)
    delivered = [c for c in tg.api.calls_to("sendMessage") if isinstance(c.result, dict)
                 and int(c.params["chat_id"]) == ana.id and "Reply to this message" in
                 str(c.params["text"])]
    assert len(delivered) == 2  # Monday's and Wednesday's; Tuesday's never arrived


async def test_a_tap_makes_a_blocked_user_reachable_but_stop_stays_stop(
        make_bot: BotFactory, clock: FakeClock) -> None:
    tg = await make_bot()
    ana = await onboarded(tg, clock)
    services = services_of(tg)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ana.id).values(
            status="blocked", next_nudge_at=None))
    await ana.press("⏭ Skip today")
    assert (await get_user(services, ana.id)).status == "active"
    await ana.send("/stop")
    await ana.send("hello")
    assert (await get_user(services, ana.id)).status == "stopped"


# -- after /delete nothing re-creates the user -----------------------------------------------------


async def test_after_delete_blocking_or_an_old_button_creates_no_row(tg: FakeTelegram,
                                                                    ana: ChatUser) -> None:
    await onboard_uninjured(ana)
    old_buttons = ana.last_with_buttons()
    await ana.send("/delete")
    await ana.press("Yes, delete everything")
    assert await rows(tg, User, ana.id) == []
    await ana.block_bot()
    assert await rows(tg, User, ana.id) == []
    data = old_buttons.raw["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    reply = await ana.press_data(data, on=old_buttons)
    assert reply.answers == ["That button has expired."]
    await ana.unblock_bot()
    assert await rows(tg, User, ana.id) == []
    await ana.send("/start")  # a new conversation is the one way back
    assert len(await rows(tg, User, ana.id)) == 1


async def test_only_the_latest_delete_question_counts_and_only_for_minutes(
        tg: FakeTelegram, ana: ChatUser, clock: FakeClock) -> None:
    await onboard_uninjured(ana)
    await ana.send("/delete")
    first = ana.last_with_buttons()
    await ana.send("/delete")
    second = ana.last_with_buttons()
    reply = await ana.press("Yes, delete everything", on=first)
    assert reply.answers == ["That question has expired."]
    assert "nothing was deleted" in reply.text
    assert len(await rows(tg, User, ana.id)) == 1
    clock.advance(timedelta(minutes=6))
    reply = await ana.press("Yes, delete everything", on=second)
    assert reply.answers == ["That question has expired."]
    assert len(await rows(tg, User, ana.id)) == 1
    await ana.send("/delete")
    clock.advance(timedelta(minutes=4))
    reply = await ana.press("Yes, delete everything")
    assert reply.edits[-1].text.startswith("All your data is deleted.")
    assert await rows(tg, User, ana.id) == []


# -- no user text in the log -----------------------------------------------------------------------


async def test_a_database_error_does_not_log_what_the_user_typed(
        make_bot: BotFactory, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    tg = await make_bot(database_url)
    runner = ChatUser(tg, user_id=77, first_name="Ana")
    await onboard_uninjured(runner)
    services = services_of(tg)
    assert services.db.engine.sync_engine.hide_parameters
    async with services.db.engine.begin() as conn:
        if services.db.dialect == "sqlite":
            await conn.execute(text("CREATE TRIGGER boom BEFORE INSERT ON session_logs "
                                    "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"))
        else:
            await conn.execute(text("CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                                    "RAISE EXCEPTION 'disk on fire'; END $$ LANGUAGE plpgsql"))
            await conn.execute(text("CREATE TRIGGER boom BEFORE INSERT ON session_logs "
                                    "FOR EACH ROW EXECUTE FUNCTION boom()"))
    caplog.set_level(logging.DEBUG)
    note = "swam 30 min, knee-secret-4471 hurt after my physio appointment"
    reply = await runner.send(f"/log {note}")
    assert "Sorry, something went wrong" in reply.text
    logged = "\n".join(r.getMessage() + "\n" + (logging.Formatter().formatException(r.exc_info)
                                                if r.exc_info else "")
                       for r in caplog.records if r.levelno >= logging.INFO)
    assert "disk on fire" in logged  # the error itself is there
    assert "knee-secret-4471" not in logged


# -- input only PostgreSQL rejects -----------------------------------------------------------------


async def test_a_long_language_code_and_nul_bytes_are_cleaned_at_the_boundary(
        make_bot: BotFactory, database_url: str, handler_errors: list[str]) -> None:
    tg = await make_bot(database_url)
    odd = ChatUser(tg, user_id=88, first_name="A\x00na", language_code="x-" + "y" * 40)
    reply = await odd.send("/start")
    assert reply.text.startswith("Hi A")
    [user] = await rows(tg, User, 88)
    assert (user.first_name, user.language_code) == ("Ana", ("x-" + "y" * 40)[:16])
    await onboard_uninjured(odd)
    reply = await odd.send("/log swam 30 min\x00 easy")
    assert "Logged" in reply.text
    [log] = await rows(tg, SessionLog, 88)
    assert "\x00" not in log.raw_text and log.minutes == 30
    reply = await odd.send("/stats")  # not locked out
    assert reply.messages
    assert handler_errors == []


# -- forged callback data --------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["ob:x", "ob:", "ob:disclaimer", "ob:" + "x" * 60,
                                  "acct:", "acct:delete-all", "st:", "st:x" * 10, "mn:",
                                  "nd:", "nd:1:", "nd:-1:d", "nd:99999999999999999999999:d",
                                  "lg:", "sg:", "sg:done", "sg:feel:x:y", "sg:day", "sg:day:x:1",
                                  ":", "\x00"])
async def test_forged_callback_data_is_expired_never_an_error(
        tg: FakeTelegram, ana: ChatUser, handler_errors: list[str], data: str) -> None:
    await onboard_uninjured(ana)
    on = ana.messages()[-1]
    reply = await ana.press_data(data, on=on)
    assert len(reply.answers) == 1 and reply.answers[0].startswith(("That button has expired",
                                                                    "That question has"))
    assert "Sorry, something went wrong" not in reply.text
    assert len(await rows(tg, User, ana.id)) == 1  # nothing deleted by a forged acct: tap


@pytest.mark.parametrize("data", ["sg:day:99991231:6", "sg:day:00010101:-1",
                                  "sg:day:20260302:99999999999999999999"])
async def test_forged_week_day_buttons_are_expired_never_an_error(
        tg: FakeTelegram, ana: ChatUser, handler_errors: list[str], data: str) -> None:
    await onboard_uninjured(ana)
    reply = await ana.press_data(data, on=ana.messages()[-1])
    assert len(reply.answers) == 1 and "Sorry, something went wrong" not in reply.answers[0]
    assert handler_errors == []


# -- webhook bodies --------------------------------------------------------------------------------


@pytest.fixture
async def webhook_client(make_bot: BotFactory) -> Any:
    tg = await make_bot(webhook_secret=SECRET, webhook_url="https://coach.example.org")
    settings = services_of(tg).settings
    app = create_asgi_app(tg.application, settings, Metrics())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://worker") as client:
        yield client


def message_update(update_id: Any, user_id: Any = 5) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 1_790_000_000, "text": "hi",
        "chat": {"id": user_id, "type": "private", "first_name": "Cleo"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Cleo"}}}


@pytest.mark.parametrize("body", [
    b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"update_id": 1, "x": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
    json.dumps(message_update(2**63)).encode(),
    json.dumps(message_update(2**64 + 5)).encode(),
    json.dumps(message_update(-1)).encode(),
    json.dumps(message_update(7, user_id=2**70)).encode(),
    b'{"update_id": 1' + b"0" * 5000 + b"}",
], ids=["nested lists", "nested objects", "update_id 2^63", "update_id 2^64", "negative id",
        "huge user id", "5000-digit id"])
async def test_hostile_webhook_bodies_are_a_400(webhook_client: httpx.AsyncClient,
                                                body: bytes) -> None:
    response = await webhook_client.post("/telegram", content=body, headers={
        SECRET_HEADER: SECRET, "content-type": "application/json"})
    assert response.status_code == 400


# -- edits -----------------------------------------------------------------------------------------


async def test_editing_an_old_command_does_not_run_the_new_one(tg: FakeTelegram,
                                                              ana: ChatUser) -> None:
    await onboard_uninjured(ana)
    await ana.send("/pause 3")
    pause_message = ana.sent[-1]
    reply = await ana.edit(pause_message, "/stop")
    assert reply.silent
    [user] = await rows(tg, User, ana.id)
    assert user.status == "active" and user.next_nudge_at is not None
    for command in ("/delete", "/suggest", "/week", "/resume", "/export"):
        assert (await ana.edit(pause_message, command)).silent, command
    # A log still follows its edits.
    await ana.send("/log swam 30 min")
    edited = await ana.edit(ana.sent[-1], "/log swam 45 min")
    assert edited.messages
    [log] = await rows(tg, SessionLog, ana.id)
    assert log.minutes == 45


# -- Done on yesterday's nudge --------------------------------------------------------------------


async def test_done_on_yesterdays_nudge_logs_yesterday_and_keeps_todays_nudge(
        make_bot: BotFactory, clock: FakeClock) -> None:
    tg = await make_bot()
    ana = await onboarded(tg, clock)  # Monday's 07:30 nudge
    monday_nudge = ana.last_with_buttons()
    clock.set(utc(2026, 3, 3, 6, 0))  # Tuesday, before Tuesday's nudge
    reply = await ana.press("✅ Done", on=monday_nudge)
    assert reply.answers == ["Nice one! Logged ✅"]
    [log] = await rows(tg, SessionLog, ana.id)
    assert log.performed_on == date(2026, 3, 2)
    clock.set(utc(2026, 3, 3, 7, 30))
    await tick(tg, clock)
    tuesday = [r for r in await ledger(services_of(tg), ana.id) if r.local_date == date(2026, 3, 3)]
    assert [(r.status, r.error) for r in tuesday] == [("sent", None)]


# -- a time-zone change neither doubles nor skips a day ------------------------------------------


async def _set_zone(tg: FakeTelegram, user_id: int, zone: str, clock: FakeClock) -> None:
    from bot.coach.nudge_timing import upcoming_nudge
    from bot.db.users import UserSettingsRepository

    due = upcoming_nudge(clock.now(), zone, time(7, 30))
    await UserSettingsRepository(services_of(tg).db).update_nudge_settings(
        user_id, time(7, 30), zone, due)


async def nudges_sent(tg: FakeTelegram, user_id: int) -> list[Any]:
    return [r for r in await ledger(services_of(tg), user_id) if r.status == "sent"]


async def run_days(tg: FakeTelegram, clock: FakeClock, hours: int) -> None:
    """Sweep and send every 15 minutes for `hours`."""
    for _ in range(hours * 4):
        clock.advance(timedelta(minutes=15))
        await tick(tg, clock)


async def test_moving_from_los_angeles_to_tokyo_sends_no_second_nudge_that_day(
        make_bot: BotFactory, clock: FakeClock) -> None:
    tg = await make_bot()
    ana = ChatUser(tg, user_id=61, first_name="Ana")
    clock.set(utc(2026, 3, 2, 12, 0))
    await ana.send("/start")
    services = services_of(tg)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == 61).values(
            onboarded_at=clock.now(), quiet_start=time(12), quiet_end=time(12)))
    await _set_zone(tg, 61, "America/Los_Angeles", clock)
    await run_days(tg, clock, 4)  # 07:30 in LA is 15:30 UTC: Monday's LA nudge
    [la] = await nudges_sent(tg, 61)
    await _set_zone(tg, 61, "Asia/Tokyo", clock)  # 16:00 UTC: already Tuesday in Tokyo
    await run_days(tg, clock, 24 * 3)
    sent = await nudges_sent(tg, 61)
    instants = [r.sent_at for r in sent]
    # LA's nudge came at 00:30 Tuesday, Tokyo time: that is Tuesday's. Then 07:30 Wednesday
    # and Thursday in Tokyo, one a day, never two on one Tokyo date.
    assert instants == [la.sent_at, utc(2026, 3, 3, 22, 30), utc(2026, 3, 4, 22, 30)]
    assert len({r.local_date for r in sent}) == len(sent)


async def test_moving_from_tokyo_to_los_angeles_skips_no_day(make_bot: BotFactory,
                                                            clock: FakeClock) -> None:
    tg = await make_bot()
    ana = ChatUser(tg, user_id=62, first_name="Ana")
    clock.set(utc(2026, 3, 2, 21, 0))
    await ana.send("/start")
    services = services_of(tg)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == 62).values(
            onboarded_at=clock.now(), quiet_start=time(12), quiet_end=time(12)))
    await _set_zone(tg, 62, "Asia/Tokyo", clock)
    await run_days(tg, clock, 2)  # 07:30 Tuesday in Tokyo is 22:30 Monday UTC
    [tokyo] = await nudges_sent(tg, 62)
    assert tokyo.sent_at == utc(2026, 3, 2, 22, 30)
    await _set_zone(tg, 62, "America/Los_Angeles", clock)  # 23:00 UTC: Monday 15:00 in LA
    await run_days(tg, clock, 24 * 2)
    sent = [r.sent_at for r in await nudges_sent(tg, 62)]
    # Tokyo's nudge came on Monday, LA time; Tuesday and Wednesday in LA each get theirs.
    assert sent == [tokyo.sent_at, utc(2026, 3, 3, 15, 30), utc(2026, 3, 4, 15, 30)]


# -- /metrics and /healthz -------------------------------------------------------------------------


async def test_metrics_are_not_public_on_a_public_address(make_bot: BotFactory) -> None:
    tg = await make_bot(webhook_secret=SECRET, webhook_url="https://coach.example.org",
                        webhook_host="0.0.0.0")  # the Procfile's scaled `web` process
    app = create_asgi_app(tg.application, services_of(tg).settings, Metrics())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://worker") as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_metrics_behind_a_token(make_bot: BotFactory) -> None:
    tg = await make_bot(webhook_secret=SECRET, webhook_url="https://coach.example.org",
                        webhook_host="0.0.0.0", metrics_token="scrape-me-7")
    app = create_asgi_app(tg.application, services_of(tg).settings, Metrics())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://worker") as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer scrape-me-8"}
        assert (await client.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer scrape-me-7"}
        response = await client.get("/metrics", headers=right)
        assert response.status_code == 200 and "updates_processed_total" in response.text


async def test_healthz_asks_the_database_at_most_once_every_few_seconds(
        make_bot: BotFactory) -> None:
    tg = await make_bot(webhook_secret=SECRET, webhook_url="https://coach.example.org",
                        webhook_host="0.0.0.0")
    db = services_of(tg).db
    selects: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.strip().upper() == "SELECT 1":
            selects.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    app = create_asgi_app(tg.application, services_of(tg).settings, Metrics())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://worker") as client:
        for _ in range(50):
            response = await client.get("/healthz")
            assert response.json() == {"database": "ok", "content": "ok"}
    assert len(selects) == 1
    # The cache itself, on an injected monotonic clock.
    from bot.webhook import HealthCache

    now = [100.0]
    cache = HealthCache(ttl=5.0, monotonic=lambda: now[0])
    assert await cache.database(db) == "ok"
    now[0] += 4.9
    assert await cache.database(db) == "ok"
    assert len(selects) == 2
    now[0] += 0.2
    await cache.database(db)
    assert len(selects) == 3

