"""Facts that used to be written in Python and now live in the content pack: how each activity
stands in for a run (/convert), the activity a habit kind is logged as, the anchors' labels and
emojis, and the places' icons. A coach changes them in YAML; the check reports bad ones."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.coach.profile import RunnerProfile
from bot.coach.run_converter import RunWorkout, convert, parse_run
from bot.coach.safety import assess_session
from bot.content import ContentPack, ContentPackError, default_content_dir, load_pack

Items = list[dict[str, Any]]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# What the bot showed before these facts moved into the pack (the Telegram handlers' tables):
# moving them must not change a single message.
OLD_ANCHOR_EMOJI = {
    "brushing_teeth": "🪥", "kettle": "🫖", "washing_up": "🍽", "commute": "🚌", "play": "🧒",
    "desk": "💻", "tv_adverts": "📺", "stairs": "🪜", "shower": "🚿", "bedtime": "🛏",
    "waking_up": "⏰", "shopping": "🛒", "laundry": "🧺", "microwave": "⏲",
}  # fmt: skip
OLD_ANCHOR_LABEL = {"tv_adverts": "TV adverts"}
OLD_PLACE_ICONS = {"home": "🏠", "gym": "🏋️", "pool": "🏊", "outdoors": "🌳", "commute": "🚲"}
OLD_HABIT_ACTIVITY = {
    "balance": "balance_agility", "agility": "balance_agility",
    "coordination": "balance_agility", "strength": "strength", "mobility": "mobility",
}  # fmt: skip
# Closest to the running action first (coaching-notes.md).
STAND_IN_ORDER = ["pool_running", "elliptical", "ski_erg", "turbo", "road_bike", "rowing",
                  "swimming", "mountain_bike", "walking", "hiking", "seated_cardio"]
EVERYTHING = frozenset({"road_bike", "turbo_trainer", "mountain_bike", "pool", "elliptical",
                        "ski_machine", "rowing_machine"})

# A machine the code has never heard of, added by a coach in its own files.
AIR_BIKE_KIT = {"id": "air_bike", "name": {"en": "Air bike"}, "aliases": ["air bike"],
                "places": ["gym"]}
AIR_BIKE = {
    "id": "air_bike", "name": {"en": "Air bike"}, "emoji": "🌀", "kind": "aerobic",
    "impact": "none", "weight_bearing": False, "equipment": ["air_bike"],
    "load_tags": ["leg_work", "land_leg_work"],
    "running_relevance": {"en": "Arms and legs together and no impact at all."},
    "conversion_note": {"en": "Heart rate climbs fast; go by effort."},
    "aliases": ["fan bike"],
    "convert": {"rank": 15, "replaces": ["easy", "intervals", "hills"], "max_minutes": 40,
                "hill_tags": ["knee_load"]},
}  # fmt: skip
STAIR_CLIMBER = {
    "id": "stair_climber", "name": {"en": "Stair climber"}, "emoji": "🪜", "kind": "aerobic",
    "impact": "low", "weight_bearing": True, "equipment": ["air_bike"],
    "load_tags": ["weight_bearing", "stairs", "leg_work", "land_leg_work"],
    "running_relevance": {"en": "Climbing without the descent."},
    "convert": {"rank": 200, "replaces": ["easy", "hills"], "time_factor": 1.2},
}  # fmt: skip


def _read(pack_dir: Path, file_name: str) -> Items:
    items: Items = yaml.load((pack_dir / file_name).read_text(encoding="utf-8"), Loader=_Loader)
    return items


def _write(pack_dir: Path, file_name: str, items: Items) -> None:
    (pack_dir / file_name).write_text(
        yaml.dump(items, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit(pack_dir: Path, file_name: str, change: Callable[[Items], None]) -> None:
    items = _read(pack_dir, file_name)
    change(items)
    _write(pack_dir, file_name, items)


def _item(items: Items, item_id: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == item_id)


def _problems(pack_dir: Path) -> list[str]:
    with pytest.raises(ContentPackError) as caught:
        load_pack(pack_dir)
    return [str(problem) for problem in caught.value.problems]


def _run(text: str) -> RunWorkout:
    run = parse_run(text, pace_sec_per_km=300)
    assert isinstance(run, RunWorkout)
    return run


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(default_content_dir(), target)
    return target


@pytest.fixture
def machine_pack(pack_dir: Path) -> ContentPack:
    """The shipped pack plus two machines, in files of their own."""
    _write(pack_dir, "equipment_machines.yaml", [AIR_BIKE_KIT])
    _write(pack_dir, "activities_machines.yaml", [AIR_BIKE, STAIR_CLIMBER])
    return load_pack(pack_dir)


# --- the shipped pack says what the code used to -----------------------------------------------


def test_every_anchor_has_the_label_and_emoji_it_had(content: ContentPack) -> None:
    used = {nudge.anchor for nudge in content.nudges.values()}
    assert used <= set(content.anchors)
    for anchor_id in used:
        anchor = content.anchor(anchor_id)
        label = OLD_ANCHOR_LABEL.get(anchor_id) or anchor_id.replace("_", " ").capitalize()
        assert (anchor.label["en"], anchor.emoji) == (label,
                                                      OLD_ANCHOR_EMOJI.get(anchor_id, "✨"))


def test_an_undeclared_anchor_still_reads_as_words() -> None:
    anchor = ContentPack().anchor("waiting_for_the_bus")
    assert (anchor.label, anchor.emoji) == ({"en": "Waiting for the bus"}, "✨")


def test_place_icons(content: ContentPack) -> None:
    assert {place: content.place_icon(place) for place in content.places} == OLD_PLACE_ICONS
    assert list(content.places) == list(OLD_PLACE_ICONS)  # the order onboarding's legend uses
    assert content.place_icon("moon") == ""
    for item in content.equipment.values():
        assert all(content.place_icon(place) for place in item.places)


def test_habit_kinds_are_logged_as_before(content: ContentPack) -> None:
    kinds = {nudge.kind for nudge in content.nudges.values()}
    assert kinds <= set(content.habit_kinds)
    assert {kind: content.habit_activity(kind) for kind in content.habit_kinds} == \
        OLD_HABIT_ACTIVITY
    assert all(content.habit_activity(kind) in content.activities for kind in kinds)
    # A kind the pack does not declare is logged as the default kind's activity.
    assert content.habit_activity("juggling") == "balance_agility"


def test_a_pack_without_habit_kinds_has_no_habit_activity() -> None:
    with pytest.raises(KeyError):
        ContentPack().habit_activity("balance")


def test_stand_ins_are_the_aerobic_activities_closest_to_running_first(
        content: ContentPack) -> None:
    with_facts = [a for a in content.activities.values() if a.convert is not None]
    ordered = sorted(with_facts, key=lambda a: a.convert.rank if a.convert else 0)
    assert [a.id for a in ordered] == STAND_IN_ORDER
    assert all(a.kind == "aerobic" for a in with_facts)
    assert content.activities["running"].convert is None  # a run never stands in for itself
    options = convert(content, RunnerProfile(user_id=1, equipment=EVERYTHING),
                      _run("easy 40 min"))
    assert [o.activity.id for o in options] == STAND_IN_ORDER


# --- a machine added in YAML takes part in /convert --------------------------------------------


def test_a_new_machine_gets_converted_runs(machine_pack: ContentPack) -> None:
    profile = RunnerProfile(user_id=1, equipment=EVERYTHING | {"air_bike"})
    intervals = _run("6x800m with 90s jog")  # 45 minutes in all
    options = {o.activity.id: o for o in convert(machine_pack, profile, intervals)}
    assert list(options)[:2] == ["pool_running", "air_bike"]  # rank 15: after pool running
    air = options["air_bike"]
    (main,) = air.session.main
    assert (main.work_seconds, main.recovery_seconds, main.rpe) == (210, 90, 8)
    assert air.minutes <= 40 < intervals.total_minutes  # the machine's sensible maximum
    assert main.repeats < intervals.reps
    assert air.note.startswith("Heart rate climbs fast")
    assert "to fit what makes sense on this machine" in air.note
    assert air.relevance == "Arms and legs together and no impact at all."

    easy = {o.activity.id: o for o in convert(machine_pack, profile, _run("easy 40 min"))}
    assert easy["air_bike"].minutes == 40
    assert easy["stair_climber"].minutes == 50  # time factor 1.2: 48, rounded up to 5
    assert list(easy)[-1] == "stair_climber"  # rank 200: listed last

    hills = {o.activity.id: o.session for o in convert(machine_pack, profile,
                                                       _run("hill repeats 6x2min"))}
    assert "knee_load" in hills["air_bike"].load_tags  # the machine's own hill load
    assert "hills" in hills["stair_climber"].load_tags  # weight-bearing: hills by default

    long_run = {o.activity.id for o in convert(machine_pack, profile, _run("long run 1h45"))}
    assert "air_bike" not in long_run and "stair_climber" not in long_run  # not in replaces


def test_a_new_machine_passes_the_same_safety_rules(machine_pack: ContentPack) -> None:
    for condition_id in machine_pack.conditions:
        profile = RunnerProfile(user_id=1, injury_status="injured", condition_id=condition_id,
                                phase="acute", equipment=frozenset({"air_bike"}))
        for phrase in ("easy 40 min", "hill repeats 6x2min"):
            for option in convert(machine_pack, profile, _run(phrase)):
                verdict = assess_session(machine_pack, option.session, condition_id, "acute")
                assert verdict.allowed, (condition_id, option.activity.id)


def test_an_activity_without_convert_facts_is_never_a_stand_in(pack_dir: Path) -> None:
    _edit(pack_dir, "activities.yaml", lambda items: _item(items, "rowing").pop("convert"))
    pack = load_pack(pack_dir)
    options = convert(pack, RunnerProfile(user_id=1, equipment=EVERYTHING), _run("easy 40 min"))
    assert "rowing" not in {o.activity.id for o in options}


# --- the check reports bad facts ---------------------------------------------------------------


def test_undeclared_anchor_kind_and_place_are_reported(pack_dir: Path) -> None:
    nudge_id = _read(pack_dir, "nudges.yaml")[0]["id"]
    _edit(pack_dir, "nudges.yaml", lambda items: items[0].update(anchor="sunset",
                                                                 kind="juggling"))
    _edit(pack_dir, "equipment.yaml",
          lambda items: _item(items, "road_bike").update(places=["outdoors", "moon"]))
    assert sorted(_problems(pack_dir)) == sorted([
        "equipment.yaml: road_bike: places.1: unknown place 'moon' (declare it in places.yaml)",
        f"nudges.yaml: {nudge_id}: anchor: unknown anchor 'sunset' (declare it in anchors.yaml)",
        f"nudges.yaml: {nudge_id}: kind: unknown habit kind 'juggling' (declare it in "
        "habit_kinds.yaml)",
    ])


def test_a_new_anchor_kind_and_place_need_only_yaml(pack_dir: Path) -> None:
    _edit(pack_dir, "anchors.yaml", lambda items: items.append(
        {"id": "sunset", "label": {"en": "Sunset"}, "emoji": "🌇"}))
    _edit(pack_dir, "habit_kinds.yaml", lambda items: items.append(
        {"id": "juggling", "activity": "balance_agility"}))
    _edit(pack_dir, "places.yaml", lambda items: items.append(
        {"id": "office", "label": {"en": "office"}, "icon": "🏢"}))
    _edit(pack_dir, "nudges.yaml", lambda items: items[0].update(anchor="sunset",
                                                                 kind="juggling"))
    _edit(pack_dir, "equipment.yaml",
          lambda items: _item(items, "road_bike").update(places=["office"]))
    pack = load_pack(pack_dir)
    nudge = next(iter(pack.nudges.values()))
    assert (pack.anchor(nudge.anchor).emoji, pack.habit_activity(nudge.kind)) == (
        "🌇", "balance_agility")
    assert pack.place_icon("office") == "🏢"


def test_habit_kinds_need_a_known_activity_and_one_default(pack_dir: Path) -> None:
    def change(items: Items) -> None:
        _item(items, "strength").update(activity="weights")
        _item(items, "balance").pop("default")

    _edit(pack_dir, "habit_kinds.yaml", change)
    assert _problems(pack_dir) == [
        "habit_kinds.yaml: strength: activity: unknown activity 'weights'",
        "habit_kinds.yaml: default: no kind is marked 'default: true'; mark exactly one",
    ]
    _edit(pack_dir, "habit_kinds.yaml", lambda items: [
        item.update(default=True) for item in items if item["id"] != "strength"])
    found = _problems(pack_dir)
    assert "habit_kinds.yaml: agility: default: a second default kind (the first is "\
           "'balance'); mark exactly one" in found


def test_bad_convert_facts_are_reported(pack_dir: Path) -> None:
    def change(items: Items) -> None:
        _item(items, "rowing")["convert"].update(replaces=["sprint"], max_minutes=5)
        _item(items, "walking")["convert"].update(hill_tags=["hils"], time_factor=0)
        _item(items, "hiking")["convert"].update(load_tags=["muddy"], colour="green")
        _item(items, "swimming")["convert"].pop("rank")

    _edit(pack_dir, "activities.yaml", change)
    found = _problems(pack_dir)
    expected_starts = [
        "activities.yaml: swimming: convert.rank: required field is missing",
        "activities.yaml: rowing: convert.replaces.0: Input should be 'recovery'",
        "activities.yaml: rowing: convert.max_minutes: Input should be greater than or equal "
        "to 10",
        "activities.yaml: walking: convert.time_factor: Input should be greater than or equal",
        "activities.yaml: hiking: convert.colour: unknown field",
    ]
    for start in expected_starts:
        assert any(line.startswith(start) for line in found), (start, found)
    assert len(found) == len(expected_starts)  # the broken items are not checked twice

    # Tags in a valid convert block go through the same vocabulary check as load_tags.
    _edit(pack_dir, "activities.yaml", lambda items: items.__setitem__(
        slice(None), _read(default_content_dir(), "activities.yaml")))
    _edit(pack_dir, "activities.yaml", lambda items: (
        _item(items, "walking")["convert"].update(hill_tags=["hils"]),
        _item(items, "hiking")["convert"].update(load_tags=["muddy"])))
    assert _problems(pack_dir) == [
        "activities.yaml: walking: convert.hill_tags: unknown load tag 'hils' (not in the "
        "vocabulary and no condition rule targets it)",
        "activities.yaml: hiking: convert.load_tags: unknown load tag 'muddy' (not in the "
        "vocabulary and no condition rule targets it)",
    ]


@pytest.mark.parametrize("file_name", ["anchors.yaml", "places.yaml", "habit_kinds.yaml"])
def test_the_new_files_are_required(pack_dir: Path, file_name: str) -> None:
    (pack_dir / file_name).unlink()
    assert _problems(pack_dir) == [f"{file_name}: file is missing"]
