"""Load and validate the content pack, collecting every problem rather than stopping at the first.

A coach edits YAML by hand, so one run of `crosscoach content check` should list everything that
is wrong, each problem naming the file, the item id and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.models import (
    LOAD_TAGS,
    PHASES,
    REQUIRED_TEXT_IDS,
    TELEGRAM_MESSAGE_LIMIT,
    Activity,
    Anchor,
    Condition,
    ContentPack,
    Equipment,
    Exercise,
    HabitKind,
    Nudge,
    PainModel,
    PlaceItem,
    Session,
    Source,
    TextItem,
)

# The C loader is several times faster; fall back to the pure-Python one where libyaml is absent.
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Per-file: attribute name on ContentPack -> (file name, model).
PACK_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "equipment": ("equipment.yaml", Equipment),
    "activities": ("activities.yaml", Activity),
    "conditions": ("conditions.yaml", Condition),
    "exercises": ("exercises.yaml", Exercise),
    "sessions": ("sessions.yaml", Session),
    "nudges": ("nudges.yaml", Nudge),
    "texts": ("texts.yaml", TextItem),
    "sources": ("sources.yaml", Source),
    "pain_models": ("pain_models.yaml", PainModel),
    "anchors": ("anchors.yaml", Anchor),
    "places": ("places.yaml", PlaceItem),
    "habit_kinds": ("habit_kinds.yaml", HabitKind),
}

NO_EQUIPMENT_ID = "nothing"
_UNKNOWN_FILE = (
    "unknown file: not part of the pack. Name it after a kind to add its items (for example "
    "sessions_winter.yaml), or move it out of the content folder"
)

# Blocks whose duration differs from the session's minutes by more than this are reported.
MINUTES_TOLERANCE = 1.0


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the pack, precise enough for a coach to find and fix it."""

    file: str
    item_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file, self.item_id, self.field, self.message]
        return ": ".join(part for part in parts if part)


class ContentPackError(Exception):
    """The pack is invalid; `problems` lists everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def load_pack(directory: Path) -> ContentPack:
    """Read, validate and cross-check every file of the pack in `directory`.

    Raises ContentPackError with all problems found; returns the read-only pack otherwise.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentPackError([Problem(str(directory), None, None, "content directory not found")])
    problems: list[Problem] = []
    parsed: dict[str, dict[str, Any]] = {}
    declared: dict[str, set[str]] = {}
    unreadable: set[str] = set()
    origins: dict[str, dict[str, str]] = {}
    claimed: set[str] = set()
    for attr, (file_name, model) in PACK_FILES.items():
        sources: list[tuple[str, list[Any]]] = []
        for path in _kind_files(directory, file_name):
            claimed.add(path.name)
            raw_items = _read_items(path, path.name, problems)
            if raw_items is None:
                if path.name == file_name:
                    unreadable.add(attr)
                continue
            sources.append((path.name, raw_items))
        items, ids, origin = _validate_items(sources, model, problems)
        parsed[attr] = items
        declared[attr] = ids
        origins[file_name] = origin
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() in (".yaml", ".yml") and path.name not in claimed:
            problems.append(Problem(path.name, None, None, _UNKNOWN_FILE))
    _CrossChecker(parsed, declared, unreadable, problems, origins).run()
    if problems:
        raise ContentPackError(problems)
    texts = {item_id: item.text for item_id, item in parsed["texts"].items()}
    return ContentPack(
        equipment=parsed["equipment"],
        activities=parsed["activities"],
        conditions=parsed["conditions"],
        exercises=parsed["exercises"],
        sessions=parsed["sessions"],
        nudges=parsed["nudges"],
        texts=texts,
        sources=parsed["sources"],
        pain_models=parsed["pain_models"],
        anchors=parsed["anchors"],
        places=parsed["places"],
        habit_kinds=parsed["habit_kinds"],
    )


def _read_items(path: Path, file_name: str, problems: list[Problem]) -> list[Any] | None:
    """The file's items, or None when it could not be read at all (the problem is recorded)."""
    if not path.is_file():
        problems.append(Problem(file_name, None, None, "file is missing"))
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        problems.append(Problem(file_name, None, None, f"invalid YAML: {_one_line(str(exc))}"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(file_name, None, None, "file is not UTF-8 text"))
        return None
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(file_name, None, None, "the file must be a list of items"))
        return None
    return data


def _kind_files(directory: Path, file_name: str) -> list[Path]:
    """The files that hold one kind of item: `sessions.yaml` (required), then any
    `sessions_<anything>.yaml` a coach added to split a long list, in name order."""
    stem = file_name.removesuffix(".yaml")
    extra = sorted(p for p in directory.glob(f"{stem}_*.yaml") if p.is_file())
    return [directory / file_name, *extra]


def _validate_items(
    sources: list[tuple[str, list[Any]]], model: type[BaseModel], problems: list[Problem]
) -> tuple[dict[str, Any], set[str], dict[str, str]]:
    """Validate each item of one kind, over all its files; return the valid ones by id, every
    id declared (valid or not), and the file each id came from.

    Declared ids let cross-reference checks ignore items that already failed validation, so one
    broken exercise is reported once rather than again by every session that uses it.
    """
    items: dict[str, Any] = {}
    declared: set[str] = set()
    first: dict[str, tuple[str, int]] = {}
    for file_name, raw_items in sources:
        for position, raw in enumerate(raw_items, start=1):
            if not isinstance(raw, dict):
                problems.append(Problem(file_name, f"#{position}", None,
                                        "an item must be a mapping"))
                continue
            raw_id = raw.get("id")
            item_id = raw_id if isinstance(raw_id, str) and raw_id else f"#{position}"
            if isinstance(raw_id, str) and raw_id:
                if raw_id in first:
                    where, at = first[raw_id]
                    place = f"item #{at}" if where == file_name else f"item #{at} of {where}"
                    problems.append(Problem(file_name, raw_id, "id",
                                            f"duplicate id (first defined as {place})"))
                    continue
                first[raw_id] = (file_name, position)
                declared.add(raw_id)
            try:
                item = model.model_validate(raw)
            except ValidationError as exc:
                problems.extend(_schema_problems(exc, file_name, item_id))
                continue
            items[item.id] = item  # type: ignore[attr-defined]
    return items, declared, {item_id: where for item_id, (where, _) in first.items()}


def _schema_problems(exc: ValidationError, file_name: str, item_id: str) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or None
        yield Problem(file_name, item_id, field, _friendly_message(error))


def _friendly_message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text_fields(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every user-visible string in a model dump with its dotted path (lists and Text maps)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _text_fields(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _text_fields(inner, f"{path}.{index}" if path else str(index))


class _CrossChecker:
    """Checks that need more than one item: references, cycles, sums and lengths."""

    def __init__(
        self,
        parsed: dict[str, dict[str, Any]],
        declared: dict[str, set[str]],
        unreadable: set[str],
        problems: list[Problem],
        origins: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.parsed = parsed
        # kind file -> item id -> the file it is written in (a kind may span several files).
        self.origins = origins or {}
        self.declared = declared
        # Files that could not be read at all: references into them are not checked, so one
        # YAML typo yields one problem instead of hundreds of "unknown ..." follow-ups.
        self.unreadable = unreadable
        self.problems = problems

    def add(self, file_name: str, item_id: str | None, field: str | None, message: str) -> None:
        where = self.origins.get(file_name, {}).get(item_id or "", file_name)
        self.problems.append(Problem(where, item_id, field, message))

    def run(self) -> None:
        self._check_equipment_special()
        self._check_equipment_places()
        self._check_activities()
        self._check_exercises()
        self._check_sessions()
        self._check_nudges()
        self._check_habit_kinds()
        self._check_pain_models()
        self._check_conditions()
        self._check_load_tags()
        self._check_texts()
        self._check_cycles()
        self._check_lengths()

    # --- references -------------------------------------------------------------------------

    def _refs(
        self,
        file_name: str,
        item_id: str,
        field: str,
        refs: Iterable[str | None],
        kind: str,
        label: str,
        hint: str = "",
    ) -> None:
        if kind in self.unreadable:
            return
        for ref in refs:
            if ref is not None and ref not in self.declared[kind]:
                self.add(file_name, item_id, field, f"unknown {label} '{ref}'{hint}")

    def _check_equipment_special(self) -> None:
        if self.parsed["equipment"] and NO_EQUIPMENT_ID not in self.declared["equipment"]:
            self.add(
                "equipment.yaml",
                None,
                None,
                f"the special item '{NO_EQUIPMENT_ID}' (no equipment) is missing",
            )

    def _check_equipment_places(self) -> None:
        for item in self.parsed["equipment"].values():
            for index, place in enumerate(item.places):
                self._refs("equipment.yaml", item.id, f"places.{index}", [place], "places",
                           "place", " (declare it in places.yaml)")

    def _check_activities(self) -> None:
        for activity in self.parsed["activities"].values():
            self._refs(
                "activities.yaml",
                activity.id,
                "equipment",
                activity.equipment,
                "equipment",
                "equipment",
            )

    def _check_exercises(self) -> None:
        for exercise in self.parsed["exercises"].values():
            self._refs(
                "exercises.yaml",
                exercise.id,
                "equipment",
                exercise.equipment,
                "equipment",
                "equipment",
            )
            for field in ("progresses_to", "regresses_to"):
                refs = getattr(exercise, field)
                self._refs("exercises.yaml", exercise.id, field, refs, "exercises", "exercise")

    def _check_sessions(self) -> None:
        for session in self.parsed["sessions"].values():
            sid = session.id
            self._refs(
                "sessions.yaml", sid, "activity", [session.activity], "activities", "activity"
            )
            self._refs(
                "sessions.yaml", sid, "equipment", session.equipment, "equipment", "equipment"
            )
            for field in ("progresses_to", "regresses_to"):
                ref = getattr(session, field)
                self._refs("sessions.yaml", sid, field, [ref], "sessions", "session")
            blocks = [("warmup", session.warmup)]
            blocks += [(f"main.{i}", block) for i, block in enumerate(session.main)]
            blocks.append(("cooldown", session.cooldown))
            for path, block in blocks:
                self._refs(
                    "sessions.yaml",
                    sid,
                    f"{path}.exercises",
                    block.exercises,
                    "exercises",
                    "exercise",
                )
            total = session.block_minutes
            if abs(total - session.minutes) > MINUTES_TOLERANCE:
                self.add(
                    "sessions.yaml",
                    sid,
                    "minutes",
                    f"blocks add up to {total:g} minutes, not {session.minutes}",
                )

    def _check_nudges(self) -> None:
        for nudge in self.parsed["nudges"].values():
            nid = nudge.id
            self._refs(
                "nudges.yaml", nid, "unsafe_for", nudge.unsafe_for, "conditions", "condition"
            )
            self._refs(
                "nudges.yaml", nid, "progresses_to", [nudge.progresses_to], "nudges", "nudge"
            )
            self._refs("nudges.yaml", nid, "exercise", [nudge.exercise], "exercises", "exercise")
            self._refs("nudges.yaml", nid, "anchor", [nudge.anchor], "anchors",
                       "anchor", " (declare it in anchors.yaml)")
            self._refs("nudges.yaml", nid, "kind", [nudge.kind], "habit_kinds",
                       "habit kind", " (declare it in habit_kinds.yaml)")

    def _check_habit_kinds(self) -> None:
        kinds = self.parsed["habit_kinds"]
        for kind in kinds.values():
            self._refs("habit_kinds.yaml", kind.id, "activity", [kind.activity], "activities",
                       "activity")
        if "habit_kinds" in self.unreadable or not self.declared["habit_kinds"]:
            return
        defaults = [kind.id for kind in kinds.values() if kind.default]
        # One default, so a habit of a kind the pack no longer declares is still logged.
        if not defaults and len(kinds) == len(self.declared["habit_kinds"]):
            self.add("habit_kinds.yaml", None, "default",
                     "no kind is marked 'default: true'; mark exactly one")
        for extra in defaults[1:]:
            self.add("habit_kinds.yaml", extra, "default",
                     f"a second default kind (the first is '{defaults[0]}'); mark exactly one")

    def _check_pain_models(self) -> None:
        for model in self.parsed["pain_models"].values():
            self._refs("pain_models.yaml", model.id, "source", [model.source], "sources", "source")

    def _used_tags(self) -> set[str]:
        tags: set[str] = set()
        for kind in ("activities", "exercises", "sessions", "nudges"):
            for item in self.parsed[kind].values():
                tags.update(item.load_tags)
        for activity in self.parsed["activities"].values():
            for _field, convert_tags in _convert_tags(activity):
                tags.update(convert_tags)
        return tags

    def _rule_tags(self) -> set[str]:
        return {
            rule.tag
            for condition in self.parsed["conditions"].values()
            for rules in (*condition.phases.values(), condition.protect)
            for rule in rules
            if rule.tag is not None
        }

    def _check_conditions(self) -> None:
        tags_known = not self.unreadable & {"activities", "exercises", "sessions"}
        used_tags = self._used_tags()
        for condition in self.parsed["conditions"].values():
            cid = condition.id
            self._refs(
                "conditions.yaml", cid, "source_ids", condition.source_ids, "sources", "source"
            )
            self._refs("conditions.yaml", cid, "pain_model", [condition.pain_model],
                       "pain_models", "pain model")
            rule_sets = {f"phases.{phase}": condition.phases.get(phase, []) for phase in PHASES}
            rule_sets["protect"] = condition.protect
            for prefix, rules in rule_sets.items():
                seen_targets: set[str] = set()
                for index, rule in enumerate(rules):
                    path = f"{prefix}.{index}"
                    self._refs(
                        "conditions.yaml",
                        cid,
                        f"{path}.source",
                        [rule.source],
                        "sources",
                        "source",
                    )
                    if rule.target in seen_targets:
                        self.add(
                            "conditions.yaml",
                            cid,
                            f"{path}.target",
                            f"second rule for '{rule.target}' in the same rule set",
                        )
                    seen_targets.add(rule.target)
                    tag = rule.tag
                    if tag is not None:
                        if tags_known and tag not in used_tags:
                            self.add(
                                "conditions.yaml",
                                cid,
                                f"{path}.target",
                                f"load tag '{tag}' is not used by any activity, exercise or "
                                "session",
                            )
                    elif (
                        "activities" not in self.unreadable
                        and rule.target not in self.declared["activities"]
                    ):
                        self.add(
                            "conditions.yaml",
                            cid,
                            f"{path}.target",
                            f"unknown activity '{rule.target}' (use an activity id or "
                            "tag:<load tag>)",
                        )

    def _check_load_tags(self) -> None:
        # A misspelt tag would escape every injury rule, so only known or rule-targeted tags pass.
        if "conditions" in self.unreadable:
            return
        known = set(LOAD_TAGS) | self._rule_tags()
        for kind in ("activities", "exercises", "sessions", "nudges"):
            file_name = PACK_FILES[kind][0]
            for item in self.parsed[kind].values():
                fields = [("load_tags", item.load_tags)]
                if kind == "activities":
                    fields += _convert_tags(item)
                for field, tags in fields:
                    for tag in tags:
                        if tag not in known:
                            self.add(
                                file_name,
                                item.id,
                                field,
                                f"unknown load tag '{tag}' (not in the vocabulary and no "
                                "condition rule targets it)",
                            )

    def _check_texts(self) -> None:
        if "texts" in self.unreadable:
            return
        for text_id in REQUIRED_TEXT_IDS:
            if text_id not in self.declared["texts"]:
                self.add("texts.yaml", text_id, None, "required text is missing")

    # --- cycles -------------------------------------------------------------------------------

    def _check_cycles(self) -> None:
        exercises = self.parsed["exercises"]
        for field in ("progresses_to", "regresses_to"):
            graph = {eid: list(getattr(ex, field)) for eid, ex in exercises.items()}
            self._report_cycles("exercises.yaml", field, graph)
        for kind, fields in (
            ("sessions", ("progresses_to", "regresses_to")),
            ("nudges", ("progresses_to",)),
        ):
            for field in fields:
                graph = {}
                for item_id, item in self.parsed[kind].items():
                    target = getattr(item, field)
                    graph[item_id] = [target] if target else []
                self._report_cycles(PACK_FILES[kind][0], field, graph)

    def _report_cycles(self, file_name: str, field: str, graph: dict[str, list[str]]) -> None:
        for cycle in find_cycles(graph):
            path = " -> ".join([*cycle, cycle[0]])
            self.add(file_name, cycle[0], field, f"progression cycle: {path}")

    # --- lengths ------------------------------------------------------------------------------

    def _check_lengths(self) -> None:
        for attr, (file_name, _model) in PACK_FILES.items():
            for item_id, item in self.parsed[attr].items():
                for path, text in _text_fields(item.model_dump(exclude_none=True), ""):
                    if len(text) > TELEGRAM_MESSAGE_LIMIT:
                        self.add(
                            file_name,
                            item_id,
                            path,
                            f"text is {len(text)} characters; one Telegram message holds "
                            f"{TELEGRAM_MESSAGE_LIMIT}",
                        )
        exercises = self.parsed["exercises"]
        for session in self.parsed["sessions"].values():
            size = rendered_session_length(session, exercises)
            if size > TELEGRAM_MESSAGE_LIMIT:
                self.add(
                    "sessions.yaml",
                    session.id,
                    None,
                    f"the rendered session would be about {size} characters, more than one "
                    f"Telegram message ({TELEGRAM_MESSAGE_LIMIT})",
                )
        for exercise in exercises.values():
            size = rendered_exercise_length(exercise)
            if size > TELEGRAM_MESSAGE_LIMIT:
                self.add(
                    "exercises.yaml",
                    exercise.id,
                    None,
                    f"the rendered exercise would be about {size} characters, more than one "
                    f"Telegram message ({TELEGRAM_MESSAGE_LIMIT})",
                )


def _convert_tags(activity: Activity) -> list[tuple[str, list[str]]]:
    """The load tags an activity's /convert facts add, by field, for the tag checks."""
    facts = activity.convert
    if facts is None:
        return []
    return [("convert.hill_tags", facts.hill_tags or []), ("convert.load_tags", facts.load_tags)]


def find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Each distinct cycle once, as a list of ids starting at the member that comes first in
    `graph`'s order. Edges to unknown ids are ignored (reported elsewhere)."""
    order = {node: index for index, node in enumerate(graph)}
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(start: str) -> None:
        # Iterative DFS: progression chains are short, but recursion limits are not worth risking.
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        path = [start]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                colour[node] = black
                continue
            if child not in colour:
                continue
            if colour[child] == grey:
                cycle = path[path.index(child) :]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
                    cycles.append(cycle[first:] + cycle[:first])
            elif colour[child] == white:
                colour[child] = grey
                path.append(child)
                stack.append((child, iter(graph[child])))

    for node in graph:
        if colour[node] == white:
            visit(node)
    return cycles


def _english(text: Mapping[str, str] | None) -> str:
    return text["en"] if text else ""


def rendered_exercise_length(exercise: Exercise) -> int:
    """A generous estimate of the exercise card's size: its texts plus a little layout."""
    parts = [_english(exercise.name)]
    parts += [_english(step) for step in exercise.steps]
    parts += [_english(cue) for cue in exercise.cues]
    return sum(len(part) + 8 for part in parts) + 200


def rendered_session_length(session: Session, exercises: Mapping[str, Exercise]) -> int:
    """A generous estimate of the session card: its texts, and each exercise's name and cues."""
    parts = [_english(session.title), _english(session.stop_rule)]
    parts += [_english(block.label) for block in session.blocks]
    parts += [_english(cue) for cue in session.cues]
    for exercise_id in session.exercise_ids:
        exercise = exercises.get(exercise_id)
        if exercise is not None:
            parts.append(_english(exercise.name))
            parts += [_english(cue) for cue in exercise.cues]
    return sum(len(part) + 16 for part in parts) + 300
