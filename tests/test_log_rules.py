"""The rules that make a log, on the shipped pack: no database, no Telegram."""

from __future__ import annotations

from datetime import date, timedelta

from bot.coach.log_parser import OTHER, CouldNotRead, LogEntry, parse_log
from bot.coach.log_rules import (
    Content,
    EditBase,
    clarified_draft,
    clarify_choices,
    content_defaults,
    done_draft,
    draft_from_entry,
    edit_draft,
    is_bare_answer,
    reads_as_log,
)
from bot.coach.vocabulary import build_vocabulary
from bot.content import ContentPack

TODAY = date(2026, 3, 2)


def parse(pack: ContentPack, text: str) -> LogEntry | CouldNotRead:
    return parse_log(text, build_vocabulary(pack), TODAY)


def test_a_habit_is_logged_as_its_kinds_activity_with_its_minutes(content: ContentPack) -> None:
    nudge = next(iter(content.nudges.values()))
    found = content_defaults(content, nudge.id)
    assert found == Content(content.habit_activity(nudge.kind), None,
                            round(nudge.seconds / 60, 1))


def test_a_session_brings_its_activity_and_minutes(content: ContentPack) -> None:
    session = next(iter(content.sessions.values()))
    assert content_defaults(content, session.id) == Content(
        session.activity, session.id, float(session.minutes))


def test_unknown_content_is_logged_as_other(content: ContentPack) -> None:
    assert content_defaults(content, "no_such_thing") is None
    assert done_draft(content, "no_such_thing", TODAY).activity_id == OTHER


def test_done_on_a_nudge_uses_its_defaults(content: ContentPack) -> None:
    session = next(iter(content.sessions.values()))
    draft = done_draft(content, session.id, TODAY - timedelta(days=1))
    assert (draft.activity_id, draft.session_id, draft.minutes, draft.performed_on) == (
        session.activity, session.id, float(session.minutes), TODAY - timedelta(days=1))


def test_a_clear_message_logs_and_a_vague_one_asks(content: ContentPack) -> None:
    draft = draft_from_entry(parse(content, "swam 30 min easy"), TODAY)
    assert draft is not None and (draft.activity_id, draft.minutes) == ("swimming", 30)
    assert draft_from_entry(parse(content, "done"), TODAY) is None  # answers nothing
    assert draft_from_entry(CouldNotRead("empty"), TODAY) is None


def test_done_on_a_reply_takes_the_answered_content(content: ContentPack) -> None:
    answered = Content("strength", None, 12.0)
    draft = draft_from_entry(parse(content, "done"), TODAY, answered)
    assert draft is not None and (draft.activity_id, draft.minutes) == ("strength", 12.0)
    skipped = draft_from_entry(parse(content, "skipped"), TODAY, answered)
    assert skipped is not None and (skipped.status, skipped.minutes) == ("skipped", None)


def test_plain_text_must_name_an_activity_and_an_amount(content: ContentPack) -> None:
    assert reads_as_log(parse(content, "swam 30 min"))
    assert not reads_as_log(parse(content, "done"))
    assert not reads_as_log(parse(content, "hello there"))
    assert is_bare_answer(parse(content, "done"))
    assert not is_bare_answer(parse(content, "swam 30 min"))


def test_a_clarified_answer_keeps_the_parse_and_drops_a_mismatched_session(
        content: ContentPack) -> None:
    parsed = {"minutes": 25.0, "status": "logged", "day_offset": 1, "notes": "felt ok",
              "session_id": next(s.id for s in content.sessions.values()
                                 if s.activity != "swimming")}
    draft = clarified_draft(content, "swimming", parsed, "did 25", TODAY)
    assert draft is not None
    assert (draft.activity_id, draft.session_id, draft.minutes, draft.performed_on,
            draft.notes) == ("swimming", None, 25.0, TODAY - timedelta(days=1), "felt ok")
    other = clarified_draft(content, OTHER, parsed, "did 25", TODAY)
    assert other is not None and other.notes == "did 25"
    assert clarified_draft(content, "no", parsed, "x", TODAY) is None
    assert clarified_draft(content, "made_up", parsed, "x", TODAY) is None


def test_an_edit_keeps_the_activity_and_the_pain_it_does_not_name(content: ContentPack) -> None:
    base = EditBase("swimming", None, 3)
    draft = edit_draft(parse(content, "40 min"), base, TODAY)
    assert draft is not None and (draft.activity_id, draft.minutes, draft.pain) == (
        "swimming", 40, 3)
    assert edit_draft(parse(content, "hello there"), base, TODAY) is None


def test_clarify_choices_rank_guess_then_habit_then_defaults(content: ContentPack) -> None:
    picked = clarify_choices(content, None, None, ["rowing", "elliptical", "rowing"])
    known = [a for a in ("rowing", "elliptical") if a in content.activities]
    assert picked[:len(known)] == known
    assert len(picked) == 3
    assert clarify_choices(content, "swimming", None, [])[0] == "swimming"
