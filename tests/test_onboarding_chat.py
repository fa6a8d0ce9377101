"""Onboarding as a runner on a phone goes through it, with every branch and bad answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from bot.db.models import ConversationState, Profile, User
from tests.conftest import BotFactory
from tests.harness import ChatUser, FakeTelegram


async def rows(tg: FakeTelegram, model: type, user_id: int) -> list:
    db = tg.application.bot_data["services"].db
    column = model.id if model is User else model.user_id
    async with db.sessions() as session:
        return list(await session.scalars(select(model).where(column == user_id)))


async def step_of(tg: FakeTelegram, user_id: int) -> str | None:
    found = await rows(tg, ConversationState, user_id)
    return found[0].step if found else None


async def onboard_uninjured(user: ChatUser) -> None:
    await user.send("/start")
    await user.press("I understand")
    await user.press("Not injured")
    await user.press("Turbo trainer")
    await user.press("Kettlebell")
    await user.press("Done")
    await user.press("30 min")
    await user.press("4")
    await user.press("07:00")
    await user.send("london")
    await user.press("Confirm")


async def test_a_new_runner_sees_the_welcome_and_the_disclaimer(ana: ChatUser) -> None:
    reply = await ana.send("/start")
    assert reply.text.startswith("Hi Ana! I'm CrossCoach.")
    assert "not medical advice" in reply.text
    assert reply.last.labels == ["✅ I understand"]


async def test_uninjured_runner_completes_onboarding(ana: ChatUser, tg: FakeTelegram) -> None:
    await ana.send("/start")
    reply = await ana.press("I understand")
    assert reply.last.text == "Are you injured at the moment?"
    assert reply.last.labels == ["Not injured, I want to add cross-training", "Injured right now",
                                 "Coming back from an injury"]
    # The answered question keeps the answer and loses its keyboard.
    assert reply.edits[0].text.endswith("→ I understand") and not reply.edits[0].buttons

    reply = await ana.press("Not injured")
    assert reply.last.text.startswith("What can you use?")
    assert "🏠 Kettlebell" in reply.last.labels

    reply = await ana.press("Kettlebell")
    assert "✅ 🏠 Kettlebell" in reply.edits[-1].labels
    reply = await ana.press("✅ 🏠 Kettlebell")  # untick
    assert "🏠 Kettlebell" in reply.edits[-1].labels
    await ana.press("Turbo trainer")
    reply = await ana.press("Done")
    assert reply.last.text == "How much time do you usually have for a session?"
    assert reply.last.buttons[0] == ["15 min", "30 min", "45 min", "60+ min"]
    reply = await ana.press("45 min")
    assert reply.last.text == "How many days a week can you train?"
    reply = await ana.press("4")
    assert "When suits you?" in reply.last.text
    reply = await ana.send("7:30")
    assert reply.last.text.startswith("Which time zone are you in?")
    reply = await ana.send("london")
    summary = reply.last
    assert "<b>" not in summary.text
    assert "Injury: Not injured" in summary.text
    assert "Equipment: Turbo trainer or indoor bike" in summary.text
    assert "Time: 45 min per session, 4 days a week" in summary.text
    assert "Daily nudge at 07:30 (London, Europe/London)" in summary.text
    assert summary.labels == ["✏️ Injury", "✏️ Equipment", "✏️ Time", "✏️ Nudges", "✅ Confirm"]

    reply = await ana.press("Confirm")
    # Monday 2 March 2026, 09:00 UTC: the next 07:30 London is Tuesday (GMT = UTC).
    assert "Your first nudge comes Tuesday at 07:30." in reply.text
    assert reply.last.labels == ["💡 Suggest a session", "🔁 Replace a run", "📅 My week",
                                 "📈 My progress"]

    [user] = await rows(tg, User, ana.id)
    assert user.timezone == "Europe/London" and user.nudge_time == time(7, 30)
    assert user.next_nudge_at == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert user.onboarded_at is not None
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.injury_status, profile.equipment, profile.minutes_per_session,
            profile.days_per_week) == ("none", ["turbo_trainer"], 45, 4)
    assert await rows(tg, ConversationState, ana.id) == []

    again = await ana.send("/start")
    assert again.text.startswith("Welcome back, Ana!")


async def test_injured_runner_with_red_flags_is_advised_but_helped(ana: ChatUser,
                                                                   tg: FakeTelegram) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    reply = await ana.press("Injured right now")
    assert reply.last.text.startswith("What is it, or where does it hurt?")
    assert "Not sure" in reply.last.labels and "« Back" in reply.last.labels
    reply = await ana.send("shin splints")
    assert reply.last.text == "Shin splints (medial tibial stress syndrome), right?"
    assert reply.last.labels[:2] == ["Yes", "Pick from the list"]
    reply = await ana.press("Yes")
    assert reply.last.text.startswith("When did it start (or when was it diagnosed)?")
    assert reply.last.labels[:4] == ["This week", "1–3 weeks ago", "3–6 weeks ago",
                                     "Longer ago"]
    reply = await ana.press("1–3 weeks ago")
    assert reply.last.text.startswith("How does it feel today")
    reply = await ana.send("6/10")
    assert reply.last.text == "Does it hurt when you walk or go about your day?"
    reply = await ana.press("Yes")
    assert reply.last.text == "Has a physio or doctor looked at it?"
    assert reply.last.labels[:3] == ["No, not yet", "Yes", "Yes, and they cleared me to train"]
    reply = await ana.press("Not yet")
    assert "pain at rest or at night" in reply.last.text
    assert "And for Shin splints (medial tibial stress syndrome):" in reply.last.text
    assert "Do any of these apply?" in reply.last.text
    reply = await ana.press("Yes, one or more")
    assert "That is a warning sign." in reply.text
    assert "today" in reply.text  # the general screen names same-day signs
    assert "tell me what they said with /injury" in reply.text
    assert reply.last.text.startswith("What can you use?")  # and it keeps setting up
    await ana.press("Nothing at all")
    await ana.press("15 min")
    await ana.press("3")
    reply = await ana.press("No nudges")
    assert "Injury: Injured: Shin splints (medial tibial stress syndrome) (since 2026-02-23)" \
        in reply.last.text
    assert ("pain 6/10, hurts with walking, not yet seen by a clinician, warning signs "
            "reported") in reply.last.text
    assert "No daily nudges" in reply.last.text
    reply = await ana.press("Confirm")
    assert "carry on" not in reply.text.lower()
    assert "seated or lying upper-body work" in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.condition_id, profile.phase, profile.pain_today, profile.clinician_seen,
            profile.hurts_daily_life, profile.clinician_cleared) == (
        "shin_splints", "acute", 6, False, True, False)
    assert profile.injury_started_on == date(2026, 2, 23)
    assert set(profile.red_flags) == {"screen", "condition"}
    [user] = await rows(tg, User, ana.id)
    assert user.next_nudge_at is None and user.nudge_time is None


async def test_coming_back_with_low_pain_gets_the_returning_phase(ana: ChatUser,
                                                                  tg: FakeTelegram) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    await ana.press("Coming back")
    await ana.press("Achilles tendinopathy (mid-portion)")  # a tap needs no confirming
    await ana.press("Longer ago")
    await ana.press("1")
    await ana.press("No")
    await ana.press("Yes")
    reply = await ana.press("None of these")
    assert "warning sign" not in reply.text
    await ana.press("Done")
    await ana.press("60+ min")
    await ana.press("5")
    await ana.press("18:00")
    await ana.press("Use UTC")
    reply = await ana.press("Confirm")
    assert "You're all set! 🎉" in reply.text
    assert "(third phase)" in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.injury_status, profile.condition_id, profile.phase) == (
        "returning", "achilles_midportion", "returning")
    assert profile.red_flags == []


async def test_back_goes_to_the_previous_question(ana: ChatUser, tg: FakeTelegram) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    await ana.press("Injured right now")
    reply = await ana.press("« Back")
    assert reply.last.text == "Are you injured at the moment?"
    assert await step_of(tg, ana.id) == "injury_status"


async def test_edit_from_the_summary_returns_to_the_summary(ana: ChatUser) -> None:
    await onboard_until_summary(ana)
    await ana.press("✏️ Time")
    await ana.press("15 min")
    reply = await ana.press("2")
    assert "Time: 15 min per session, 2 days a week" in reply.last.text
    assert "✅ Confirm" in reply.last.labels


async def onboard_until_summary(user: ChatUser, *, nudge: str = "08:00", zone: str = "UTC+2"
                                ) -> None:
    await user.send("/start")
    await user.press("I understand")
    await user.press("Not injured")
    await user.press("Done")
    await user.press("30 min")
    await user.press("3")
    await user.send(nudge)
    await user.send(zone)


@pytest.mark.parametrize("bad", ["25:99", "seven-ish", "🙂🙂", "x" * 4000, "13pm"])
async def test_bad_times_re_prompt_and_leave_the_state_unchanged(ana: ChatUser, tg: FakeTelegram,
                                                                 bad: str) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    await ana.press("Not injured")
    await ana.press("Done")
    await ana.press("30 min")
    await ana.press("3")
    before = (await rows(tg, ConversationState, ana.id))[0].data
    reply = await ana.send(bad)
    assert reply.last.text.startswith(("I couldn't read that time", "That's a lot of text"))
    assert "07:00" in reply.last.labels  # the question again, with its buttons
    after = (await rows(tg, ConversationState, ana.id))[0]
    assert after.step == "nudge_time" and after.data["draft"] == before["draft"]


async def test_unknown_zone_and_free_text_for_buttons_are_re_prompted(ana: ChatUser,
                                                                     tg: FakeTelegram) -> None:
    await ana.send("/start")
    reply = await ana.send("blah blah")
    assert reply.last.text.startswith("Please tap “I understand”")
    assert await step_of(tg, ana.id) == "disclaimer"
    await ana.press("I understand")
    reply = await ana.send("purple")
    assert reply.last.text.startswith("Please pick one of the three options.")
    await ana.send("not injured")
    await ana.send("kettlebell, band")
    await ana.send("done")
    await ana.send("20")
    reply = await ana.send("9")
    assert reply.last.text.startswith("Please give a number of days from 1 to 7.")
    await ana.send("3")
    await ana.send("7pm")
    reply = await ana.send("Qwertyuiopville")
    assert reply.last.text.startswith("I don't know that place or zone.")
    assert await step_of(tg, ana.id) == "timezone"
    reply = await ana.send("new york")
    assert "America/New_York" in reply.last.text
    assert "Kettlebell, Resistance band" in reply.last.text
    assert "20 min per session" in reply.last.text


async def test_sharing_a_location_sets_the_zone(ana: ChatUser) -> None:
    await onboard_until_summary(ana)
    await ana.press("✏️ Nudges")
    await ana.press("12:00")
    reply = await ana.share_location(-36.85, 174.76)
    assert "Pacific/Auckland" in reply.last.text


async def test_old_keyboard_gets_that_question_has_passed(ana: ChatUser, tg: FakeTelegram
                                                          ) -> None:
    await ana.send("/start")
    first = ana.last_with_buttons()
    await ana.press("I understand")
    reply = await ana.press_data("ob:disclaimer:ok", on=first)
    assert reply.answers == ["That question has passed. Please answer the latest one."]
    assert await step_of(tg, ana.id) == "injury_status"
    # A double tap on the same button is the same thing: no second answer.
    reply = await ana.press_data("ob:disclaimer:ok", on=first)
    assert reply.messages == []


async def test_cancel_at_any_step(ana: ChatUser, tg: FakeTelegram) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    reply = await ana.send("/cancel")
    assert reply.last.text == "Cancelled. Nothing was changed. Send /start whenever you're ready."
    assert not ana.messages()[-2].buttons  # the open question lost its keyboard
    assert await rows(tg, ConversationState, ana.id) == []
    assert (await ana.send("/cancel")).text == "There's nothing to cancel."


async def test_restart_mid_onboarding_continues_at_the_same_step(make_bot: BotFactory,
                                                                  database_url: str) -> None:
    first = await make_bot(database_url)
    ana = ChatUser(first, user_id=4242, first_name="Ana")
    await ana.send("/start")
    await ana.press("I understand")
    await ana.press("Not injured")
    await first.application.shutdown()

    second = await make_bot(database_url, api=first.api)  # a new process, same database
    ana.tg = second
    reply = await ana.press("Kettlebell")
    assert "✅ 🏠 Kettlebell" in reply.edits[-1].labels
    await ana.press("Done")
    reply = await ana.send("30")
    assert reply.last.text == "How many days a week can you train?"


async def test_two_users_onboarding_at_once_never_mix(tg: FakeTelegram) -> None:
    ana = ChatUser(tg, user_id=1, first_name="Ana")
    bo = ChatUser(tg, user_id=2, first_name="Bo")
    await ana.send("/start")
    await bo.send("/start")
    await ana.press("I understand")
    await bo.press("I understand")
    await ana.press("Injured right now")
    await bo.press("Not injured")
    assert await step_of(tg, 1) == "condition"
    assert await step_of(tg, 2) == "equipment"
    reply = await bo.send("/cancel")
    assert "Cancelled" in reply.text
    assert await step_of(tg, 1) == "condition"


async def test_settings_changes_a_section_and_recomputes_the_nudge(ana: ChatUser,
                                                                   tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    reply = await ana.send("/settings")
    assert "Your settings" in reply.text and "Daily nudge at 07:00" in reply.text
    await ana.press("✏️ Nudges")
    await ana.press("20:00")
    reply = await ana.send("Asia/Kolkata")
    assert "Saved ✅" in reply.last.text
    assert "Daily nudge at 20:00" in reply.last.text
    [user] = await rows(tg, User, ana.id)
    # 20:00 in Kolkata (UTC+05:30) on Monday 2 March is 14:30 UTC, still ahead of 09:00 UTC.
    assert user.next_nudge_at == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    [profile] = await rows(tg, Profile, ana.id)
    assert profile.equipment == ["kettlebell", "turbo_trainer"]  # untouched


async def test_injury_command_updates_the_injury(ana: ChatUser, tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    await ana.send("/injury")
    await ana.press("Injured right now")
    await ana.press("Calf strain")
    await ana.press("1–3 weeks ago")
    await ana.press("2")
    await ana.press("No")
    await ana.press("Yes")
    reply = await ana.press("None of these")
    assert "Injury updated ✅" in reply.text
    assert "Calf strain" in reply.text
    # The phase is said in plain words whenever the injury is saved.
    assert "I'll treat it as a settling injury that is calmer day to day (second phase)." \
        in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.condition_id, profile.phase) == ("calf_strain", "settling")
    assert profile.equipment == ["kettlebell", "turbo_trainer"]  # untouched


async def test_settings_before_onboarding(ana: ChatUser) -> None:
    for command in ("/settings", "/injury", "/pause", "/resume", "/stop"):
        assert (await ana.send(command)).text == "Let's set you up first: send /start."


async def test_quiet_hours_are_editable_in_settings(ana: ChatUser, tg: FakeTelegram,
                                                    clock) -> None:
    await onboard_uninjured(ana)
    reply = await ana.send("/settings")
    assert "Quiet hours: 21:30–07:00 (default)" in reply.text
    await ana.press("✏️ Quiet hours")
    reply = await ana.send("late-ish")
    assert reply.last.text.startswith("Give quiet hours as two times")
    reply = await ana.send("20:00-08:00")
    assert "Quiet hours: 20:00–08:00" in reply.last.text
    [user] = await rows(tg, User, ana.id)
    assert (user.quiet_start, user.quiet_end) == (time(20, 0), time(8, 0))
    # The 07:00 nudge now falls in quiet hours, so it moves to their end: 08:00 London.
    assert user.next_nudge_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


async def test_asking_for_coaching_half_way_through_onboarding(ana: ChatUser) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    for command in ("/suggest", "/settings", "/pause"):
        reply = await ana.send(command)
        assert reply.last.text.startswith("Let's finish setting you up first: answer the "
                                          "question above")


async def test_main_menu_shortcuts_to_week_and_progress(ana: ChatUser) -> None:
    await onboard_uninjured(ana)
    menu = ana.last_with_buttons()
    reply = await ana.press("📅 My week", on=menu)
    assert reply.answers == [""]
    assert reply.last.text.startswith("📅 Your next 7 days")
    reply = await ana.press("📈 My progress", on=menu)
    assert "This week" in reply.text
    assert any(message.is_photo for message in reply.messages)
