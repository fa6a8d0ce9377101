"""The injury questions as a runner answers them: typed answers are never guessed, every typed
condition is confirmed, warning signs get a plain, different message, and the phase is said."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content import ContentPack
from bot.db.models import ConversationState, Profile
from tests.harness import ChatUser, FakeTelegram, Reply
from tests.test_onboarding_chat import onboard_uninjured, rows, step_of


async def draft_of(tg: FakeTelegram, user_id: int) -> dict:
    [conv] = await rows(tg, ConversationState, user_id)
    return dict(conv.data["draft"])


async def start_injured(user: ChatUser, status: str = "Injured right now") -> Reply:
    await user.send("/start")
    await user.press("I understand")
    return await user.press(status)


async def finish_setup(user: ChatUser) -> Reply:
    """Equipment, time and nudges, the same for every runner here; ends with Confirm."""
    await user.press("Nothing at all")
    await user.press("30 min")
    await user.press("3")
    await user.press("No nudges")
    return await user.press("Confirm")


def where_label(content: ContentPack, condition_id: str) -> str:
    condition = content.conditions[condition_id]
    return (condition.where or condition.name)["en"]


@pytest.mark.parametrize("unclear", ["not sure", "not really", "I ran a marathon", "maybe",
                                     "🙂", "hmm, kind of?"])
async def test_an_unclear_answer_to_are_you_injured_is_asked_again(ana: ChatUser,
                                                                   tg: FakeTelegram,
                                                                   unclear: str) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    reply = await ana.send(unclear)
    assert reply.last.text.startswith("Please pick one of the three options.")
    assert reply.last.labels[:3] == ["Not injured, I want to add cross-training",
                                     "Injured right now", "Coming back from an injury"]
    assert await step_of(tg, ana.id) == "injury_status"
    assert (await draft_of(tg, ana.id))["injury_status"] is None  # never "not injured"


@pytest.mark.parametrize("clear", ["no", "Not injured", "healthy", "none"])
async def test_only_a_clear_no_means_not_injured(ana: ChatUser, tg: FakeTelegram,
                                                 clear: str) -> None:
    await ana.send("/start")
    await ana.press("I understand")
    reply = await ana.send(clear)
    assert reply.last.text.startswith("What can you use?")
    assert (await draft_of(tg, ana.id))["injury_status"] == "none"


async def test_jumpers_knee_is_confirmed_then_stored(ana: ChatUser, tg: FakeTelegram,
                                                     content: ContentPack) -> None:
    await start_injured(ana)
    reply = await ana.send("jumper's knee")
    name = content.conditions["patellar_tendinopathy"].name["en"]
    assert reply.last.text == f"{name}, right?"
    assert (await draft_of(tg, ana.id))["condition_id"] is None  # not stored before the yes
    reply = await ana.press("Yes")
    assert reply.last.text.startswith("When did it start")
    await ana.press("3–6 weeks ago")
    await ana.press("2")
    await ana.press("No")
    await ana.press("Yes")
    reply = await ana.press("None of these")
    assert "warning sign" not in reply.text
    await finish_setup(ana)
    [profile] = await rows(tg, Profile, ana.id)
    assert profile.condition_id == "patellar_tendinopathy"
    assert profile.injury_started_on == date(2026, 2, 9)  # 21 days before Monday 2 March


async def test_a_twisted_swollen_ankle_is_confirmed_and_gets_the_same_day_advice(
        ana: ChatUser, tg: FakeTelegram, content: ContentPack) -> None:
    await start_injured(ana)
    reply = await ana.send("I twisted my ankle yesterday, it's swollen and I can't walk on it")
    assert reply.last.text == "Ankle sprain, right?"
    reply = await ana.press("Yes")
    # What they wrote is named plainly as a warning sign, with "today".
    warning = reply.messages[0].text
    assert "What you described can be a warning sign." in warning
    assert content.text("red_flag_same_day") in warning and "today" in warning
    assert reply.last.text.startswith("When did it start")
    reply = await ana.send("yesterday")
    assert "Got it: since yesterday." in reply.text
    await ana.press("3")
    await ana.press("Yes")
    await ana.press("Not yet")
    # "None" on the screen does not wipe what they wrote: still the warning, not the all-clear.
    reply = await ana.press("None of these")
    assert "what you wrote earlier can be a warning sign" in reply.text
    assert "today" in reply.text
    reply = await finish_setup(ana)
    assert "You're set up." in reply.text and "🎉" not in reply.text
    assert "carry on" not in reply.text.lower()
    assert "seated or lying upper-body work" in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert profile.condition_id == "ankle_sprain"
    assert profile.red_flags == ["text"]
    assert profile.injury_started_on == date(2026, 3, 1)
    assert profile.phase == "acute"  # it hurts with walking


@pytest.mark.parametrize(("typed", "step"), [
    ("my knee hurts", "condition_where"),
    ("knee pain", "condition_where"),
    ("back", "condition_where"),
    ("achilles", "condition_where"),
    ("it hurts", "condition"),
    ("itb", "condition_confirm"),
])
async def test_vague_words_are_never_stored_without_the_runner_choosing(
        ana: ChatUser, tg: FakeTelegram, typed: str, step: str) -> None:
    await start_injured(ana)
    await ana.send(typed)
    assert await step_of(tg, ana.id) == step
    assert (await draft_of(tg, ana.id))["condition_id"] is None


async def test_my_knee_hurts_lists_the_knee_conditions_by_where_they_hurt(
        ana: ChatUser, tg: FakeTelegram, content: ContentPack) -> None:
    await start_injured(ana)
    reply = await ana.send("my knee hurts")
    assert reply.last.text == "That could be one of a few things. Where exactly does it hurt?"
    labels = reply.last.labels
    for knee in ("itb_syndrome", "patellofemoral_pain", "patellar_tendinopathy"):
        assert where_label(content, knee) in labels
    assert "Not sure" in labels and "Something else" in labels
    assert not any("achilles" in label.lower() for label in labels)
    reply = await ana.press(where_label(content, "itb_syndrome"))
    assert reply.last.text.startswith("When did it start")  # a tap is the runner's choice
    assert (await draft_of(tg, ana.id))["condition_id"] == "itb_syndrome"


async def test_achilles_asks_where_and_stores_the_insertional_kind(
        ana: ChatUser, tg: FakeTelegram, content: ContentPack) -> None:
    await start_injured(ana)
    reply = await ana.send("achilles")
    labels = reply.last.labels
    mid, insertional = (where_label(content, "achilles_midportion"),
                        where_label(content, "achilles_insertional"))
    assert labels[:2] == [mid, insertional]
    await ana.press(insertional)
    await ana.press("Longer ago")
    await ana.press("2")
    await ana.press("No")
    await ana.press("Yes")
    await ana.press("None of these")
    await finish_setup(ana)
    [profile] = await rows(tg, Profile, ana.id)
    assert profile.condition_id == "achilles_insertional"


async def test_a_typo_in_achilles_is_still_read(ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.send("achilis")
    assert await step_of(tg, ana.id) == "condition_where"


async def test_a_typed_where_answer_is_confirmed_too(ana: ChatUser, tg: FakeTelegram,
                                                     content: ContentPack) -> None:
    await start_injured(ana)
    await ana.send("achilles")
    reply = await ana.send(where_label(content, "achilles_insertional"))
    name = content.conditions["achilles_insertional"].name["en"]
    assert reply.last.text == f"{name}, right?"
    await ana.press("Yes")
    assert (await draft_of(tg, ana.id))["condition_id"] == "achilles_insertional"


async def test_pick_from_the_list_goes_back_to_the_list(ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.send("sprained ankle")
    reply = await ana.press("Pick from the list")
    assert reply.last.text.startswith("What is it, or where does it hurt?")
    assert await step_of(tg, ana.id) == "condition"
    assert (await draft_of(tg, ana.id))["condition_id"] is None
    await ana.press("Calf strain")
    assert (await draft_of(tg, ana.id))["condition_id"] == "calf_strain"


async def test_something_else_at_where_goes_back_to_the_list(ana: ChatUser,
                                                              tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.send("back")
    reply = await ana.press("Something else")
    assert reply.last.text.startswith("What is it, or where does it hurt?")
    assert (await draft_of(tg, ana.id))["candidates"] == []


async def test_unmatched_words_are_asked_again_and_then_not_sure_is_offered(
        ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    reply = await ana.send("it hurts")
    assert reply.last.text.startswith("I couldn't match that to an injury I know.")
    assert "Calf strain" in reply.last.labels  # the list again
    reply = await ana.send("the wobbly bit")
    assert reply.last.text.startswith("I still can't match that")
    assert "Not sure" in reply.last.text
    assert reply.last.labels[0] == "Not sure"  # offered first
    await ana.press("Not sure")
    assert (await draft_of(tg, ana.id))["condition_id"] == "not_sure"


@pytest.mark.parametrize("bad", ["🤕🤕", "x" * 4000, "   "])
async def test_odd_input_at_the_condition_question_is_re_asked_kindly(
        ana: ChatUser, tg: FakeTelegram, bad: str) -> None:
    await start_injured(ana)
    reply = await ana.send(bad)
    assert reply.last.text.startswith(("I couldn't match", "That's a lot of text"))
    assert await step_of(tg, ana.id) == "condition"


async def test_a_confirm_button_from_an_old_question_has_passed(ana: ChatUser,
                                                                tg: FakeTelegram) -> None:
    await start_injured(ana)
    reply = await ana.send("calf")
    old = reply.last
    await ana.press("Yes")
    reply = await ana.press_data("ob:condition_confirm:list", on=old)  # a tap on the old one
    assert reply.answers == ["That question has passed. Please answer the latest one."]
    assert await step_of(tg, ana.id) == "onset"


async def test_a_stress_fracture_from_five_days_ago_stays_in_the_first_phase(
        ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    reply = await ana.send("stress fracture")
    assert reply.last.text.startswith("Bone stress injury")
    await ana.press("Yes")
    await ana.send("5 days ago")
    await ana.press("0")  # no pain today: time, not today's pain, sets a bone's phase
    await ana.press("No")
    await ana.press("Yes")
    await ana.press("None of these")
    reply = await finish_setup(ana)
    assert "I'll treat it as an early, still-irritable injury (first phase)." in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.condition_id, profile.phase, profile.pain_today) == (
        "bone_stress_injury", "acute", 0)
    assert profile.injury_started_on == date(2026, 2, 25)


async def answer_up_to_the_screen(user: ChatUser, condition: str) -> None:
    await start_injured(user)
    await user.press(condition)
    await user.press("This week")
    await user.press("2")
    await user.press("No")
    await user.press("Not yet")


async def test_yes_on_the_warning_signs_gets_a_different_message_than_no(
        tg: FakeTelegram, content: ContentPack) -> None:
    yes_runner = ChatUser(tg, user_id=1, first_name="Ana")
    no_runner = ChatUser(tg, user_id=2, first_name="Bo")
    await answer_up_to_the_screen(yes_runner, "Calf strain")
    await answer_up_to_the_screen(no_runner, "Calf strain")
    said_yes = await yes_runner.press("Yes, one or more")
    said_no = await no_runner.press("None of these")
    yes_notice, no_notice = said_yes.messages[0].text, said_no.messages[0].text
    assert yes_notice != no_notice
    assert "warning sign" in yes_notice and "today" in yes_notice
    assert "warning sign" not in no_notice
    assert no_notice == content.text("see_clinician")  # not seen yet: get it checked
    [flagged] = await rows(tg, Profile, 1) or [None]
    assert flagged is None  # nothing is saved before the summary is confirmed
    await finish_setup(yes_runner)
    [flagged] = await rows(tg, Profile, 1)
    assert set(flagged.red_flags) == {"screen", "condition"}


async def test_low_back_pain_with_warning_signs_gets_the_emergency_message(
        ana: ChatUser, tg: FakeTelegram, content: ContentPack) -> None:
    await answer_up_to_the_screen(ana, "Low back pain")
    reply = await ana.press("Yes, one or more")
    assert content.text("red_flag_emergency") in reply.text
    assert "now" in reply.text
    reply = await finish_setup(ana)
    assert "please get help now" in reply.text
    assert "I won't suggest any exercise" in reply.text
    assert "I'll only suggest sessions" not in reply.text


async def test_cleared_by_a_clinician_is_stored(ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana, "Coming back")
    await ana.press("Hamstring strain")
    await ana.press("Longer ago")
    await ana.press("1")
    await ana.press("No")
    reply = await ana.press("Yes, and they cleared me to train")
    assert reply.edits[0].text.endswith("→ Yes, and they cleared me to train")
    reply = await ana.press("None of these")
    assert "physiotherapist" not in reply.text  # seen already: no "get it checked"
    await finish_setup(ana)
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.clinician_seen, profile.clinician_cleared, profile.phase) == (
        True, True, "returning")


@pytest.mark.parametrize(("typed", "expected"), [
    ("5 days ago", date(2026, 2, 25)), ("2 weeks", date(2026, 2, 16)),
    ("yesterday", date(2026, 3, 1)), ("2026-02-20", date(2026, 2, 20)),
    ("20 Feb", date(2026, 2, 20)), ("20 Nov", date(2025, 11, 20)),
])
async def test_onset_can_be_typed(ana: ChatUser, tg: FakeTelegram, typed: str,
                                  expected: date) -> None:
    await start_injured(ana)
    await ana.press("Calf strain")
    reply = await ana.send(typed)
    assert reply.last.text.startswith("How does it feel today")
    assert (await draft_of(tg, ana.id))["started_on"] == expected.isoformat()


@pytest.mark.parametrize(("typed", "error"), [
    ("purple", "I couldn't read that."), ("2026-12-25", "That date is still to come."),
    ("31 Feb", "I couldn't read that."),
])
async def test_an_unreadable_onset_is_asked_again(ana: ChatUser, tg: FakeTelegram, typed: str,
                                                  error: str) -> None:
    await start_injured(ana)
    await ana.press("Calf strain")
    reply = await ana.send(typed)
    assert reply.last.text.startswith(error)
    assert "This week" in reply.last.labels
    assert await step_of(tg, ana.id) == "onset"


async def test_not_knowing_when_it_started_counts_as_recent(ana: ChatUser,
                                                            tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.press("Calf strain")
    reply = await ana.send("no idea")
    assert "I'll treat it as recent, to be safe." in reply.text
    assert (await draft_of(tg, ana.id))["started_on"] is None


async def test_daily_life_needs_a_clear_answer(ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.press("Calf strain")
    await ana.press("This week")
    await ana.press("2")
    reply = await ana.send("hmm")
    assert reply.last.text.startswith("Please answer yes or no")
    reply = await ana.send("a bit")  # any pain in daily life counts
    assert reply.last.text == "Has a physio or doctor looked at it?"
    assert (await draft_of(tg, ana.id))["hurts_daily"] is True


async def test_injury_update_says_when_the_phase_did_not_change(ana: ChatUser,
                                                                tg: FakeTelegram) -> None:
    await onboard_uninjured(ana)
    for _ in range(2):
        await ana.send("/injury")
        await ana.press("Injured right now")
        await ana.press("Calf strain")
        await ana.press("This week")
        await ana.press("5")
        await ana.press("Yes")
        await ana.press("Yes")
        reply = await ana.press("None of these")
    assert "Still the first phase: an early, still-irritable injury." in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert profile.phase == "acute"


async def test_injury_update_from_injured_to_healthy_says_so(ana: ChatUser,
                                                              tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.press("Calf strain")
    await ana.press("This week")
    await ana.press("5")
    await ana.press("Yes")
    await ana.press("Yes")
    await ana.press("None of these")
    await finish_setup(ana)
    await ana.send("/injury")
    reply = await ana.press("Not injured")
    assert "No injury now, so no injury rules apply." in reply.text
    [profile] = await rows(tg, Profile, ana.id)
    assert (profile.injury_status, profile.phase, profile.red_flags,
            profile.injury_started_on) == ("none", None, [], None)


async def test_a_warning_sign_typed_earlier_survives_a_settings_edit(
        ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    await ana.send("my calf is swollen")
    await ana.press("Yes")
    await ana.press("This week")
    await ana.press("3")
    await ana.press("Yes")
    await ana.press("Not yet")
    await ana.press("None of these")
    await finish_setup(ana)
    await ana.send("/settings")
    await ana.press("✏️ Time")
    await ana.press("45 min")
    await ana.press("4")
    [profile] = await rows(tg, Profile, ana.id)
    assert profile.red_flags == ["text"]
    assert (profile.minutes_per_session, profile.injury_started_on) == (45, date(2026, 3, 2))


async def test_not_sure_at_where_on_the_knee_stores_the_unsure_knee(ana: ChatUser,
                                                                     tg: FakeTelegram,
                                                                     content: ContentPack
                                                                     ) -> None:
    await start_injured(ana)
    reply = await ana.send("sore knee")
    assert where_label(content, "knee_pain_unsure") not in reply.last.labels  # "Not sure" is it
    await ana.press("Not sure")
    assert (await draft_of(tg, ana.id))["condition_id"] == "knee_pain_unsure"


async def test_typing_not_sure_is_confirmed_as_not_sure(ana: ChatUser, tg: FakeTelegram) -> None:
    await start_injured(ana)
    reply = await ana.send("no idea")
    assert reply.last.text == "Not sure what it is, right?"
    await ana.press("Yes")
    assert (await draft_of(tg, ana.id))["condition_id"] == "not_sure"


async def test_an_emergency_sign_in_words_is_told_as_one(ana: ChatUser, tg: FakeTelegram,
                                                         content: ContentPack) -> None:
    await start_injured(ana)
    reply = await ana.send("lower back pain and bladder problems since yesterday")
    assert reply.last.text == "Low back pain, right?"
    reply = await ana.press("Yes")
    assert content.text("red_flag_emergency") in reply.messages[0].text
    assert (await draft_of(tg, ana.id))["text_urgency"] == "emergency"
