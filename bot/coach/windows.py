"""How far back each part of the coach looks, named once so the windows cannot drift apart."""

from __future__ import annotations

# The logs the coach reads to suggest a session, plan a week, choose a nudge and guess what an
# unclear message meant: four weeks show a runner's habits without last season's.
COACH_HISTORY_DAYS = 28
# Variety and the weekly balance of the ranking: the last two weeks.
VARIETY_DAYS = 14
# A pain report keeps the gentle set for a week unless a later log clears it.
PAIN_MEMORY_DAYS = 7
# The nudge ledger rows a claim reads: the 7-day variety window of habits plus the previous
# nudge for the ignored count (every-other-day cadence), with room to spare.
LEDGER_DAYS = 14
