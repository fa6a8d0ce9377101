"""One user's bad time zone never stops the others' nudges, nor their own commands: it falls back
to DEFAULT_TIMEZONE and the user is told once. Zones are stored by their canonical names."""

from __future__ import annotations

from sqlalchemy import update

from bot.coach.timezones import resolve_zone
from bot.db.models import User
from bot.nudges.sweep import run_sweep
from tests.harness import ChatUser
from tests.nudge_support import (
    add_users,
    fake_limiter,
    get_user,
    ledger,
    sent_texts,
    services_of,
    tick,
    user_row,
    utc,
)
from tests.test_onboarding_chat import onboard_uninjured

POISON = "US/Pacific-New"  # removed from tzdata in 2020


async def test_one_poisoned_zone_among_twenty_healthy_users(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    healthy = [user_row(100 + n, clock.now()) for n in range(20)]
    poisoned = user_row(99, clock.now(), next_nudge_at=utc(2026, 3, 2, 7, 0))
    await add_users(services, [*healthy, poisoned])
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == 99).values(timezone=POISON))

    clock.set(utc(2026, 3, 2, 7, 30))
    report = await run_sweep(services, clock.now())
    assert report.count("pending") == 21  # everyone, the poisoned user too (in UTC)
    from bot.nudges.sender import run_sender

    await run_sender(tg.application, clock.now(), limiter=fake_limiter(clock))
    for row in healthy:
        assert len(sent_texts(tg, row["id"])) == 1
    # The poisoned user: one notice naming the zone, and the nudge, in the default zone.
    texts = sent_texts(tg, 99)
    assert len(texts) == 2
    assert sum(POISON in t and "/settings" in t for t in texts) == 1
    assert (await get_user(services, 99)).timezone == "UTC"
    # Told once: the next days bring only the nudge.
    for day in (3, 4):
        clock.set(utc(2026, 3, day, 7, 30))
        await tick(tg, clock)
    assert sum(POISON in t for t in sent_texts(tg, 99)) == 1
    assert [r.kind for r in await ledger(services, 99)].count("zone_reset") == 1


async def test_a_poisoned_users_own_commands_work_and_tell_them_once(tg, ana: ChatUser):
    await onboard_uninjured(ana)
    services = services_of(tg)
    async with services.db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ana.id).values(timezone=POISON))
    first = await ana.send("/stats")
    assert POISON in first.text and "/settings" in first.text
    assert "Sorry, something went wrong" not in first.text
    second = await ana.send("/pause 2")
    assert second.text.startswith("Paused for 2 days")
    assert POISON not in second.text
    assert (await get_user(services, ana.id)).timezone == services.settings.default_timezone


def test_a_typed_legacy_alias_is_stored_by_its_canonical_name():
    from bot.coach.timezones import canonical_zone

    for typed, canonical in [("US/Pacific", "America/Los_Angeles"),
                             ("Asia/Calcutta", "Asia/Kolkata"), ("Europe/Kiev", "Europe/Kyiv"),
                             ("GB", "Europe/London")]:
        match = resolve_zone(typed)
        assert match is not None and match.zone == canonical
        assert canonical_zone(typed) == canonical
    # A zone tzdata lists for a country stays itself, even when it is now a link.
    assert canonical_zone("Europe/Amsterdam") == "Europe/Amsterdam"
    assert canonical_zone(POISON) == POISON  # unknown: left for is_valid_zone to judge


async def test_settings_store_the_canonical_zone(tg, ana: ChatUser):
    await onboard_uninjured(ana)
    await ana.send("/settings")
    await ana.press("✏️ Nudges")
    await ana.press("07:00")
    reply = await ana.send("Asia/Calcutta")
    assert "Asia/Kolkata" in reply.text
    if "Confirm" in reply.last.labels:
        await ana.press("Confirm")
    assert (await get_user(services_of(tg), ana.id)).timezone == "Asia/Kolkata"
