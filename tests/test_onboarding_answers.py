"""The injury questions' pure rules: reading a typed condition, a typed onset, and the draft."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.coach.onboarding import (
    Draft,
    answer,
    match_condition,
    next_step,
    parse_onset,
    phase_message,
    summary_lines,
)
from bot.coach.profile import RunnerProfile
from bot.content import ContentPack

TODAY = date(2026, 12, 2)  # a Wednesday

KNEE = {"itb_syndrome", "patellofemoral_pain", "patellar_tendinopathy"}
ACHILLES = {"achilles_midportion", "achilles_insertional"}


@pytest.mark.parametrize(("text", "expected"), [
    ("I twisted my ankle yesterday, it's swollen and I can't walk on it", {"ankle_sprain"}),
    ("rolled my ankle", {"ankle_sprain"}),
    ("Sprained ankle", {"ankle_sprain"}),
    ("jumper's knee", {"patellar_tendinopathy"}),
    ("jumpers knee", {"patellar_tendinopathy"}),
    ("runner’s knee", {"patellofemoral_pain"}),  # a typographic apostrophe
    ("shin splints", {"shin_splints"}),
    ("stress fracture", {"bone_stress_injury"}),
    ("IT band", {"itb_syndrome"}),
    ("itb", {"itb_syndrome"}),
    ("plantar fasciitis", {"plantar_heel_pain"}),
    ("planter fasciitis", {"plantar_heel_pain"}),  # a typo in a long word
    ("pulled my hamstring", {"hamstring_strain"}),
    ("lower back pain", {"low_back_pain"}),
    ("my calf", {"calf_strain"}),
])
def test_a_specific_answer_names_one_condition(content: ContentPack, text: str,
                                               expected: set[str]) -> None:
    assert set(match_condition(text, content).ids) == expected
    assert match_condition(text, content).single is not None


@pytest.mark.parametrize(("text", "must_include"), [
    ("achilles", ACHILLES), ("achilis", ACHILLES), ("Achillies", ACHILLES),
    ("knee", KNEE), ("my knee hurts", KNEE), ("knee pain", KNEE),
    ("my shin, it is really sore on one spot", {"shin_splints", "bone_stress_injury"}),
    ("heel", {"plantar_heel_pain", "achilles_insertional"}),
    ("back", {"low_back_pain", "hamstring_strain"}),
    ("hip", {"hip_glute_pain", "hip_flexor_strain"}),
])
def test_a_body_area_fits_several_conditions(content: ContentPack, text: str,
                                             must_include: set[str]) -> None:
    found = match_condition(text, content)
    assert found.ambiguous
    assert must_include <= set(found.ids)
    assert "not_sure" not in found.ids


def test_a_sore_back_is_never_the_calf(content: ContentPack) -> None:
    # The calf's description mentions "the fleshy back of the lower leg"; that is no back pain.
    assert "calf_strain" not in match_condition("back", content).ids


def test_a_sore_shin_is_never_achilles_or_it_band(content: ContentPack) -> None:
    found = set(match_condition("my shin, it is really sore on one spot", content).ids)
    assert not found & (ACHILLES | {"itb_syndrome"})


@pytest.mark.parametrize("text", ["it hurts", "it", "its sore", "I ran a marathon", "🙂", "",
                                  "resistance band", "an angle", "tennis", "legs feel heavy",
                                  "xyz", "the wobbly bit"])
def test_fragments_and_unrelated_words_match_nothing(content: ContentPack, text: str) -> None:
    assert match_condition(text, content).ids == ()


def test_not_sure_only_when_nothing_else_fits(content: ContentPack) -> None:
    assert match_condition("not sure", content).ids == ("not_sure",)
    assert match_condition("undiagnosed", content).ids == ("not_sure",)
    assert "not_sure" not in match_condition("not sure, my knee", content).ids


@pytest.mark.parametrize(("text", "expected"), [
    ("5 days ago", date(2026, 11, 27)), ("2 weeks", date(2026, 11, 18)),
    ("a couple of weeks ago", date(2026, 11, 18)), ("yesterday", date(2026, 12, 1)),
    ("today", TODAY), ("2026-11-20", date(2026, 11, 20)), ("20 Nov", date(2026, 11, 20)),
    ("Nov 20th", date(2026, 11, 20)), ("25 Dec", date(2025, 12, 25)),
    ("3 months ago", date(2026, 9, 3)), ("last Monday", date(2026, 11, 30)),
    ("1–3 weeks ago", date(2026, 11, 25)), ("Longer ago", date(2026, 10, 3)),
    ("it started 2 weeks ago and got worse yesterday", date(2026, 11, 18)),
])
def test_onset_in_words(text: str, expected: date) -> None:
    assert parse_onset(text, TODAY) == expected


@pytest.mark.parametrize("text", ["blah", "maybe", "31 Feb", "may", "10 km"])
def test_onset_that_reads_as_no_time(text: str) -> None:
    assert parse_onset(text, TODAY) is None


def test_onset_buttons_count_from_the_recent_end_of_each_range(content: ContentPack) -> None:
    draft = Draft(injury_status="injured", condition_id="calf_strain")
    for value, days in (("week", 0), ("1-3w", 7), ("3-6w", 21), ("longer", 60)):
        assert answer("onset", value, draft, content, typed=False, today=TODAY).accepted
        assert draft.started == date.fromordinal(TODAY.toordinal() - days)


def test_a_warning_sign_in_a_rejected_answer_is_still_remembered(content: ContentPack) -> None:
    draft = Draft(injury_status="injured")
    outcome = answer("condition", "it's swollen and I can't put weight on it", draft, content,
                     typed=True, today=TODAY)
    assert not outcome.accepted
    assert draft.text_red_flag and draft.condition_misses == 1


def test_confirm_and_where_steps_only_apply_while_waiting(content: ContentPack) -> None:
    draft = Draft(injury_status="injured", candidates=["ankle_sprain"])
    assert next_step("condition", draft) == "condition_confirm"
    draft.candidates = ["achilles_midportion", "achilles_insertional"]
    assert next_step("condition", draft) == "condition_where"
    draft.candidates = []
    assert next_step("condition", draft) == "onset"
    assert next_step("injury_status", Draft(injury_status="none")) == "equipment"


def test_the_draft_round_trips_the_new_injury_answers(content: ContentPack) -> None:
    draft = Draft(injury_status="injured", condition_id="ankle_sprain", started_on="2026-11-28",
                  pain=2, hurts_daily=True, clinician_seen=True, clinician_cleared=True,
                  red_flags=True, text_red_flag=True, minutes=30, days=3,
                  run_pace_sec_per_km=330)
    profile = draft.to_profile(7, "UTC", TODAY, content)
    assert profile.injury_started_on == date(2026, 11, 28)
    assert (profile.hurts_daily_life, profile.clinician_cleared) == (True, True)
    assert profile.red_flags == ("screen", "condition", "text")
    assert profile.phase == "acute"  # it hurts with walking
    assert profile.run_pace_sec_per_km == 330
    again = Draft.from_profile(profile, time(7, 0), "UTC")
    assert again.to_profile(7, "UTC", TODAY, content) == profile


def test_an_older_profile_with_a_screen_flag_keeps_it(content: ContentPack) -> None:
    old = RunnerProfile(user_id=7, injury_status="injured", condition_id="calf_strain",
                        phase="acute", pain_today=3, clinician_seen=False,
                        red_flags=("screen",))
    draft = Draft.from_profile(old, None, "UTC")
    assert draft.red_flags and not draft.text_red_flag
    assert set(draft.to_profile(7, "UTC", TODAY, content).red_flags) == {"screen", "condition"}


def test_not_injured_drops_every_injury_answer(content: ContentPack) -> None:
    draft = Draft(injury_status="injured", condition_id="calf_strain", started_on="2026-11-28",
                  pain=3, hurts_daily=True, red_flags=True, text_red_flag=True)
    assert answer("injury_status", "none", draft, content, typed=False, today=TODAY).accepted
    profile = draft.to_profile(7, "UTC", TODAY, content)
    assert (profile.condition_id, profile.phase, profile.red_flags, profile.injury_started_on,
            profile.hurts_daily_life) == (None, None, (), None, None)


def test_summary_line_reads_like_a_sentence(content: ContentPack) -> None:
    draft = Draft(injury_status="injured", condition_id="ankle_sprain", started_on="2026-11-28",
                  pain=2, hurts_daily=True, clinician_seen=False, text_red_flag=True)
    assert summary_lines(draft, content)["injury"] == (
        "Injured: Ankle sprain (since 2026-11-28), pain 2/10, hurts with walking, not yet seen "
        "by a clinician, warning signs reported")


def test_phase_words() -> None:
    assert phase_message(None, "acute") == (
        "I'll treat it as an early, still-irritable injury (first phase).")
    assert phase_message("acute", "acute") == (
        "Still the first phase: an early, still-irritable injury.")
    assert phase_message("acute", "settling").endswith("(second phase).")
    assert phase_message("settling", "returning").endswith("(third phase).")
    assert phase_message("settling", None) == "No injury now, so no injury rules apply."
    assert phase_message(None, None) == ""
