"""The rules behind a suggestion card's buttons and the /convert answers, kept out of the chat
code so they can be tested on their own.

- Another walks down the ranked list and comes round to the top again;
- Shorter and Longer accept only a session that really moved the asked way;
- a card shown long ago was for another day, so its buttons expire;
- "How did it feel?" stores an effort (RPE);
- while /convert waits, plain text is its answer unless it reads as a log of another activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from bot.coach.log_parser import OTHER, LogEntry, parse_log
from bot.coach.suggest import Suggestion, Suggestions
from bot.coach.vocabulary import build_vocabulary
from bot.content import ContentPack
from bot.content.models import Session

Step = Literal["shorter", "longer"]

STALE_AFTER = timedelta(days=2)  # a suggestion shown longer ago was for another day
# The effort each "How did it feel?" answer stores. Easy and moderate count as comfortable
# (suggest.LOW_EFFORT), which is what lets a family of sessions step up a level.
FEELINGS: tuple[tuple[str, int], ...] = (("easy", 3), ("moderate", 5), ("hard", 8))
# How long after the prompt a plain (not replied) message still counts as the answer: long
# enough to look up a plan, short enough that tomorrow's "swam 30 min" is not read as a run.
TYPED_ANSWER_TTL = timedelta(hours=1)
CONFIDENT_LOG = 0.5  # parser confidence from which text naming another activity is a log
DONT_KNOW = ("don't know", "dont know", "not sure", "no idea", "skip", "idk", "?")


def is_stale(shown_at: datetime, now: datetime) -> bool:
    """A card shown more than STALE_AFTER ago: its buttons have expired."""
    return now - shown_at > STALE_AFTER


@dataclass(frozen=True)
class Next:
    """What Another shows next: None when the current session is the only one that fits;
    `wrapped` when the list ran out and starts again at the top."""

    chosen: Suggestion | None
    wrapped: bool = False


def another(ranked: Sequence[Suggestion], current_id: str) -> Next:
    """The session after `current_id` in today's ranking, round to the top at the end. When
    the current one no longer ranks (the profile changed), the best other one."""
    ids = [s.session.id for s in ranked]
    if len(ids) <= 1 or current_id not in ids:
        return Next(next((s for s in ranked if s.session.id != current_id), None))
    position = ids.index(current_id) + 1
    return Next(ranked[position % len(ids)], wrapped=position >= len(ids))


def stepped(result: Suggestions, current: Session, step: Step) -> Suggestion | None:
    """The answer to Shorter / Longer: the best pick asked for with `current` as reference,
    or None when it is not really shorter (longer) than `current`, or is `current` itself."""
    found = result.top
    if found is None or found.session.id == current.id:
        return None
    minutes = found.session.minutes
    wrong_way = minutes >= current.minutes if step == "shorter" else minutes <= current.minutes
    return None if wrong_way else found


def feeling(effort: int) -> str | None:
    """The word for an effort a "How did it feel?" button stores; None for any other."""
    return next((word for word, rpe in FEELINGS if rpe == effort), None)


def is_dont_know(text: str) -> bool:
    """The runner's way of saying they don't know their pace."""
    return text.strip().lower().startswith(DONT_KNOW)


def logs_another_activity(pack: ContentPack, text: str, today: date) -> bool:
    """True for text such as "swam 30 min": while /convert waits, that is a log of another
    activity, not the run to replace, so logging should read it."""
    entry = parse_log(text, build_vocabulary(pack), today)
    return (isinstance(entry, LogEntry) and entry.activity_id not in (OTHER, "running")
            and entry.confidence >= CONFIDENT_LOG)


def answers_convert(pack: ContentPack, text: str, *, replied_to: int | None,
                    prompt_message_id: int | None, asked_at: datetime | None,
                    now: datetime) -> bool:
    """Whether a message is the answer to the waiting /convert prompt: a reply to that prompt,
    or plain text soon after it that does not read as a log. A reply to any other message is
    about that message (a log, an older prompt)."""
    if replied_to is not None:
        return replied_to == prompt_message_id
    if asked_at is None or now - asked_at > TYPED_ANSWER_TTL:
        return False
    return not logs_another_activity(pack, text, now.date())
