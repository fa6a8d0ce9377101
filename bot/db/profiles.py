"""The profiles repository."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.profile import RunnerProfile
from bot.db.engine import Database
from bot.db.models import Profile, User
from bot.db.unit import Unit, session_in

_PROFILES = Profile.__table__
_PROFILE_COLUMNS = [column.name for column in _PROFILES.columns]
# One query for the profile and the zone it is read in.
_PROFILE_QUERY = (
    select(_PROFILES, User.__table__.c.timezone)
    .join(User.__table__, User.__table__.c.id == _PROFILES.c.user_id)
    .where(_PROFILES.c.user_id == bindparam("uid"))
)


def to_domain(row: Profile, timezone: str) -> RunnerProfile:
    return RunnerProfile(
        user_id=row.user_id,
        injury_status=row.injury_status,
        condition_id=row.condition_id,
        phase=row.phase,
        pain_today=row.pain_today,
        clinician_seen=row.clinician_seen,
        red_flags=tuple(row.red_flags or ()),
        equipment=frozenset(row.equipment or ()),
        minutes_per_session=row.minutes_per_session,
        days_per_week=row.days_per_week,
        timezone=timezone,
        run_pace_sec_per_km=row.run_pace_sec_per_km,
        injury_started_on=row.injury_started_on,
        hurts_daily_life=row.hurts_daily_life,
        clinician_cleared=bool(row.clinician_cleared),
    )


class ProfileRepository:
    def __init__(self, db: Database, default_timezone: str) -> None:
        self._db = db
        self._default_timezone = default_timezone

    async def get(self, user_id: int, *, unit: Unit | None = None) -> RunnerProfile | None:
        if unit is not None:
            row = (await unit.execute(_PROFILE_QUERY, {"uid": user_id})).mappings().first()
        else:
            async with self._db.reading() as own:
                row = (await own.execute(_PROFILE_QUERY, {"uid": user_id})).mappings().first()
        if row is None:
            return None
        return to_domain(Profile(**{k: row[k] for k in _PROFILE_COLUMNS}),
                         row["timezone"] or self._default_timezone)

    async def save(self, profile: RunnerProfile, now: datetime,
                   *, unit: Unit | None = None) -> None:
        async with session_in(self._db.engine, unit) as session:
            await save_profile(session, profile, now)


async def save_profile(session: AsyncSession, profile: RunnerProfile, now: datetime) -> None:
    """Upsert inside the caller's transaction, so profile and schedule change together."""
    row = await session.get(Profile, profile.user_id)
    if row is None:
        row = Profile(user_id=profile.user_id)
        session.add(row)
    row.injury_status = profile.injury_status
    row.condition_id = profile.condition_id
    row.phase = profile.phase
    row.pain_today = profile.pain_today
    row.clinician_seen = profile.clinician_seen
    row.injury_started_on = profile.injury_started_on
    row.hurts_daily_life = profile.hurts_daily_life
    row.clinician_cleared = profile.clinician_cleared
    row.red_flags = list(profile.red_flags)
    row.equipment = sorted(profile.equipment)
    row.minutes_per_session = profile.minutes_per_session
    row.days_per_week = profile.days_per_week
    row.run_pace_sec_per_km = profile.run_pace_sec_per_km
    row.updated_at = now
