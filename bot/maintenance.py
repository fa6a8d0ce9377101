"""Housekeeping jobs that are not about any one user."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.services import Services

log = logging.getLogger("bot.maintenance")

# How often a worker forgets old update ids (they only guard against Telegram's redeliveries).
PURGE_INTERVAL_SECONDS = 3600.0


async def purge_processed_updates(services: Services) -> int:
    """Forget update ids older than PROCESSED_UPDATE_TTL_HOURS; returns how many went."""
    ttl = timedelta(hours=services.settings.processed_update_ttl_hours)
    removed = await services.updates.purge_older_than(services.clock.now() - ttl)
    if removed:
        log.info("Purged %d processed update ids", removed)
    return removed
