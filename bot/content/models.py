"""Typed, read-only models of the content pack (see docs/content.md).

Field names are a contract shared with the YAML authors and the coach: add, never rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

TELEGRAM_MESSAGE_LIMIT = 4096

Phase = Literal["acute", "settling", "returning"]
PHASES: tuple[Phase, ...] = ("acute", "settling", "returning")
RunType = Literal["recovery", "easy", "tempo", "intervals", "hills", "long"]
Verdict = Literal["ok", "caution", "avoid"]
ActivityKind = Literal["aerobic", "strength", "balance_agility", "mobility", "sport"]
Impact = Literal["none", "low", "moderate", "high"]
Intensity = Literal["recovery", "easy", "tempo", "intervals", "hills", "long", "strength", "skills"]
# How soon a warning sign needs a clinician: "prompt" (within days), "same_day" (today: suspected
# rupture, fracture, blood clot, can't bear weight) or "emergency" (now, and no exercise at all).
Urgency = Literal["prompt", "same_day", "emergency"]
URGENCY_ORDER: dict[str, int] = {"prompt": 0, "same_day": 1, "emergency": 2}

# Stable identifiers: the bot stores them in the database, so they must stay simple.
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# Places (home, gym, ...) and habit kinds (balance, strength, ...) are pack data: declared in
# places.yaml and habit_kinds.yaml, so a coach can add one without code. The check reports a
# reference to one that is not declared.
Place = Id
NudgeKind = Id
# The emoji a habit shows when its anchor is not declared (only a hand-built pack can do that:
# the check requires every nudge's anchor in anchors.yaml).
FALLBACK_ANCHOR_EMOJI = "✨"
# A stand-in shorter than this is not worth doing (the converter's MIN_CONVERTED_MINUTES), so
# a machine's maximum below it would only hide the machine from /convert.
MIN_STAND_IN_MINUTES = 10
MAX_STAND_IN_MINUTES = 6 * 60  # the longest run /convert reads


def _require_english(value: dict[str, str]) -> dict[str, str]:
    # English is the fallback language for every user, so it can never be missing or blank.
    if not value.get("en", "").strip():
        raise ValueError("an English ('en') text is required")
    for lang, text in value.items():
        if not text.strip():
            raise ValueError(f"the '{lang}' text is empty")
    return value


def _explain_split_text(value: Any) -> Any:
    # YAML reads `{en: Easy, then harder}` as {"en": "Easy", "then harder": None}: the classic
    # unquoted-comma mistake. Say so instead of pydantic's puzzling "valid string" error.
    if isinstance(value, dict) and any(inner is None for inner in value.values()):
        raise ValueError("a comma inside {en: ...} split the text; put the text in quotes")
    return value


# A user-facing, localisable text: {en: "...", de: "..."}.
Text = Annotated[
    dict[str, str], BeforeValidator(_explain_split_text), AfterValidator(_require_english)
]


def localize(text: Mapping[str, str], lang: str = "en") -> str:
    """The text in `lang`, falling back to English."""
    return text.get(lang) or text["en"]


# The load-tag vocabulary. A tag describes a kind of tissue load that injury rules can restrict.
# A coach may introduce a new tag without code: any tag that some condition rule targets
# (`tag:<name>`) is accepted too. Tags that are neither listed here nor targeted by a rule are
# reported, because a misspelt tag would silently escape every safety rule.
LOAD_TAGS: dict[str, str] = {
    "impact": "repeated landing or foot-strike forces (running, jumping, court games)",
    "plyometric": "jumps, hops, bounding, skipping",
    "sprinting": "maximal or near-maximal accelerations",
    "cutting": "sudden changes of direction at speed",
    "lateral_movement": "side-steps, shuffles and lunges to the side",
    "hills": "uphill effort on foot (calf, Achilles and hip flexor load); not seated riding",
    "downhill": "downhill on foot (braking load on quads, knees and shins)",
    "uneven_ground": "trails, roots and rough ground that can roll an ankle",
    "weight_bearing": "standing on the feet: body weight through foot and shin bones",
    "foot_load": "an hour or more on the feet in one go (standing, walking or hiking)",
    "long_duration": "a session of 90 minutes or more",
    "single_leg_load": "the whole body weight on one leg",
    "calf_tendon_load": "heavy or repeated calf and Achilles loading (calf raises, push-off)",
    "end_range_dorsiflexion": "ankle bent up to the end of its range (heel drops, steep uphill)",
    "knee_load": "loaded knee bending and straightening (squats, lunges, step-ups, big gears)",
    "deep_knee_flexion": "knee bent past about 90 degrees under load (deep squat, rowing catch)",
    "kneeling": "weight through the front of the knee on the floor",
    "hamstring_load": "hamstrings loaded long or fast (single-leg bridges, hinges, sprinting)",
    "hip_flexion_load": "hip flexors working hard or stretched under load (high knees, lunges)",
    "hip_adduction": "thigh pulled across the body's midline, or lying on the sore hip",
    "spinal_flexion": "rounding the lower back under load (crunches, sit-ups, rowing)",
    "spinal_rotation": "twisting the trunk under load",
    "spinal_load": "compressive load through the spine (heavy carries, weights on the back)",
    "overhead_load": "holding or pressing a weight overhead",
    "ballistic": "fast swinging or throwing of a weight (kettlebell swings)",
    "leg_work": "any active leg work, seated or lying too: pedalling, kicking, leg exercises",
    "land_leg_work": "leg work out of the water: pedalling, rowing, leg exercises in any position",
    "toe_rise": "rising onto the toes under body weight (standing calf raises or holds, marching)",
    "heavy_calf_load": "single-leg, weighted or off-a-step calf raises, and springy push-offs",
    "knee_flexion_loaded": "knee bent past about 60 degrees under load (chair squats, wall sits)",
    "stairs": "stepping up or down stairs or a step under body weight",
    "hamstring_speed": "hamstrings working fast: sprinting, kicking, pawing drills, swings",
    "hip_compression": "squeezing the outer hip: lying on the side, thigh across, glute stretches",
    "groin_load": "inner-thigh muscles loaded or stretched wide (Copenhagen planks, wide squats)",
    "breaststroke_kick": "breaststroke's whip kick, which twists the knee and stretches the groin",
    "barefoot": "standing or moving barefoot, without a shoe's support",
    "unstable_surface": "balancing on something soft or moving: a cushion, a towel, a bus or train",
    "toe_support": "part of the body weight on the toes and forefoot (planks, push-ups)",
    "trunk_load": "trunk muscles holding the body against gravity (planks, dead bugs, crunches)",
    "floor_work": "done lying or kneeling (floor, bed or sofa), including getting down and back up",
    "big_gear_climb": "standing on the pedals or grinding a big gear uphill on a bike",
}


class _Model(BaseModel):
    # Frozen: the pack is shared read-only by every handler. extra="forbid": a misspelt field
    # in the YAML must be an error, not silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Equipment(_Model):
    id: Id
    name: Text
    aliases: list[str] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)


class ConvertFacts(_Model):
    """How an activity stands in for a planned run in /convert. An activity without these
    facts is never offered as a stand-in (running itself, strength, sports)."""

    # Where the activity is listed: the lowest rank first, closest to the running action.
    rank: int = Field(ge=1)
    # The run types it can stand in for. A ready-made session of the activity that `replaces`
    # a type counts too, so a new session never needs this list changed.
    replaces: list[RunType] = Field(min_length=1)
    # The longest sensible stand-in: past it, arm work tires the shoulders before the heart, an
    # erg or pool session becomes a different workout, a walk becomes a day out.
    max_minutes: int | None = Field(default=None, ge=MIN_STAND_IN_MINUTES,
                                    le=MAX_STAND_IN_MINUTES)
    # Continuous runs take this many times as long (walking burns less per minute: 1.5).
    time_factor: float = Field(default=1.0, ge=0.5, le=3.0)
    # The load a hill session puts on the body on this activity. Left out: `hills` when the
    # activity is weight-bearing (on foot), none otherwise.
    hill_tags: list[str] | None = None
    # The load every converted session on it carries, whatever the run (a hike's rough ground).
    load_tags: list[str] = Field(default_factory=list)


class Activity(_Model):
    id: Id
    name: Text
    emoji: str
    kind: ActivityKind
    impact: Impact
    weight_bearing: bool
    equipment: list[str] = Field(default_factory=list)
    load_tags: list[str] = Field(default_factory=list)
    running_relevance: Text
    conversion_note: Text | None = None
    aliases: list[str] = Field(default_factory=list)
    convert: ConvertFacts | None = None


class Rule(_Model):
    target: str  # an activity id, or "tag:<load_tag>"
    verdict: Verdict
    note: Text | None = None
    source: str

    @model_validator(mode="after")
    def _note_when_restricting(self) -> Rule:
        if self.verdict != "ok" and self.note is None:
            raise ValueError(f"a '{self.verdict}' rule needs a note for the user")
        return self

    @property
    def tag(self) -> str | None:
        """The load tag this rule targets, or None when it targets an activity."""
        return self.target[4:] if self.target.startswith("tag:") else None


class PainModel(_Model):
    """How much pain a tissue tolerates while it heals, and when pain means "rest it".

    Every stop rule, pain check and escalation reads these numbers through the condition's
    `pain_model`, so the limits live in one place per tissue."""

    id: Id
    name: Text
    during_max: int = Field(ge=0, le=10)  # highest pain during a session that is acceptable
    session_stop: int = Field(ge=1, le=10)  # pain after a session at or above this: rest the area
    rest_acute: int = Field(ge=1, le=10)  # resting pain at or above this: the first phase
    rest_protect: int = Field(ge=1, le=10)  # resting pain at or above this: rest the area
    stop_rule: Text  # shown on every session card for this tissue; may use {limit}
    explanation: Text  # a sentence or two on the rule, for the pain check and "Why"
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> PainModel:
        if not self.during_max < self.session_stop:
            raise ValueError("session_stop must be above during_max")
        if not self.rest_acute <= self.rest_protect:
            raise ValueError("rest_protect must be at or above rest_acute")
        return self


class RedFlag(_Model):
    text: Text
    urgency: Urgency = "prompt"


class Condition(_Model):
    id: Id
    name: Text
    aliases: list[str] = Field(default_factory=list)
    body_site: str
    # How the bot asks "where exactly?" when a typed answer fits several conditions
    # ("achilles": above the heel, or where it meets the heel bone).
    where: Text | None = None
    red_flags: list[RedFlag] = Field(min_length=1)
    source_ids: list[str] = Field(min_length=1)
    pain_model: str
    # Bone and tendon injuries stay in the first phase for at least this many days from onset,
    # unless a clinician has cleared more.
    acute_min_days: int = Field(default=0, ge=0, le=120)
    # Without a clinician's clearance, a runner "coming back" gets the settling rules.
    returning_needs_clearance: bool = False
    phases: dict[Phase, list[Rule]]
    # The rules while a warning sign is unresolved or pain is high: only work that spares the
    # injured area completely.
    protect: list[Rule] = Field(min_length=1)
    summary: Text | None = None  # a short user-facing overview of the condition

    @field_validator("phases")
    @classmethod
    def _all_phases(cls, value: dict[Phase, list[Rule]]) -> dict[Phase, list[Rule]]:
        missing = [phase for phase in PHASES if phase not in value]
        if missing:
            raise ValueError(f"missing phase(s): {', '.join(missing)}")
        return value


class Exercise(_Model):
    id: Id
    name: Text
    steps: list[Text] = Field(min_length=1)
    cues: list[Text] = Field(default_factory=list)
    equipment: list[str] = Field(default_factory=list)
    muscles: list[str] = Field(default_factory=list)
    level: int = Field(ge=1, le=3)
    load_tags: list[str] = Field(default_factory=list)
    progresses_to: list[str] = Field(default_factory=list)
    regresses_to: list[str] = Field(default_factory=list)
    video_search: str | None = None


class Block(_Model):
    label: Text
    minutes: float | None = Field(default=None, gt=0)
    work_seconds: int | None = Field(default=None, gt=0)
    recovery_seconds: int | None = Field(default=None, ge=0)
    repeats: int = Field(default=1, ge=1)
    rpe: int | None = Field(default=None, ge=1, le=10)
    exercises: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_duration(self) -> Block:
        if self.minutes is None and self.work_seconds is None:
            raise ValueError("a block needs either minutes or work_seconds")
        return self

    @property
    def duration_minutes(self) -> float:
        if self.minutes is not None:
            return self.minutes
        work = self.work_seconds or 0
        rest = self.recovery_seconds or 0
        return self.repeats * (work + rest) / 60


class Session(_Model):
    id: Id
    title: Text
    activity: str
    equipment: list[str] = Field(default_factory=list)
    intensity: Intensity
    replaces: list[RunType] = Field(default_factory=list)
    level: int = Field(ge=1, le=3)
    minutes: int = Field(gt=0)
    load_tags: list[str] = Field(default_factory=list)
    warmup: Block
    main: list[Block] = Field(min_length=1)
    cooldown: Block
    cues: list[Text] = Field(default_factory=list)
    stop_rule: Text | None = None
    progresses_to: str | None = None
    regresses_to: str | None = None

    @property
    def blocks(self) -> list[Block]:
        return [self.warmup, *self.main, self.cooldown]

    @property
    def block_minutes(self) -> float:
        return sum(block.duration_minutes for block in self.blocks)

    @property
    def exercise_ids(self) -> list[str]:
        """Every exercise the session uses, in order, without repeats."""
        seen: dict[str, None] = {}
        for block in self.blocks:
            for exercise_id in block.exercises:
                seen.setdefault(exercise_id, None)
        return list(seen)


class Nudge(_Model):
    id: Id
    text: Text
    anchor: str
    kind: NudgeKind
    seconds: int = Field(gt=0, lt=120)
    safety_note: Text | None = None
    unsafe_for: list[str] = Field(default_factory=list)
    level: int = Field(ge=1, le=3)
    progresses_to: str | None = None
    exercise: str | None = None
    # The load the habit itself puts on the body (on top of its linked exercise's tags).
    load_tags: list[str] = Field(default_factory=list)


class Anchor(_Model):
    """A daily moment a habit is tied to ("After I switch the kettle on, ...")."""

    id: Id
    label: Text  # the heading of the habit's message: "Brushing teeth"
    emoji: str = Field(min_length=1)


class PlaceItem(_Model):
    """Where equipment is found (home, gym, ...): how onboarding shows it."""

    id: Id
    label: Text
    icon: str = Field(min_length=1)


class HabitKind(_Model):
    """A kind of habit (balance, strength, ...) and the activity a done habit is logged as."""

    id: Id
    activity: str  # an activity id
    # The kind whose activity a habit of an undeclared kind is logged as; exactly one has it.
    default: bool = False


class Source(_Model):
    id: Id
    title: str
    reference: str


class TextItem(_Model):
    id: Id
    text: Text


REQUIRED_TEXT_IDS: tuple[str, ...] = (
    "disclaimer",
    "see_clinician",
    "red_flags_general",
    "red_flag_screen",
    "stop_rule_default",
    "pain_rule",
    "welcome",
    "red_flag_prompt",
    "red_flag_same_day",
    "red_flag_emergency",
    "protect_mode",
)


@dataclass(frozen=True)
class ContentPack:
    """The whole validated pack, keyed by id within each type (YAML order is kept)."""

    equipment: dict[str, Equipment] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    conditions: dict[str, Condition] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    nudges: dict[str, Nudge] = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    pain_models: dict[str, PainModel] = field(default_factory=dict)
    anchors: dict[str, Anchor] = field(default_factory=dict)
    places: dict[str, PlaceItem] = field(default_factory=dict)
    habit_kinds: dict[str, HabitKind] = field(default_factory=dict)
    # Facts derived from the pack by the coaching code (indexes, verdicts), computed once per
    # pack: the pack never changes, so they never go stale, and they go with the pack.
    _memos: dict[str, dict[Any, Any]] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, name: str) -> dict[Any, Any]:
        """A cache owned by this pack, one per `name`."""
        return self._memos.setdefault(name, {})

    def text(self, text_id: str, lang: str = "en") -> str:
        """A fixed text (disclaimer, pain rule, ...) in `lang`, falling back to English."""
        return localize(self.texts[text_id], lang)

    def anchor(self, anchor_id: str) -> Anchor:
        """The anchor's label and emoji. An undeclared id (possible only in a hand-built pack)
        reads as its words with a generic emoji, so a message can always be shown."""
        found = self.anchors.get(anchor_id)
        if found is not None:
            return found
        label = anchor_id.replace("_", " ").capitalize()
        return Anchor.model_construct(id=anchor_id, label={"en": label},
                                      emoji=FALLBACK_ANCHOR_EMOJI)

    def place_icon(self, place: str) -> str:
        """The place's icon, or "" for a place the pack does not declare."""
        found = self.places.get(place)
        return found.icon if found is not None else ""

    def habit_activity(self, kind: str) -> str:
        """The activity a done habit of `kind` is logged as; the default kind's for a kind the
        pack does not declare. KeyError when the pack declares no kinds at all."""
        found = self.habit_kinds.get(kind)
        if found is None:
            found = next((k for k in self.habit_kinds.values() if k.default), None)
        if found is None:
            raise KeyError(f"no habit kind '{kind}' and no default kind in the pack")
        return found.activity

    def session_load_tags(self, session: Session) -> set[str]:
        """Every load tag a session carries: its activity's, its own and its exercises'."""
        tags = set(session.load_tags)
        activity = self.activities.get(session.activity)
        if activity is not None:
            tags.update(activity.load_tags)
        for exercise_id in session.exercise_ids:
            exercise = self.exercises.get(exercise_id)
            if exercise is not None:
                tags.update(exercise.load_tags)
        return tags

    def session_equipment(self, session: Session) -> set[str]:
        """Every piece of equipment a session needs (activity's, session's, exercises'),
        without `nothing`, which everyone has."""
        needed = set(session.equipment)
        activity = self.activities.get(session.activity)
        if activity is not None:
            needed.update(activity.equipment)
        for exercise_id in session.exercise_ids:
            exercise = self.exercises.get(exercise_id)
            if exercise is not None:
                needed.update(exercise.equipment)
        needed.discard("nothing")
        return needed

    def counts(self) -> dict[str, int]:
        return {
            "equipment": len(self.equipment),
            "activities": len(self.activities),
            "conditions": len(self.conditions),
            "exercises": len(self.exercises),
            "sessions": len(self.sessions),
            "nudges": len(self.nudges),
            "texts": len(self.texts),
            "sources": len(self.sources),
            "pain models": len(self.pain_models),
        }
