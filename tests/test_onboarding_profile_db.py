"""The injury's onset, daily-life pain and clearance are stored, read back, exported, and added
to existing databases without touching their rows (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from bot.coach.profile import RunnerProfile
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.privacy import PrivacyRepository
from bot.db.profiles import ProfileRepository

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


async def test_existing_profiles_read_as_onset_unknown_and_not_cleared(database_url: str
                                                                       ) -> None:
    db = Database(database_url)
    try:
        await upgrade(db, "0001")
        async with db.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO users (id, chat_id, first_name, status, ignored_nudges, created_at, "
                "last_seen_at) VALUES (7, 7, 'Ana', 'active', 0, :now, :now)"), {"now": NOW})
            await conn.execute(text(
                "INSERT INTO profiles (user_id, injury_status, condition_id, phase, pain_today, "
                "clinician_seen, red_flags, equipment, updated_at) VALUES (7, 'injured', "
                "'calf_strain', 'acute', 3, false, '[\"screen\"]', '[]', :now)"), {"now": NOW})
        await upgrade(db, "0002")
        profile = await ProfileRepository(db, "UTC").get(7)
        assert profile is not None
        assert (profile.condition_id, profile.red_flags, profile.injury_started_on,
                profile.hurts_daily_life, profile.clinician_cleared) == (
            "calf_strain", ("screen",), None, None, False)
    finally:
        await db.dispose()


async def test_the_new_injury_answers_are_saved_read_and_exported(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO users (id, chat_id, first_name, status, ignored_nudges, created_at, "
                "last_seen_at) VALUES (7, 7, 'Ana', 'active', 0, :now, :now)"), {"now": NOW})
        repo = ProfileRepository(db, "UTC")
        saved = RunnerProfile(user_id=7, injury_status="injured", condition_id="ankle_sprain",
                              phase="acute", pain_today=2, clinician_seen=True,
                              red_flags=("screen", "condition", "text"),
                              injury_started_on=date(2026, 11, 28), hurts_daily_life=True,
                              clinician_cleared=True)
        await repo.save(saved, NOW)
        assert await repo.get(7) == saved
        exported = await PrivacyRepository(db).export(7)
        [row] = exported["profiles"]
        assert (row["injury_started_on"], row["hurts_daily_life"], row["clinician_cleared"]) == (
            "2026-11-28", True, True)
    finally:
        await db.dispose()
