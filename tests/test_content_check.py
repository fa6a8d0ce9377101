"""`content check`: a copy of the shipped pack, broken in each way a coach might break it, must
be reported precisely (file, item id, field, message), all at once, with a non-zero exit."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import ContentPackError, default_content_dir, find_cycles, load_pack, run_check

Items = list[dict[str, Any]]

# The C loader and dumper keep these tests quick; they are safe like yaml.safe_load/safe_dump.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(default_content_dir(), target)
    return target


def read(pack_dir: Path, file_name: str) -> Items:
    return yaml.load((pack_dir / file_name).read_text(encoding="utf-8"), Loader=_Loader)


def edit(pack_dir: Path, file_name: str, change: Callable[[Items], None]) -> None:
    items = read(pack_dir, file_name)
    change(items)
    (pack_dir / file_name).write_text(
        yaml.dump(items, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def problems(pack_dir: Path) -> list[str]:
    with pytest.raises(ContentPackError) as caught:
        load_pack(pack_dir)
    return [str(problem) for problem in caught.value.problems]


def first(pack_dir: Path, file_name: str, **where: Any) -> dict[str, Any]:
    for item in read(pack_dir, file_name):
        if all(item.get(key) == value for key, value in where.items()):
            return item
    raise AssertionError(f"no item in {file_name} matching {where}")


# --- the good pack ---------------------------------------------------------------------------


def test_shipped_pack_passes_and_prints_counts(pack_dir: Path) -> None:
    out = io.StringIO()
    assert run_check(pack_dir, out) == 0
    pack = load_pack(pack_dir)
    line = out.getvalue().strip()
    assert line == (
        f"content OK: {len(pack.equipment)} equipment, {len(pack.activities)} activities, "
        f"{len(pack.conditions)} conditions, {len(pack.exercises)} exercises, "
        f"{len(pack.sessions)} sessions, {len(pack.nudges)} nudges, {len(pack.texts)} texts, "
        f"{len(pack.sources)} sources, {len(pack.pain_models)} pain models"
    )


def test_bad_pack_prints_each_problem_and_exits_1(pack_dir: Path) -> None:
    edit(pack_dir, "texts.yaml", lambda items: items.pop())  # the last required text
    removed = read(default_content_dir(), "texts.yaml")[-1]["id"]
    edit(pack_dir, "equipment.yaml", lambda items: items[1].update(places=["moon"]))
    equipment_id = read(pack_dir, "equipment.yaml")[1]["id"]
    out = io.StringIO()
    assert run_check(pack_dir, out) == 1
    lines = out.getvalue().splitlines()
    assert f"texts.yaml: {removed}: required text is missing" in lines
    assert any(line.startswith(f"equipment.yaml: {equipment_id}: places.0: ") for line in lines)
    assert lines[-1] == "content check failed: 2 problems"


def test_missing_directory_is_one_clear_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert problems(missing) == [f"{missing}: content directory not found"]
    out = io.StringIO()
    assert run_check(missing, out) == 1
    assert out.getvalue().splitlines()[0] == f"{missing}: content directory not found"


def test_missing_file(pack_dir: Path) -> None:
    (pack_dir / "nudges.yaml").unlink()
    assert problems(pack_dir) == ["nudges.yaml: file is missing"]


def test_a_file_the_pack_does_not_know_is_reported(pack_dir: Path) -> None:
    (pack_dir / "winter.yaml").write_text("- id: snow_run\n", encoding="utf-8")
    (pack_dir / "notes.yml").write_text("just notes\n", encoding="utf-8")
    found = problems(pack_dir)
    assert len(found) == 2
    assert found[0].startswith("notes.yml: unknown file: not part of the pack")
    assert found[1].startswith("winter.yaml: unknown file")
    assert "sessions_winter.yaml" in found[1]


def test_a_kind_may_be_split_over_several_files(pack_dir: Path) -> None:
    extra = first(pack_dir, "sessions.yaml", id="brisk_walk") | {"id": "winter_walk"}
    (pack_dir / "sessions_winter.yaml").write_text(
        yaml.dump([extra], Dumper=_Dumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    pack = load_pack(pack_dir)
    assert "winter_walk" in pack.sessions and "brisk_walk" in pack.sessions


def test_an_id_repeated_in_a_second_file_names_both(pack_dir: Path) -> None:
    again = first(pack_dir, "sessions.yaml", id="brisk_walk")
    broken = first(pack_dir, "sessions.yaml", id="brisk_walk") | {"id": "icy_walk",
                                                                  "activity": "skating"}
    (pack_dir / "sessions_winter.yaml").write_text(
        yaml.dump([again, broken], Dumper=_Dumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    found = problems(pack_dir)
    assert any(p.startswith("sessions_winter.yaml: brisk_walk: id: duplicate id (first "
                            "defined as item #") and p.endswith("of sessions.yaml)")
               for p in found), found
    # A problem found across files names the file the item is written in.
    assert "sessions_winter.yaml: icy_walk: activity: unknown activity 'skating'" in found


def test_invalid_yaml_names_the_file_once(pack_dir: Path) -> None:
    (pack_dir / "exercises.yaml").write_text("- id: squat\n  name: {en: [\n", encoding="utf-8")
    found = problems(pack_dir)
    # Sessions that use exercises are not also reported: one typo, one problem.
    assert len(found) == 1
    assert found[0].startswith("exercises.yaml: invalid YAML: ")


# --- schema errors ---------------------------------------------------------------------------


def test_schema_wrong_type(pack_dir: Path) -> None:
    session_id = read(pack_dir, "sessions.yaml")[0]["id"]
    edit(pack_dir, "sessions.yaml", lambda items: items[0].update(minutes="forty"))
    assert problems(pack_dir) == [
        f"sessions.yaml: {session_id}: minutes: "
        "Input should be a valid integer, unable to parse string as an integer"
    ]


def test_schema_missing_and_unknown_fields_are_all_reported(pack_dir: Path) -> None:
    activity_id = read(pack_dir, "activities.yaml")[0]["id"]

    def change(items: Items) -> None:
        del items[0]["emoji"]
        items[0]["colour"] = "red"

    edit(pack_dir, "activities.yaml", change)
    assert problems(pack_dir) == [
        f"activities.yaml: {activity_id}: emoji: required field is missing",
        f"activities.yaml: {activity_id}: colour: unknown field",
    ]


def test_schema_nested_field_path(pack_dir: Path) -> None:
    session_id = read(pack_dir, "sessions.yaml")[0]["id"]
    edit(pack_dir, "sessions.yaml", lambda items: items[0]["main"][0].update(rpe=11))
    assert problems(pack_dir) == [
        f"sessions.yaml: {session_id}: main.0.rpe: Input should be less than or equal to 10"
    ]


def test_text_without_english(pack_dir: Path) -> None:
    exercise_id = read(pack_dir, "exercises.yaml")[0]["id"]
    edit(pack_dir, "exercises.yaml", lambda items: items[0].update(name={"de": "Kniebeuge"}))
    assert problems(pack_dir) == [
        f"exercises.yaml: {exercise_id}: name: an English ('en') text is required"
    ]


def test_unquoted_comma_in_text_is_explained(pack_dir: Path) -> None:
    text = (pack_dir / "equipment.yaml").read_text(encoding="utf-8")
    text = text.replace("name: {en: Mountain bike}", "name: {en: Mountain bike, hardtail}")
    (pack_dir / "equipment.yaml").write_text(text, encoding="utf-8")
    assert problems(pack_dir) == [
        "equipment.yaml: mountain_bike: name: "
        "a comma inside {en: ...} split the text; put the text in quotes"
    ]


def test_caution_rule_without_note(pack_dir: Path) -> None:
    condition = read(pack_dir, "conditions.yaml")[0]
    index = next(
        i for i, rule in enumerate(condition["phases"]["acute"]) if rule["verdict"] != "ok"
    )
    verdict = condition["phases"]["acute"][index]["verdict"]
    edit(pack_dir, "conditions.yaml", lambda items: items[0]["phases"]["acute"][index].pop("note"))
    assert problems(pack_dir) == [
        f"conditions.yaml: {condition['id']}: phases.acute.{index}: "
        f"a '{verdict}' rule needs a note for the user"
    ]


def test_missing_phase(pack_dir: Path) -> None:
    condition_id = read(pack_dir, "conditions.yaml")[0]["id"]
    edit(pack_dir, "conditions.yaml", lambda items: items[0]["phases"].pop("settling"))
    assert problems(pack_dir) == [
        f"conditions.yaml: {condition_id}: phases: missing phase(s): settling"
    ]


def test_nudge_of_two_minutes_or_more(pack_dir: Path) -> None:
    nudge_id = read(pack_dir, "nudges.yaml")[0]["id"]
    edit(pack_dir, "nudges.yaml", lambda items: items[0].update(seconds=120))
    assert problems(pack_dir) == [
        f"nudges.yaml: {nudge_id}: seconds: Input should be less than 120"
    ]


# --- duplicate ids ---------------------------------------------------------------------------


def test_duplicate_id(pack_dir: Path) -> None:
    exercises = read(pack_dir, "exercises.yaml")
    duplicate = dict(exercises[0])
    edit(pack_dir, "exercises.yaml", lambda items: items.append(duplicate))
    assert problems(pack_dir) == [
        f"exercises.yaml: {duplicate['id']}: id: duplicate id (first defined as item #1)"
    ]


# --- unknown references ----------------------------------------------------------------------


def test_unknown_equipment(pack_dir: Path) -> None:
    activity = first(pack_dir, "activities.yaml", id="turbo")
    assert activity["equipment"] == ["turbo_trainer"]

    def change(items: Items) -> None:
        next(item for item in items if item["id"] == "turbo")["equipment"] = ["hoverboard"]

    edit(pack_dir, "activities.yaml", change)
    assert problems(pack_dir) == [
        "activities.yaml: turbo: equipment: unknown equipment 'hoverboard'"
    ]


def test_unknown_activity_in_session(pack_dir: Path) -> None:
    session_id = read(pack_dir, "sessions.yaml")[0]["id"]
    edit(pack_dir, "sessions.yaml", lambda items: items[0].update(activity="jousting"))
    assert problems(pack_dir) == [
        f"sessions.yaml: {session_id}: activity: unknown activity 'jousting'"
    ]


def test_unknown_exercise_in_block(pack_dir: Path) -> None:
    session_id = read(pack_dir, "sessions.yaml")[0]["id"]
    edit(
        pack_dir, "sessions.yaml", lambda items: items[0]["main"][0].update(exercises=["moonwalk"])
    )
    assert problems(pack_dir) == [
        f"sessions.yaml: {session_id}: main.0.exercises: unknown exercise 'moonwalk'"
    ]


def test_unknown_condition_in_nudge(pack_dir: Path) -> None:
    nudge_id = read(pack_dir, "nudges.yaml")[0]["id"]
    edit(pack_dir, "nudges.yaml", lambda items: items[0].update(unsafe_for=["broken_heart"]))
    assert problems(pack_dir) == [
        f"nudges.yaml: {nudge_id}: unsafe_for: unknown condition 'broken_heart'"
    ]


def test_unknown_progression_targets(pack_dir: Path) -> None:
    exercise_id = read(pack_dir, "exercises.yaml")[0]["id"]
    session_id = read(pack_dir, "sessions.yaml")[0]["id"]
    nudge_id = read(pack_dir, "nudges.yaml")[0]["id"]
    edit(pack_dir, "exercises.yaml", lambda items: items[0].update(progresses_to=["levitation"]))
    edit(pack_dir, "sessions.yaml", lambda items: items[0].update(regresses_to="nap"))
    edit(pack_dir, "nudges.yaml", lambda items: items[0].update(progresses_to="juggling"))
    assert problems(pack_dir) == [
        f"exercises.yaml: {exercise_id}: progresses_to: unknown exercise 'levitation'",
        f"sessions.yaml: {session_id}: regresses_to: unknown session 'nap'",
        f"nudges.yaml: {nudge_id}: progresses_to: unknown nudge 'juggling'",
    ]


def test_unknown_sources(pack_dir: Path) -> None:
    condition_id = read(pack_dir, "conditions.yaml")[0]["id"]

    def change(items: Items) -> None:
        items[0]["source_ids"].append("hearsay")
        items[0]["phases"]["returning"][0]["source"] = "rumour"

    edit(pack_dir, "conditions.yaml", change)
    assert problems(pack_dir) == [
        f"conditions.yaml: {condition_id}: source_ids: unknown source 'hearsay'",
        f"conditions.yaml: {condition_id}: phases.returning.0.source: unknown source 'rumour'",
    ]


def test_rule_targets_unknown_activity_or_unused_tag(pack_dir: Path) -> None:
    condition_id = read(pack_dir, "conditions.yaml")[0]["id"]

    def change(items: Items) -> None:
        acute = items[0]["phases"]["acute"]
        acute.append({"target": "jousting", "verdict": "ok", "source": "liem_2013"})
        acute.append({"target": "tag:lava", "verdict": "ok", "source": "liem_2013"})

    edit(pack_dir, "conditions.yaml", change)
    n = len(read(pack_dir, "conditions.yaml")[0]["phases"]["acute"])
    assert problems(pack_dir) == [
        f"conditions.yaml: {condition_id}: phases.acute.{n - 2}.target: "
        "unknown activity 'jousting' (use an activity id or tag:<load tag>)",
        f"conditions.yaml: {condition_id}: phases.acute.{n - 1}.target: "
        "load tag 'lava' is not used by any activity, exercise or session",
    ]


def test_misspelt_load_tag_on_an_exercise(pack_dir: Path) -> None:
    exercise_id = read(pack_dir, "exercises.yaml")[0]["id"]
    edit(pack_dir, "exercises.yaml", lambda items: items[0]["load_tags"].append("plyometrics"))
    assert problems(pack_dir) == [
        f"exercises.yaml: {exercise_id}: load_tags: unknown load tag 'plyometrics' "
        "(not in the vocabulary and no condition rule targets it)"
    ]


def test_missing_no_equipment_item(pack_dir: Path) -> None:
    edit(
        pack_dir,
        "equipment.yaml",
        lambda items: items.remove(first(pack_dir, "equipment.yaml", id="nothing")),
    )
    assert "equipment.yaml: the special item 'nothing' (no equipment) is missing" in problems(
        pack_dir
    )


# --- cycles ----------------------------------------------------------------------------------


def test_exercise_progression_cycle(pack_dir: Path) -> None:
    first_id, second_id = (item["id"] for item in read(pack_dir, "exercises.yaml")[:2])

    def change(items: Items) -> None:
        items[0]["progresses_to"] = [second_id]
        items[1]["progresses_to"] = [first_id]

    edit(pack_dir, "exercises.yaml", change)
    assert problems(pack_dir) == [
        f"exercises.yaml: {first_id}: progresses_to: "
        f"progression cycle: {first_id} -> {second_id} -> {first_id}"
    ]


def test_session_and_nudge_cycles(pack_dir: Path) -> None:
    sessions = read(pack_dir, "sessions.yaml")
    a, b = sessions[0]["id"], sessions[1]["id"]
    nudge_id = read(pack_dir, "nudges.yaml")[0]["id"]

    def change_sessions(items: Items) -> None:
        items[0]["regresses_to"] = b
        items[1]["regresses_to"] = a

    edit(pack_dir, "sessions.yaml", change_sessions)
    edit(pack_dir, "nudges.yaml", lambda items: items[0].update(progresses_to=nudge_id))
    assert problems(pack_dir) == [
        f"sessions.yaml: {a}: regresses_to: progression cycle: {a} -> {b} -> {a}",
        f"nudges.yaml: {nudge_id}: progresses_to: progression cycle: {nudge_id} -> {nudge_id}",
    ]


def test_find_cycles_reports_each_cycle_once_from_its_earliest_member() -> None:
    graph = {"a": ["b"], "b": ["c", "x"], "c": ["a"], "d": ["d"], "e": ["b"], "f": []}
    assert find_cycles(graph) == [["a", "b", "c"], ["d"]]
    assert find_cycles({"p": ["q"], "q": ["r"], "r": []}) == []
    assert find_cycles({"c": ["a"], "a": ["c"]}) == [["c", "a"]]


# --- sums and lengths ------------------------------------------------------------------------


def test_session_minutes_must_match_its_blocks(pack_dir: Path) -> None:
    pack = load_pack(pack_dir)
    session = next(iter(pack.sessions.values()))
    edit(pack_dir, "sessions.yaml", lambda items: items[0].update(minutes=session.minutes + 10))
    assert problems(pack_dir) == [
        f"sessions.yaml: {session.id}: minutes: "
        f"blocks add up to {session.block_minutes:g} minutes, not {session.minutes + 10}"
    ]


def test_text_longer_than_a_telegram_message(pack_dir: Path) -> None:
    def change(items: Items) -> None:
        next(item for item in items if item["id"] == "welcome")["text"]["en"] = "x" * 5000

    edit(pack_dir, "texts.yaml", change)
    assert problems(pack_dir) == [
        "texts.yaml: welcome: text.en: text is 5000 characters; one Telegram message holds 4096"
    ]


def test_rendered_session_longer_than_a_telegram_message(pack_dir: Path) -> None:
    session_id = read(pack_dir, "sessions.yaml")[0]["id"]
    cues = [{"en": f"Cue {i}: " + "keep it smooth and relaxed. " * 50} for i in range(4)]
    edit(pack_dir, "sessions.yaml", lambda items: items[0].update(cues=cues))
    found = problems(pack_dir)
    assert len(found) == 1
    assert found[0].startswith(f"sessions.yaml: {session_id}: the rendered session would be about ")
    assert found[0].endswith("characters, more than one Telegram message (4096)")


def test_missing_required_text(pack_dir: Path) -> None:
    edit(
        pack_dir,
        "texts.yaml",
        lambda items: items.remove(first(pack_dir, "texts.yaml", id="pain_rule")),
    )
    assert problems(pack_dir) == ["texts.yaml: pain_rule: required text is missing"]


# --- everything at once ----------------------------------------------------------------------


def test_all_problems_are_collected_not_just_the_first(pack_dir: Path) -> None:
    edit(pack_dir, "sessions.yaml", lambda items: items[0].update(activity="jousting"))
    edit(pack_dir, "nudges.yaml", lambda items: items[0].update(seconds=500))
    edit(
        pack_dir,
        "texts.yaml",
        lambda items: items.remove(first(pack_dir, "texts.yaml", id="welcome")),
    )
    found = problems(pack_dir)
    assert len(found) == 3
    assert [line.split(":")[0] for line in found] == ["nudges.yaml", "sessions.yaml", "texts.yaml"]
