"""Nudge scheduling against a real database with an injected clock: local times across DST,
one nudge per local day, snooze / skip / quiet once done, quiet hours, back-off and catch-up."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import time, timedelta

from sqlalchemy import insert

from bot.coach.schedule import local_date
from bot.coach.timezones import zone_info
from bot.db.models import SessionLog, User
from bot.db.nudges import NudgeRepository
from bot.db.users import UserRepository
from tests.nudge_support import (
    add_users,
    get_user,
    ledger,
    next_due,
    sent_texts,
    services_of,
    tick,
    user_row,
    utc,
)

ZONES = {1: "Europe/London", 2: "America/New_York", 3: "Australia/Sydney"}


async def test_0730_local_in_three_zones_across_both_dst_switches(make_bot, clock, database_url):
    # 5 March to 10 April 2026: New York springs forward on 8 March, London on 29 March, and
    # Sydney falls back on 5 April.
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 5, 0, 0))
    await add_users(services, [user_row(uid, clock.now(), zone=zone)
                               for uid, zone in ZONES.items()])
    sent_at: dict[int, list] = {uid: [] for uid in ZONES}
    tg.api.listeners.append(lambda method, params: sent_at[int(params["chat_id"])].append(
        clock.now()) if method == "sendMessage" else None)

    end = utc(2026, 4, 10, 23, 0)
    users = UserRepository(services.db)
    while (due := await next_due(services)) is not None and due <= end:
        clock.set(due)
        await tick(tg, clock)
        for uid in ZONES:  # they answer, so the back-off never starts
            await users.seen(uid, uid, "U", "en", clock.now())

    for uid, zone in ZONES.items():
        local = [t.astimezone(zone_info(zone)) for t in sent_at[uid]]
        assert {(t.hour, t.minute) for t in local} == {(7, 30)}, (zone, local)
        days = [t.date() for t in local]
        assert len(days) == len(set(days)), f"two nudges on one day in {zone}"
        first, last = min(days), max(days)
        assert len(days) == (last - first).days + 1, f"a day without a nudge in {zone}"
        assert len(days) >= 35
    rows = await ledger(services)
    assert Counter((r.user_id, r.local_date) for r in rows).most_common(1)[0][1] == 1


async def test_exactly_one_nudge_per_local_day_however_often_the_sweep_runs(
        make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(7, clock.now())])
    clock.set(utc(2026, 3, 2, 7, 30))
    for _ in range(3):
        await tick(tg, clock)
    # Onboarding / settings moving the nudge later the same day must not bring a second one.
    repo = NudgeRepository(services.db)
    async with services.db.sessions() as session, session.begin():
        user = await session.get(User, 7)
        user.next_nudge_at = utc(2026, 3, 2, 12, 0)
    clock.set(utc(2026, 3, 2, 12, 0))
    await tick(tg, clock)
    assert len(sent_texts(tg, 7)) == 1
    assert [r.status for r in await ledger(services, 7)] == ["sent"]
    assert (await get_user(services, 7)).next_nudge_at == utc(2026, 3, 3, 7, 30)
    assert await repo.claim_due(clock.now(), 10, timedelta(hours=3)) == []


async def test_quiet_once_done_sends_nothing(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(8, clock.now())])
    async with services.db.sessions() as session, session.begin():
        await session.execute(insert(SessionLog), [{
            "user_id": 8, "source_message_id": 55, "performed_on": local_date(
                clock.now(), "Europe/London"), "logged_at": clock.now(),
            "activity_id": "swimming", "status": "done", "source": "text", "raw_text": "swam",
            "notes": ""}])
    clock.set(utc(2026, 3, 2, 7, 30))
    await tick(tg, clock)
    assert sent_texts(tg, 8) == []
    [row] = await ledger(services, 8)
    assert (row.status, row.error) == ("skipped", "done_today")
    # Tomorrow, nothing logged yet: the nudge comes as usual.
    clock.set(utc(2026, 3, 3, 7, 30))
    await tick(tg, clock)
    assert len(sent_texts(tg, 8)) == 1


async def test_snooze_goes_out_again_once_and_skip_stops_it(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(9, clock.now()), user_row(10, clock.now())])
    clock.set(utc(2026, 3, 2, 7, 30))
    await tick(tg, clock)
    repo = NudgeRepository(services.db)
    [first] = await ledger(services, 9)
    [other] = await ledger(services, 10)
    assert await repo.record_snooze(first.id, 9, utc(2026, 3, 2, 8, 0), clock.now())
    assert await repo.record_snooze(other.id, 10, utc(2026, 3, 2, 8, 0), clock.now())
    assert await repo.record_response(other.id, 10, "skipped", clock.now())

    clock.set(utc(2026, 3, 2, 7, 59))
    await tick(tg, clock)
    assert len(sent_texts(tg, 9)) == 1, "a snoozed nudge must wait for its time"
    clock.set(utc(2026, 3, 2, 8, 0))
    await tick(tg, clock)
    clock.set(utc(2026, 3, 2, 9, 0))
    await tick(tg, clock)
    assert len(sent_texts(tg, 9)) == 2, "the snoozed nudge comes back exactly once"
    assert len(sent_texts(tg, 10)) == 1, "a skipped nudge never comes back"
    [again] = await ledger(services, 9)
    assert again.id == first.id and again.status == "sent"
    assert again.telegram_message_id != first.telegram_message_id


async def test_quiet_hours_are_respected(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 0, 0))
    await add_users(services, [
        # 06:00 is inside the default quiet hours (21:30-07:00): it comes at 07:00.
        user_row(11, clock.now(), at=time(6, 0)),
        # The runner's own quiet hours (22:00-08:00) move a 07:30 nudge to 08:00.
        user_row(12, clock.now(), quiet_start=time(22, 0), quiet_end=time(8, 0),
                 next_nudge_at=utc(2026, 3, 2, 8, 0)),
    ])
    sends: list[tuple[int, object]] = []
    tg.api.listeners.append(lambda m, p: sends.append((int(p["chat_id"]), clock.now()))
                            if m == "sendMessage" else None)
    end = utc(2026, 3, 5, 0, 0)
    while (due := await next_due(services)) is not None and due <= end:
        clock.set(due)
        await tick(tg, clock)
    assert {t.time() for uid, t in sends if uid == 11} == {time(7, 0)}
    assert {t.time() for uid, t in sends if uid == 12} == {time(8, 0)}
    assert len(sends) == 6
    # A snooze for "this evening" tapped at 21:10 lands after the quiet hours, next morning.
    repo = NudgeRepository(services.db)
    row = (await ledger(services, 11))[-1]
    from bot.coach.schedule import QuietHours, snooze_until
    clock.set(utc(2026, 3, 4, 21, 10))
    until = snooze_until(clock.now(), "Europe/London", "evening", QuietHours())
    assert until == utc(2026, 3, 5, 7, 0)
    assert await repo.record_snooze(row.id, 11, until, clock.now())
    clock.set(utc(2026, 3, 4, 23, 0))
    await tick(tg, clock)
    assert len(sends) == 6


async def test_back_off_asks_after_3_ignored_then_every_other_day_and_pauses_after_7(
        make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 1, 12, 0))
    await add_users(services, [user_row(13, clock.now())])
    days_sent: list[tuple[str, str]] = []
    tg.api.listeners.append(lambda m, p: days_sent.append(
        (clock.now().date().isoformat(), str(p["text"]))) if m == "sendMessage" else None)
    end = utc(2026, 3, 31, 0, 0)
    while (due := await next_due(services)) is not None and due <= end:
        clock.set(due)
        await tick(tg, clock)

    dates = [d for d, _ in days_sent]
    texts = [t for _, t in days_sent]
    # Daily for 3 days, then (4th) the question, then every other day...
    assert dates[:4] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    assert "Still want these?" in texts[3]
    assert sum("Still want these?" in t for t in texts) == 1
    assert dates[4:7] == ["2026-03-07", "2026-03-09", "2026-03-11"]
    # ...and after 7 ignored, a pause that says how to resume, then silence.
    assert "/resume" in texts[7] and dates[7] == "2026-03-13"
    assert len(days_sent) == 8
    user = await get_user(services, 13)
    assert user.next_nudge_at is None and user.ignored_nudges == 7


async def test_any_message_resets_the_ignored_count(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 1, 12, 0))
    await add_users(services, [user_row(14, clock.now())])
    for n in range(2, 5):  # three ignored nudges (2, 3 and 4 March)...
        clock.set(utc(2026, 3, n, 7, 30))
        await tick(tg, clock)
    clock.set(utc(2026, 3, 4, 18, 0))
    await UserRepository(services.db).seen(14, 14, "U", "en", clock.now())  # ...then a message
    clock.set(utc(2026, 3, 5, 7, 30))
    await tick(tg, clock)
    texts = sent_texts(tg, 14)
    assert len(texts) == 4 and "Still want these?" not in texts[-1]
    assert (await get_user(services, 14)).ignored_nudges == 0


async def test_catch_up_after_2h_downtime_sends_late_once(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(15, clock.now()), user_row(16, clock.now())])
    clock.set(utc(2026, 3, 2, 9, 30))  # down from before 07:30 until 09:30
    await tick(tg, clock)
    await tick(tg, clock)
    assert len(sent_texts(tg, 15)) == 1 and len(sent_texts(tg, 16)) == 1
    assert (await get_user(services, 15)).next_nudge_at == utc(2026, 3, 3, 7, 30)


async def test_catch_up_after_10h_downtime_skips_without_a_burst(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [user_row(17, clock.now()),
                               # This one was due yesterday and the day before as well.
                               user_row(18, clock.now(), next_nudge_at=utc(2026, 2, 28, 7, 30))])
    clock.set(utc(2026, 3, 2, 17, 30))
    await tick(tg, clock)
    await tick(tg, clock)
    assert sent_texts(tg, 17) == [] and sent_texts(tg, 18) == []
    assert [(r.status, r.error) for r in await ledger(services, 17)] == [("skipped", "late")]
    assert len(await ledger(services, 18)) == 1
    for uid in (17, 18):
        assert (await get_user(services, uid)).next_nudge_at == utc(2026, 3, 3, 7, 30)
    clock.set(utc(2026, 3, 3, 7, 30))
    await tick(tg, clock)
    assert len(sent_texts(tg, 17)) == 1 and len(sent_texts(tg, 18)) == 1


async def test_paused_and_stopped_users_get_nothing(make_bot, clock, database_url):
    tg = await make_bot(database_url)
    services = services_of(tg)
    clock.set(utc(2026, 3, 2, 6, 0))
    await add_users(services, [
        user_row(19, clock.now(), paused_until=utc(2026, 3, 4, 0, 0)),
        user_row(20, clock.now(), status="stopped"),
    ])
    for n in (2, 3, 4):
        clock.set(utc(2026, 3, n, 7, 30))
        await tick(tg, clock)
    assert len(sent_texts(tg, 19)) == 1  # 4 March only
    assert sent_texts(tg, 20) == []


# -- choosing the habit (pure) -------------------------------------------------------------------

def _simulate_choices(content, days: int, condition: str | None = None):
    from datetime import date

    from bot.coach.nudge_choice import RecentNudge, choose_nudge

    recent: list[RecentNudge] = []
    picked = []
    for n in range(days):
        today = date(2026, 3, 1) + timedelta(days=n)
        choice = choose_nudge(content, user_id=77, today=today, condition_id=condition,
                              recent=recent)
        assert choice is not None and choice.kind == "habit"
        picked.append((today, choice.content_id))
        recent.append(RecentNudge(today, choice.content_id))
    return picked


def test_habits_do_not_repeat_within_a_week(content):
    picked = _simulate_choices(content, 40)
    for i, (today, habit) in enumerate(picked):
        assert all(h != habit for d, h in picked[max(0, i - 6):i]), (today, habit)


def test_habits_are_safe_for_the_condition(content):
    condition = "bone_stress_injury"
    picked = _simulate_choices(content, 30, condition)
    assert picked
    assert all(condition not in content.nudges[h].unsafe_for for _, h in picked)


def test_habits_progress_after_three_dones(content):
    from bot.coach.nudge_choice import frontier_habits

    ids = {n.id for n in frontier_habits(content, None, None, {})}
    assert "brush_one_leg" in ids and "brush_one_leg_eyes_closed" not in ids
    ids = {n.id for n in frontier_habits(content, None, None, {"brush_one_leg": 2})}
    assert "brush_one_leg" in ids
    ids = {n.id for n in frontier_habits(content, None, None, {"brush_one_leg": 3})}
    assert "brush_one_leg_eyes_closed" in ids and "brush_one_leg" not in ids
    # The next level is unsafe for an ankle sprain: that runner stays on level 1.
    ids = {n.id for n in frontier_habits(content, "ankle_sprain", None, {"brush_one_leg": 3})}
    assert "brush_one_leg" in ids and "brush_one_leg_eyes_closed" not in ids


def test_a_planned_session_replaces_the_habit(content):
    from datetime import date

    from bot.coach.nudge_choice import choose_nudge

    session_id = next(iter(content.sessions))
    choice = choose_nudge(content, user_id=1, today=date(2026, 3, 2),
                          planned_session_id=session_id)
    assert choice is not None and (choice.kind, choice.content_id) == ("session", session_id)
    fallback = choose_nudge(content, user_id=1, today=date(2026, 3, 2),
                            planned_session_id="no_such_session")
    assert fallback is not None and fallback.kind == "habit"


def test_planned_session_follows_the_week_plan(content):
    from datetime import date

    from bot.coach.nudge_choice import planned_session_for
    from bot.coach.profile import RunnerProfile
    from bot.coach.week_plan import plan_week

    monday = date(2026, 3, 2)
    injured = RunnerProfile(user_id=1, injury_status="injured", condition_id="ankle_sprain",
                            phase="settling", days_per_week=4,
                            equipment=frozenset({"pool", "turbo_trainer"}))
    week = plan_week(content, injured, [], monday)
    for offset in range(7):
        today = monday + timedelta(days=offset)
        expected = plan_week(content, injured, [], today)[0]
        got = planned_session_for(content, injured, [], today)
        if expected.suggestion is None:
            assert got is None, today  # rest day (or nothing safe fits)
        else:
            assert got == expected.suggestion.session.id
    assert any(d.rest for d in week) and any(d.suggestion for d in week)
    # No days a week chosen: no plan to follow.
    assert planned_session_for(content, RunnerProfile(user_id=1), [], monday) is None
    assert planned_session_for(content, None, [], monday) is None


def test_habit_safety_follows_the_coaching_safety_state(content):
    from datetime import date

    from bot.coach.nudge_choice import nudge_safety
    from bot.coach.profile import RunnerProfile
    from bot.coach.suggest import PastSession

    today = date(2026, 3, 2)
    assert nudge_safety(content, None, [], today) == (None, None, "normal")
    assert nudge_safety(content, RunnerProfile(user_id=1), [], today) == (None, None, "normal")
    # Injured without a named condition: the careful "not sure" rules, never none.
    unnamed = RunnerProfile(user_id=1, injury_status="injured", phase="settling")
    assert nudge_safety(content, unnamed, [], today)[0] == "not_sure"
    # Pain rising in the logs: the gentlest phase for the condition.
    sprain = RunnerProfile(user_id=1, injury_status="injured", condition_id="ankle_sprain",
                           phase="returning")
    rising = [PastSession(today - timedelta(days=2), "swimming", pain=2),
              PastSession(today - timedelta(days=1), "swimming", pain=3)]
    assert nudge_safety(content, sprain, [], today) == ("ankle_sprain", "returning", "normal")
    assert nudge_safety(content, sprain, rising, today) == ("ankle_sprain", "acute", "normal")
    # A session that took the pain clearly past the limit, or a warning sign: protect.
    flared = [PastSession(today - timedelta(days=1), "swimming", pain=8)]
    assert nudge_safety(content, sprain, flared, today)[2] == "protect"
    flagged = replace(sprain, red_flags=("screen",))
    assert nudge_safety(content, flagged, [], today)[2] == "protect"
