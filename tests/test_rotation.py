"""The rules of a suggestion card's buttons and of the /convert answers (bot/coach/rotation.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.coach import rotation
from bot.coach.suggest import Suggestion, Suggestions
from bot.content import ContentPack
from bot.content.models import Session

NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def _pick(session: Session) -> Suggestion:
    return Suggestion(session=session, score=0.0, reason="", reasons=())


@pytest.fixture
def sessions(content: ContentPack) -> list[Session]:
    """Three sessions of different lengths, shortest first."""
    by_minutes: dict[int, Session] = {}
    for session in content.sessions.values():
        by_minutes.setdefault(session.minutes, session)
    chosen = [by_minutes[m] for m in sorted(by_minutes)]
    return [chosen[0], chosen[len(chosen) // 2], chosen[-1]]


# -- Another ------------------------------------------------------------------------------------


def test_another_walks_down_the_ranking_and_wraps(sessions: list[Session]) -> None:
    ranked = [_pick(s) for s in sessions]
    ids = [s.id for s in sessions]
    first = rotation.another(ranked, ids[0])
    assert first.chosen is ranked[1] and not first.wrapped
    assert rotation.another(ranked, ids[1]).chosen is ranked[2]
    last = rotation.another(ranked, ids[2])
    assert last.chosen is ranked[0] and last.wrapped


def test_another_when_the_shown_session_no_longer_ranks(sessions: list[Session]) -> None:
    ranked = [_pick(s) for s in sessions[1:]]
    assert rotation.another(ranked, sessions[0].id).chosen is ranked[0]


def test_another_with_only_the_shown_session(sessions: list[Session]) -> None:
    only = [_pick(sessions[0])]
    assert rotation.another(only, sessions[0].id) == rotation.Next(None)
    assert rotation.another([], sessions[0].id) == rotation.Next(None)
    # One other session that fits, and the shown one gone: that one.
    assert rotation.another(only, sessions[1].id).chosen is only[0]


# -- Shorter and Longer -------------------------------------------------------------------------


def test_shorter_and_longer_must_move_the_asked_way(sessions: list[Session]) -> None:
    short, middle, long = sessions
    found = Suggestions((_pick(short),))
    assert rotation.stepped(found, middle, "shorter") is found.top
    assert rotation.stepped(found, middle, "longer") is None
    found = Suggestions((_pick(long),))
    assert rotation.stepped(found, middle, "longer") is found.top
    assert rotation.stepped(found, middle, "shorter") is None


def test_shorter_and_longer_never_give_the_same_or_nothing(sessions: list[Session]) -> None:
    middle = sessions[1]
    assert rotation.stepped(Suggestions((_pick(middle),)), middle, "shorter") is None
    assert rotation.stepped(Suggestions(()), middle, "longer") is None


def test_the_nearest_option_counts_when_nothing_ranks(sessions: list[Session]) -> None:
    short, middle, _long = sessions
    nearest = Suggestions((), nearest=_pick(short), message="Nothing fits.")
    assert rotation.stepped(nearest, middle, "shorter") is nearest.nearest


# -- stale cards and feelings -------------------------------------------------------------------


def test_a_card_expires_after_two_days() -> None:
    assert not rotation.is_stale(NOW, NOW)
    assert not rotation.is_stale(NOW - rotation.STALE_AFTER, NOW)
    assert rotation.is_stale(NOW - rotation.STALE_AFTER - timedelta(seconds=1), NOW)


def test_feelings_store_an_effort_and_nothing_else_reads() -> None:
    assert [rotation.feeling(rpe) for _word, rpe in rotation.FEELINGS] == [
        "easy", "moderate", "hard"]
    assert rotation.feeling(42) is None and rotation.feeling(0) is None


# -- answers to /convert ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["don't know", "Dont know really", "  idk", "?", "skip it"])
def test_dont_know_the_pace(text: str) -> None:
    assert rotation.is_dont_know(text)


@pytest.mark.parametrize("text", ["5:30/km", "I know it", "slow"])
def test_a_pace_or_anything_else_is_not_dont_know(text: str) -> None:
    assert not rotation.is_dont_know(text)


def test_a_log_of_another_activity_is_not_the_run(content: ContentPack) -> None:
    today = NOW.date()
    assert rotation.logs_another_activity(content, "swam 30 min", today)
    assert not rotation.logs_another_activity(content, "tempo 20 min", today)
    assert not rotation.logs_another_activity(content, "6x800m with 90s jog", today)


def test_what_answers_the_convert_prompt(content: ContentPack) -> None:
    asked = NOW - timedelta(minutes=5)

    def answers(text: str, *, replied_to: int | None = None, asked_at: datetime | None = asked,
                now: datetime = NOW) -> bool:
        return rotation.answers_convert(content, text, replied_to=replied_to,
                                        prompt_message_id=7, asked_at=asked_at, now=now)

    assert answers("tempo 20 min")
    assert answers("swam 30 min", replied_to=7)  # a reply to the prompt is always its answer
    assert not answers("tempo 20 min", replied_to=8)  # a reply to another message is not
    assert not answers("swam 30 min")  # a log, even while the question is open
    assert not answers("tempo 20 min", asked_at=None)
    assert not answers("tempo 20 min", now=asked + rotation.TYPED_ANSWER_TTL
                       + timedelta(seconds=1))
    assert answers("tempo 20 min", now=asked + rotation.TYPED_ANSWER_TTL)
