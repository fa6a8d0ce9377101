"""The onboarding conversation as a pure state machine: steps, answers and what comes next.

The Telegram layer renders each step and feeds answers in (a button value or typed text); this
module validates them, updates the draft and says which step follows. It keeps no state itself:
the draft is a plain dict stored in the conversation_states table between updates.

The injury questions are safety questions, so typed answers are read cautiously:
- an unclear answer is asked again, never guessed (only a clear "no" means "not injured");
- a condition typed in words is always confirmed ("Ankle sprain, right?"), and words that fit
  several conditions ("achilles", "knee") ask where exactly it hurts;
- warning signs written in an answer ("it's swollen") are remembered and counted like a "yes" on
  the warning-sign screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.coach.advice import urgency_text
from bot.coach.pain_check import sign_urgency
from bot.coach.phases import FALLBACK_CONDITION, phase_for, red_flag_urgency, stop_rule
from bot.coach.profile import (
    MINUTE_CHOICES,
    RED_FLAG_CONDITION,
    RED_FLAG_SCREEN,
    RED_FLAG_TEXT,
    RED_FLAG_TEXT_EMERGENCY,
    TEXT_FLAGS,
    RunnerProfile,
)
from bot.coach.statuses import InjuryStatus, Phase
from bot.coach.time_input import format_time, parse_local_time
from bot.coach.timezones import resolve_zone, zone_from_location
from bot.content import ContentPack
from bot.content.models import URGENCY_ORDER, Urgency

Step = Literal["disclaimer", "injury_status", "condition", "condition_confirm", "condition_where",
               "onset", "pain", "daily_life", "clinician", "red_flags", "equipment", "minutes",
               "days", "nudge_time", "timezone", "summary", "quiet_hours"]

INJURY_STEPS: tuple[Step, ...] = (
    "injury_status", "condition", "condition_confirm", "condition_where", "onset", "pain",
    "daily_life", "clinician", "red_flags",
)
ONBOARDING_STEPS: tuple[Step, ...] = (
    "disclaimer", *INJURY_STEPS, "equipment", "minutes", "days", "nudge_time", "timezone",
    "summary",
)
SECTIONS: dict[str, tuple[Step, ...]] = {
    "injury": INJURY_STEPS,
    "equipment": ("equipment",),
    "time": ("minutes", "days"),
    "nudges": ("nudge_time", "timezone"),
    # Only in /settings: onboarding keeps the sensible default to stay short.
    "quiet": ("quiet_hours",),
}
QUIET_CHOICES = ("21:30-07:00", "22:00-06:30", "23:00-07:30", "20:00-08:00")
INJURY_CHOICES: dict[str, str] = {
    "none": "Not injured, I want to add cross-training",
    "injured": "Injured right now",
    "returning": "Coming back from an injury",
}
# Button value -> (label, days before today). Each range counts from its most recent end: a
# more recent onset is the more cautious reading (bone and tendon injuries stay longer in the
# first phase).
ONSET_CHOICES: dict[str, tuple[str, int]] = {
    "week": ("This week", 0),
    "1-3w": ("1–3 weeks ago", 7),
    "3-6w": ("3–6 weeks ago", 21),
    "longer": ("Longer ago", 60),
}
CLINICIAN_CHOICES: dict[str, str] = {
    "no": "No, not yet",
    "yes": "Yes",
    "cleared": "Yes, and they cleared me to train",
}
NOT_SURE = "unsure"  # the "Not sure" button where the bot asks where exactly it hurts
NUDGE_TIME_CHOICES = ("07:00", "08:00", "12:00", "18:00", "20:00")
MAX_ANSWER_CHARS = 200

_YES = {"yes", "y", "yep", "yeah", "yes please", "sure", "ok", "okay", "i understand",
        "understood", "agree", "i agree", "confirm", "correct", "right", "👍", "yes it does",
        "it does", "yes it is", "that's right", "thats right", "exactly", "yup"}
_NO = {"no", "n", "nope", "not yet", "none", "nah", "no thanks", "none of these", "never",
       "no it doesn't", "no it doesnt", "it doesn't", "it doesnt", "no none", "no, not yet"}
_NO_NUDGES = {"no", "none", "no nudges", "off", "never", "no thanks", "stop", "don't"}
# Only clear answers count at the injury question: "not really", "maybe" or a story about a
# marathon are asked again, because "not injured" turns every injury rule off.
_STATUS_WORDS: dict[str, InjuryStatus] = {
    **dict.fromkeys(("no", "n", "nope", "nah", "none", "not injured", "healthy", "no injury",
                     "no injuries", "uninjured", "injury free", "injury-free", "i'm not injured",
                     "im not injured", "i am not injured", "not injured at the moment",
                     "i'm healthy", "im healthy", "i am healthy"), "none"),
    **dict.fromkeys(("yes", "y", "yep", "yeah", "injured", "i'm injured", "im injured",
                     "i am injured", "injured right now", "yes injured", "hurt", "i'm hurt",
                     "im hurt", "i am hurt"), "injured"),
    **dict.fromkeys(("coming back", "returning", "recovering", "recovered", "coming back from "
                     "an injury", "coming back from injury", "back from injury",
                     "returning from injury", "returning from an injury"), "returning"),
}


@dataclass
class Draft:
    """Answers gathered so far. Stored as JSON between updates."""

    injury_status: InjuryStatus | None = None
    condition_id: str | None = None
    # Conditions a typed answer fitted, waiting for the runner: one is confirmed ("Ankle sprain,
    # right?"), several are told apart by where it hurts.
    candidates: list[str] = field(default_factory=list)
    condition_misses: int = 0  # typed answers at the condition question that fitted nothing
    started_on: str | None = None  # ISO date it started or was diagnosed; None: not known
    pain: int | None = None
    hurts_daily: bool | None = None  # hurts when walking or going about the day
    clinician_seen: bool | None = None
    clinician_cleared: bool = False
    red_flags: bool | None = None  # "yes" on the warning-sign screen
    text_red_flag: bool = False  # a warning sign written in a typed answer
    # How soon the most urgent sign written needs a clinician ("numb between my legs" is now).
    text_urgency: Urgency | None = None
    # One written when the injury was last described; kept until the injury questions are
    # answered again.
    earlier_text_flag: bool = False
    earlier_text_emergency: bool = False
    equipment: list[str] = field(default_factory=list)
    minutes: int | None = None
    days: int | None = None
    nudge_time: str | None = None  # "HH:MM", or None with nudges_off
    nudges_off: bool = False
    timezone: str | None = None
    timezone_label: str | None = None
    quiet: str | None = None  # "HH:MM-HH:MM", "off", or None for the default
    # Not asked here, but kept so that editing a section never wipes it.
    run_pace_sec_per_km: int | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def from_profile(cls, profile: RunnerProfile, nudge_time: time | None,
                     timezone: str | None, quiet: tuple[time, time] | None = None) -> Draft:
        flags = set(profile.red_flags)
        return cls(
            injury_status=profile.injury_status, condition_id=profile.condition_id,
            started_on=(profile.injury_started_on.isoformat()
                        if profile.injury_started_on else None),
            pain=profile.pain_today, hurts_daily=profile.hurts_daily_life,
            clinician_seen=profile.clinician_seen, clinician_cleared=profile.clinician_cleared,
            # Any code other than "text" came from the screen (older profiles stored "screen").
            red_flags=bool(flags - set(TEXT_FLAGS.values())),
            earlier_text_flag=bool(flags & set(TEXT_FLAGS.values())),
            earlier_text_emergency=RED_FLAG_TEXT_EMERGENCY in flags,
            equipment=sorted(profile.equipment),
            minutes=profile.minutes_per_session, days=profile.days_per_week,
            nudge_time=format_time(nudge_time) if nudge_time else None,
            nudges_off=nudge_time is None, timezone=timezone, timezone_label=timezone,
            quiet=None if quiet is None else format_quiet(*quiet),
            run_pace_sec_per_km=profile.run_pace_sec_per_km,
        )

    @property
    def injured(self) -> bool:
        return self.injury_status in ("injured", "returning")

    @property
    def started(self) -> date | None:
        return date.fromisoformat(self.started_on) if self.started_on else None

    @property
    def flag_codes(self) -> tuple[str, ...]:
        """Where warning signs were reported. A "yes" on the screen counts for both lists shown
        with it (the general screen and the condition's own signs): we can't tell which, so the
        more urgent reading applies."""
        if not self.injured:
            return ()
        codes: tuple[str, ...] = (RED_FLAG_SCREEN, RED_FLAG_CONDITION) if self.red_flags else ()
        if self.earlier_text_emergency or (self.text_red_flag
                                            and self.text_urgency == "emergency"):
            return (*codes, RED_FLAG_TEXT_EMERGENCY)
        if self.text_red_flag:
            return (*codes, TEXT_FLAGS[self.text_urgency or "same_day"])
        return codes + ((RED_FLAG_TEXT,) if self.earlier_text_flag else ())

    def urgency(self, pack: ContentPack) -> Urgency | None:
        """The most urgent warning sign reported: on the screens, or written in an answer."""
        found = red_flag_urgency(pack, self.condition_id, self.flag_codes)
        return _worse(found, self.text_urgency if self.injured and self.text_red_flag else None)

    def phase(self, pack: ContentPack, today: date) -> Phase | None:
        if not self.injured:
            return None
        return phase_for(
            pack, self.injury_status or "none", self.condition_id, pain=self.pain,
            started_on=self.started, hurts_daily_life=self.hurts_daily,
            clinician_seen=self.clinician_seen, clinician_cleared=self.clinician_cleared,
            today=today,
        )

    def to_profile(self, user_id: int, timezone: str, today: date, pack: ContentPack
                   ) -> RunnerProfile:
        status: InjuryStatus = self.injury_status or "none"
        injured = self.injured
        return RunnerProfile(
            user_id=user_id,
            injury_status=status,
            condition_id=self.condition_id if injured else None,
            phase=self.phase(pack, today),
            pain_today=self.pain if injured else None,
            clinician_seen=self.clinician_seen if injured else None,
            red_flags=self.flag_codes,
            equipment=frozenset(self.equipment),
            minutes_per_session=self.minutes,
            days_per_week=self.days,
            timezone=timezone,
            run_pace_sec_per_km=self.run_pace_sec_per_km,
            injury_started_on=self.started if injured else None,
            hurts_daily_life=self.hurts_daily if injured else None,
            clinician_cleared=self.clinician_cleared if injured else False,
        )

    def clear_injury(self) -> None:
        self.condition_id = None
        self.candidates = []
        self.condition_misses = 0
        self.started_on = None
        self.pain = None
        self.hurts_daily = None
        self.clinician_seen = None
        self.clinician_cleared = False
        self.red_flags = None
        self.text_red_flag = False
        self.text_urgency = None
        self.earlier_text_flag = False
        self.earlier_text_emergency = False

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """(start, end) chosen by the user; start == end means no quiet hours at all."""
        if self.quiet is None:
            return None
        if self.quiet == "off":
            return time(0, 0), time(0, 0)
        return parse_quiet(self.quiet)

    @property
    def local_nudge_time(self) -> time | None:
        return None if self.nudges_off or not self.nudge_time else parse_local_time(self.nudge_time)


def _worse(first: Urgency | None, second: Urgency | None) -> Urgency | None:
    if first is None or second is None:
        return first or second
    return first if URGENCY_ORDER[first] >= URGENCY_ORDER[second] else second


@dataclass(frozen=True)
class Outcome:
    """The result of one answer. `error` means: re-ask the same step with this hint."""

    accepted: bool
    error: str | None = None
    stay: bool = False  # accepted, but the step continues (equipment toggles)
    notice: str | None = None  # something to tell the user before the next step
    echo: str | None = None  # how to show the accepted answer under the old question
    goto: Step | None = None  # the step to ask next, when it isn't simply the following one


def applies(step: Step, draft: Draft) -> bool:
    """Whether a step is asked at all, given earlier answers."""
    if step == "condition_confirm":
        return draft.injured and len(draft.candidates) == 1
    if step == "condition_where":
        return draft.injured and len(draft.candidates) > 1
    if step in INJURY_STEPS and step != "injury_status":
        return draft.injured
    if step == "timezone":
        return not draft.nudges_off
    return True


def next_step(current: Step, draft: Draft, steps: tuple[Step, ...] = ONBOARDING_STEPS
              ) -> Step | None:
    index = steps.index(current) if current in steps else -1
    for step in steps[index + 1:]:
        if applies(step, draft):
            return step
    return None


def previous_step(current: Step, draft: Draft, steps: tuple[Step, ...] = ONBOARDING_STEPS
                  ) -> Step | None:
    index = steps.index(current) if current in steps else 0
    for step in reversed(steps[:index]):
        if applies(step, draft) and step != "disclaimer":
            return step
    return None


def _clean(text: str) -> str:
    text = text.translate(_APOSTROPHES)
    return re.sub(r"\s+", " ", text.strip().lower()).strip(" .!,")


def _yes_no(text: str) -> bool | None:
    cleaned = _clean(text)
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    return None


def answer(step: Step, value: str, draft: Draft, pack: ContentPack, *, typed: bool,
           today: date) -> Outcome:
    """Apply a button value (typed=False) or typed text (typed=True) to the draft.

    `today` is the runner's local date (onset answers such as "5 days ago" count from it). A
    rejected answer may still have changed the draft on purpose (a warning sign it mentioned, a
    count of failed tries), so the caller keeps the draft either way."""
    if typed and len(value) > MAX_ANSWER_CHARS:
        return Outcome(False, "That's a lot of text for this question. A short answer is enough.")
    if typed and step in INJURY_STEPS:
        sign = sign_urgency(value.translate(_APOSTROPHES))
        if sign is not None:
            draft.text_red_flag = True
            draft.text_urgency = _worse(draft.text_urgency, sign)
    handler = _HANDLERS[step]
    return handler(value, draft, pack, typed, today)


def _disclaimer(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                ) -> Outcome:
    if (not typed and value == "ok") or (typed and _yes_no(value)):
        return Outcome(True, echo="I understand")
    return Outcome(False, "Please tap “I understand” (or type “ok”) to go on.")


def _injury_status(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                   ) -> Outcome:
    choice: InjuryStatus | None = value if value in INJURY_CHOICES else None  # type: ignore[assignment]
    if typed:
        cleaned = _clean(value)
        choice = _STATUS_WORDS.get(cleaned)
        if choice is None:
            # Typos in a whole answer ("not injred"), never a part of one: fuzz.ratio compares
            # the whole text, so "not really" stays far from "not injured".
            known = {**_STATUS_WORDS, **{label.lower(): key
                                         for key, label in INJURY_CHOICES.items()}}
            scored = [(fuzz.ratio(cleaned, phrase), status) for phrase, status in known.items()
                      if len(phrase) >= 6]
            best = max(scored, default=(0.0, None))
            hits = {status for score, status in scored if score >= 88}
            choice = best[1] if best[0] >= 88 and len(hits) == 1 else None  # type: ignore[assignment]
    if choice is None:
        return Outcome(False, "Please pick one of the three options. If something hurts but "
                              "you're not sure it's an injury, pick “Injured right now”: I'll "
                              "ask a few questions to be safe.")
    if choice == "none":
        draft.clear_injury()
    draft.injury_status = choice
    # The injury is being described afresh: a warning sign written in an earlier pass gives way
    # to this pass's answers (the screen is asked again too).
    draft.earlier_text_flag = False
    draft.earlier_text_emergency = False
    draft.candidates = []
    draft.condition_misses = 0
    return Outcome(True, echo=INJURY_CHOICES[choice])


# --- Which condition a typed answer names -------------------------------------------------------
#
# Matching is on whole words. A condition's names and aliases are phrases; a phrase matches when
# its telling words appear in the answer in order, with at most a couple of filler or pain words
# between them ("twisted my ankle" is "twisted ankle"). A phrase with two telling words
# ("jumper's knee", "shin splints") is specific and wins over one with a single word. A single
# word names a body area ("knee", "achilles", "shin"), so it stands for every condition whose name
# or site has that word, and the runner says where exactly. A typo is forgiven within one word of
# five letters or more, by edit distance (one edit, two from eight letters), never by partial or
# substring matching, so "it" can never become "IT band" and "itb" never "itbs syndrome".

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_IRREGULAR = {"calves": "calf", "feet": "foot", "knees": "knee", "heels": "heel",
              "thighs": "thigh"}
# Words skipped inside a phrase: they never tell conditions apart.
_FILLER = frozenset({"my", "the", "a", "an", "left", "right", "both", "of", "on", "in", "at",
                     "around", "near", "just", "her", "his", "their", "your", "one", "little",
                     "bit", "slightly", "badly", "very", "really", "quite", "kind", "sort"})
_PAIN_WORDS = frozenset({"pain", "painful", "pains", "sore", "soreness", "ache", "aches", "aching",
                         "achy", "hurt", "hurts", "hurting", "injury", "injured", "problem",
                         "problems", "issue", "issues", "niggle", "niggles", "tight",
                         "tightness", "stiff", "stiffness", "tender", "discomfort"})
_MAX_GAP = 2  # filler or pain words allowed between two words of one phrase
# Body areas a runner may name on their own ("my calf"): each stands for every condition whose
# name or site mentions it. Other single words must be a condition's own name or alias.
_BODY_AREAS = frozenset({"foot", "heel", "arch", "toe", "ankle", "achille", "shin", "calf",
                         "knee", "kneecap", "thigh", "hamstring", "groin", "hip", "glute",
                         "buttock", "back"})


def _stem(word: str) -> str:
    word = word.replace("'", "")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_SKIPPABLE = frozenset(_stem(w) for w in _FILLER | _PAIN_WORDS)


@dataclass(frozen=True)
class _Token:
    raw: str  # lower case, apostrophes removed
    stem: str


def _tokens(text: str) -> list[_Token]:
    words = _TOKEN_RE.findall(text.lower().translate(_APOSTROPHES))
    return [_Token(w.replace("'", ""), _stem(w)) for w in words]


def _same_word(typed: _Token, known: _Token) -> bool:
    if typed.stem == known.stem:
        return True
    # A typo: same first letter, one edit (two from eight letters) in a word of 5+ letters.
    if len(known.raw) < 5 or len(typed.raw) < 4 or typed.raw[0] != known.raw[0]:
        return False
    limit = 2 if len(known.raw) >= 8 else 1
    return OSA.distance(typed.raw, known.raw, score_cutoff=limit) <= limit


def _telling(tokens: list[_Token]) -> list[_Token]:
    return [t for t in tokens if t.stem not in _SKIPPABLE]


def _phrase_found(phrase: list[_Token], text: list[_Token]) -> bool:
    """Whether the phrase's words occur in the text in order, with short gaps of skippable words."""
    return any(_same_word(token, phrase[0]) and _rest_found(phrase[1:], text, start)
               for start, token in enumerate(text))


def _rest_found(rest: list[_Token], text: list[_Token], position: int) -> bool:
    for word in rest:
        for index in range(position + 1, min(len(text), position + 2 + _MAX_GAP)):
            if _same_word(text[index], word):
                position = index
                break
            if text[index].stem not in _SKIPPABLE:
                return False
        else:
            return False
    return True


def _phrases(pack: ContentPack, condition_id: str) -> list[list[_Token]]:
    condition = pack.conditions[condition_id]
    name = condition.name["en"]
    texts = [name, re.sub(r"\(.*?\)", "", name), *re.findall(r"\((.*?)\)", name),
             condition_id.replace("_", " "), *condition.aliases]
    phrases = []
    for text in texts:
        telling = _telling(_tokens(text))
        if telling and telling not in phrases:
            phrases.append(telling)
    return phrases


def _area_words(pack: ContentPack, condition_id: str) -> list[_Token]:
    """The words of a condition's name and site: a typed body area ("knee") points at them."""
    condition = pack.conditions[condition_id]
    # Not the `where` text: it describes neighbours too ("the fleshy back of the lower leg").
    return _tokens(f"{condition.name['en']} {condition.body_site}")


@dataclass(frozen=True)
class ConditionMatch:
    """What a typed answer names: nothing, one condition (to confirm), or several (to tell apart
    by where it hurts)."""

    ids: tuple[str, ...] = ()

    @property
    def single(self) -> str | None:
        return self.ids[0] if len(self.ids) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1


def match_condition(text: str, pack: ContentPack) -> ConditionMatch:
    """The condition(s) a typed answer names, on whole words only (see the notes above)."""
    tokens = _tokens(text)
    if not tokens:
        return ConditionMatch()
    scores: dict[str, int] = {}
    area_words = [t for t in tokens if t.stem in _BODY_AREAS]
    for condition_id in pack.conditions:
        for phrase in _phrases(pack, condition_id):
            if _phrase_found(phrase, tokens):
                scores[condition_id] = max(scores.get(condition_id, 0), len(phrase))
                if len(phrase) == 1 and condition_id != FALLBACK_CONDITION:
                    area_words.append(phrase[0])
    # "Not sure" only when nothing else fits: "not sure, my knee" is about the knee.
    if len(scores) > 1 or area_words:
        scores.pop(FALLBACK_CONDITION, None)
    top = max(scores.values(), default=0)
    found = {cid for cid, score in scores.items() if score == top}
    if top <= 1:
        # A body area on its own: every condition there is a candidate.
        for condition_id in pack.conditions:
            if condition_id == FALLBACK_CONDITION:
                continue
            area = _area_words(pack, condition_id)
            if any(_same_word(word, known) for word in area_words for known in area):
                found.add(condition_id)
    return ConditionMatch(tuple(cid for cid in pack.conditions if cid in found))


def condition_choices(pack: ContentPack) -> list[tuple[str, str]]:
    """(id, label) for the condition keyboard, with "Not sure" last."""
    items = [(c.id, c.name["en"]) for c in pack.conditions.values()
             if c.id != FALLBACK_CONDITION]
    if FALLBACK_CONDITION in pack.conditions:
        items.append((FALLBACK_CONDITION, "Not sure"))
    return items


def condition_name(pack: ContentPack, condition_id: str | None) -> str:
    if condition_id == FALLBACK_CONDITION or condition_id not in pack.conditions:
        return "Not sure what it is"
    return pack.conditions[condition_id].name["en"]


def where_choices(draft: Draft, pack: ContentPack) -> list[tuple[str, str]]:
    """(id, label) for "where exactly?": each candidate's `where`, or its name without one. A
    candidate that is itself a "not sure" variant (knee pain, not sure which) is what the "Not
    sure" button picks, so it gets no button of its own."""
    return [(cid, (pack.conditions[cid].where or pack.conditions[cid].name)["en"])
            for cid in draft.candidates
            if cid in pack.conditions and not cid.endswith("_unsure")]


def _unsure_pick(draft: Draft, pack: ContentPack) -> str:
    """What "Not sure" means at "where exactly?": the area's own not-sure condition if the pack
    has one among the candidates, else the general one."""
    for cid in draft.candidates:
        if cid.endswith("_unsure") and cid in pack.conditions:
            return cid
    return FALLBACK_CONDITION


def _confirmed(draft: Draft, pack: ContentPack, condition_id: str, echo: str) -> Outcome:
    """The runner has confirmed or chosen the condition. A warning sign they wrote earlier is
    named now, plainly, with how soon to get it seen."""
    draft.condition_id = condition_id
    draft.candidates = []
    draft.condition_misses = 0
    notice = None
    if draft.text_red_flag:
        urgency = _worse(red_flag_urgency(pack, condition_id, (RED_FLAG_TEXT,)),
                         draft.text_urgency) or "same_day"
        notice = ("⚠️ What you described can be a warning sign.\n\n"
                  f"{urgency_text(pack, urgency)}\n\n"
                  "I'll ask a few more questions so I can set you up safely.")
    return Outcome(True, notice=notice, echo=echo)


def _condition(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
               ) -> Outcome:
    if not typed:
        # A tap on the list is the runner's own choice: no confirmation needed.
        if value not in pack.conditions:
            return Outcome(False, "That option is no longer available.")
        return _confirmed(draft, pack, value, dict(condition_choices(pack))[value])
    found = match_condition(value, pack)
    if not found.ids and _clean(value) in _DONT_KNOW and FALLBACK_CONDITION in pack.conditions:
        found = ConditionMatch((FALLBACK_CONDITION,))
    if not found.ids:
        draft.candidates = []
        draft.condition_misses += 1
        if draft.condition_misses >= 2:
            return Outcome(False, "I still can't match that to an injury I know. If nothing in "
                                  "the list fits, tap “Not sure”: I'll keep to careful general "
                                  "rules that suit any injury.")
        return Outcome(False, "I couldn't match that to an injury I know. Pick the closest from "
                              "the list, or put it another way (e.g. “shin splints”, “sore "
                              "knee”).")
    draft.candidates = list(found.ids)
    draft.condition_misses = 0
    # What follows is "<condition>, right?" for one match and "where exactly?" for several.
    return Outcome(True)


def _condition_confirm(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                       ) -> Outcome:
    if len(draft.candidates) != 1:
        return Outcome(False, "Please pick it from the list.", goto="condition")
    name = condition_name(pack, draft.candidates[0])
    verdict = {"yes": True, "list": False}.get(value) if not typed else _yes_no(value)
    if typed and verdict is None:
        if _clean(value) in {"pick from the list", "list", "wrong", "no it isn't", "no it isnt",
                             "not that", "something else"} | _DONT_KNOW:
            verdict = False
        else:
            # Another description instead of yes or no ("no, my calf"): read it afresh.
            outcome = _condition(value, draft, pack, typed, today)
            if outcome.accepted:
                return Outcome(True, goto="condition_confirm" if len(draft.candidates) == 1
                               else "condition_where")
            return Outcome(False, f"Is it {name}? Tap Yes, or “Pick from the list”.")
    if verdict is None:
        return Outcome(False, f"Is it {name}? Tap Yes, or “Pick from the list”.")
    if verdict:
        return _confirmed(draft, pack, draft.candidates[0], "Yes")
    draft.candidates = []
    return Outcome(True, echo="Pick from the list", goto="condition")


_DONT_KNOW = {"not sure", "unsure", "don't know", "dont know", "i don't know", "i dont know",
              "no idea", "dunno", "idk", "i'm not sure", "im not sure", "no clue"}


def _condition_where(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                     ) -> Outcome:
    choices = dict(where_choices(draft, pack))
    if not choices:
        return Outcome(False, "Please pick it from the list.", goto="condition")
    if not typed:
        if value == NOT_SURE:
            return _confirmed(draft, pack, _unsure_pick(draft, pack), "Not sure")
        if value == "list":
            draft.candidates = []
            return Outcome(True, echo="Something else", goto="condition")
        if value not in choices:
            return Outcome(False, "That option is no longer available.")
        return _confirmed(draft, pack, value, choices[value])
    if _clean(value) in _DONT_KNOW:
        return _confirmed(draft, pack, _unsure_pick(draft, pack), "Not sure")
    if _clean(value) in {"something else", "none of these", "none", "list", "show the list"}:
        draft.candidates = []
        return Outcome(True, goto="condition")
    hits = [cid for cid in match_condition(value, pack).ids if cid in choices]
    if len(hits) != 1:
        hits = _best_where(value, choices)
    if len(hits) == 1:
        # Typed, so confirmed like any typed answer.
        draft.candidates = hits
        return Outcome(True, goto="condition_confirm")
    return Outcome(False, "Please tap the place that fits best, or “Not sure”.")


def _best_where(text: str, choices: dict[str, str]) -> list[str]:
    """The one choice whose description shares the most words with the answer, if one does."""
    typed = {t.stem for t in _telling(_tokens(text))}
    overlap = {cid: len(typed & {t.stem for t in _telling(_tokens(label))})
               for cid, label in choices.items()}
    best = max(overlap.values(), default=0)
    winners = [cid for cid, count in overlap.items() if count == best]
    return winners if best > 0 and len(winners) == 1 else []


def _onset(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date) -> Outcome:
    if not typed:
        if value not in ONSET_CHOICES:
            return Outcome(False, "That option is no longer available.")
        label, days_ago = ONSET_CHOICES[value]
        draft.started_on = (today - timedelta(days=days_ago)).isoformat()
        return Outcome(True, echo=label)
    if _clean(value) in _DONT_KNOW:
        # phases.phase_for reads an unknown onset as recent: the cautious reading.
        draft.started_on = None
        return Outcome(True, notice="No problem: I'll treat it as recent, to be safe.")
    started = parse_onset(value, today)
    if started is None:
        return Outcome(False, "I couldn't read that. Tap a button, or write it like “5 days "
                              "ago”, “2 weeks”, “yesterday” or “20 Nov”.")
    if started > today:
        return Outcome(False, "That date is still to come. When did it start?")
    draft.started_on = started.isoformat()
    return Outcome(True, notice=f"Got it: since {format_day(started, today)}.")


def _pain(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date) -> Outcome:
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:/\s*10)?\s*", value)
    pain = int(match[1]) if match else None
    if pain is None or not 0 <= pain <= 10:
        return Outcome(False, "Please give a number from 0 (no pain) to 10 (worst imaginable).")
    draft.pain = pain
    return Outcome(True, echo=f"{pain}/10")


# Any pain in daily life counts: "a bit" is a yes.
_DAILY_YES = {"a bit", "a little", "a little bit", "sometimes", "slightly", "yes a bit",
              "yes a little", "it does a bit", "when walking", "when i walk", "a bit yes"}
_DAILY_NO = {"only when running", "only when i run", "only running", "just when running",
             "just when i run", "only when i'm running", "only when im running", "not walking"}


def _daily_life(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                ) -> Outcome:
    hurts = {"yes": True, "no": False}.get(value) if not typed else _yes_no(value)
    if typed and hurts is None:
        cleaned = _clean(value)
        hurts = True if cleaned in _DAILY_YES else False if cleaned in _DAILY_NO else None
    if hurts is None:
        return Outcome(False, "Please answer yes or no: does it hurt when you walk or go about "
                              "your day?")
    draft.hurts_daily = hurts
    return Outcome(True, echo="Yes" if hurts else "No")


_CLEARED = {"cleared", "they cleared me", "yes cleared", "yes and cleared", "cleared to train",
            "yes they cleared me", "yes and they cleared me", "yes and they cleared me to train",
            "yes, and they cleared me to train", "cleared me to train", "yes, cleared",
            "yes, they cleared me"}


def _clinician(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
               ) -> Outcome:
    choice = value if not typed and value in CLINICIAN_CHOICES else None
    if typed:
        cleaned = _clean(value)
        seen = _yes_no(value)
        choice = ("cleared" if cleaned in _CLEARED else
                  None if seen is None else "yes" if seen else "no")
    if choice is None:
        return Outcome(False, "Please tap one of the answers: not yet, yes, or yes and they "
                              "cleared you to train.")
    draft.clinician_seen = choice != "no"
    draft.clinician_cleared = choice == "cleared"
    return Outcome(True, echo=CLINICIAN_CHOICES[choice])


def _red_flags(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
               ) -> Outcome:
    flagged = _yes_no(value) if typed else {"yes": True, "no": False}.get(value)
    if flagged is None:
        return Outcome(False, "Please answer yes or no: do any of these apply?")
    draft.red_flags = flagged
    return Outcome(True, notice=red_flag_notice(draft, pack, answered_yes=flagged),
                   echo="Yes, one or more" if flagged else "None of these")


def red_flag_notice(draft: Draft, pack: ContentPack, *, answered_yes: bool) -> str | None:
    """What the runner is told right after the warning-sign screen. A "yes" (or a sign written
    earlier) gets how soon to be seen, from the most urgent sign; a "no" without a clinician's
    look gets the plain advice to have it checked."""
    urgency = draft.urgency(pack)
    if urgency is not None:
        lead = ("Thank you for telling me. That is a warning sign." if answered_yes else
                "You ticked none of these, but what you wrote earlier can be a warning sign.")
        return f"⚠️ {lead}\n\n{urgency_text(pack, urgency)}\n\n{_after_sign(draft)}"
    if not draft.clinician_seen:
        return pack.text("see_clinician")
    return None


# What the bot holds back while a warning sign is unresolved. The coaching engine
# (bot/coach/suggest.py) applies the restriction; this only tells the runner. The urgency texts
# in the pack already say what is on offer meanwhile.
_EMERGENCY_HOLD = ("I won't suggest any exercise until you have been seen. When you have, tell me "
                   "what they said with /injury.")


def _after_sign(draft: Draft) -> str:
    if draft.clinician_cleared:
        # The profile's clearance lifts the protect mode (RunnerProfile.unresolved_red_flags).
        return ("A clinician has cleared you to train, so I'll go by that. If any of these "
                "signs is new since they saw you, have it checked again before you train.")
    return "When a clinician has seen it, tell me what they said with /injury."


# --- When it started ------------------------------------------------------------------------------

_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_WEEKDAYS = {name: number for number, names in enumerate(
    (("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
     ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
     ("sun", "sunday"))) for name in names}
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "a couple of": 2, "couple of": 2, "a couple": 2, "a few": 3, "few": 3,
           "several": 3}
_UNIT_DAYS = {"day": 1, "d": 1, "week": 7, "wk": 7, "w": 7, "month": 30, "mo": 30, "year": 365,
              "yr": 365}
_COUNT_RE = "|".join(sorted((re.escape(k) for k in _COUNTS), key=len, reverse=True))
_AGO_RE = re.compile(
    rf"\b(\d{{1,3}}|{_COUNT_RE})\s*(day|d|week|wk|w|month|mo|year|yr)s?\b(?:\s+ago)?")
_ISO_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?"
                           r"(?:,?\s+(\d{4}))?\b")
_MONTH_DAY_RE = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_RELATIVE: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\b(?:the\s+)?day\s+before\s+yesterday\b"), 2),
    (re.compile(r"\b(?:yesterday|last\s+night)\b"), 1),
    (re.compile(r"\b(?:today|this\s+morning|this\s+afternoon|tonight|just\s+now|this\s+week)\b"),
     0),
    (re.compile(r"\blast\s+week(?:end)?\b"), 7),
    (re.compile(r"\b(?:1|one)\s*(?:-|–|—|to)\s*(?:3|three)\s+weeks?\b"), 7),
    (re.compile(r"\b(?:3|three)\s*(?:-|–|—|to)\s*(?:6|six)\s+weeks?\b"), 21),
    (re.compile(r"\blast\s+month\b"), 30),
    (re.compile(r"\b(?:longer(?:\s+ago)?|ages(?:\s+ago)?|a\s+long\s+time(?:\s+ago)?"
                r"|months(?:\s+ago)?)\b"), 60),
    (re.compile(r"\blast\s+year\b"), 365),
)


def _dated(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _without_year(month: int, day: int, today: date) -> date | None:
    """A day and month: this year's, or last year's if this year's is still to come."""
    found = _dated(today.year, month, day)
    if found is not None and found > today:
        found = _dated(today.year - 1, month, day)
    return found


def parse_onset(text: str, today: date) -> date | None:
    """When the injury started, from "5 days ago", "2 weeks", "yesterday", "last Monday",
    "2026-11-20" or "20 Nov". A range counts from its most recent end. When the answer holds
    several times ("2 weeks ago, worse since yesterday") the first one is the start. May return
    a date after `today` (the caller says so); None when nothing reads as a time."""
    cleaned = _clean(text)
    found: list[tuple[int, date | None]] = []
    for pattern, days_ago in _RELATIVE:
        if (match := pattern.search(cleaned)) is not None:
            found.append((match.start(), today - timedelta(days=days_ago)))
    if (iso := _ISO_RE.search(cleaned)) is not None:
        found.append((iso.start(), _dated(int(iso[1]), int(iso[2]), int(iso[3]))))
    if (ago := _AGO_RE.search(cleaned)) is not None:
        count = int(ago[1]) if ago[1].isdigit() else _COUNTS[ago[1]]
        found.append((ago.start(), today - timedelta(days=count * _UNIT_DAYS[ago[2]])))
    for pattern, day_group, month_group in ((_DAY_MONTH_RE, 1, 2), (_MONTH_DAY_RE, 2, 1)):
        for match in pattern.finditer(cleaned):
            if match[month_group] in _MONTHS:
                month, day = _MONTHS[match[month_group]], int(match[day_group])
                found.append((match.start(), _dated(int(match[3]), month, day) if match[3]
                              else _without_year(month, day, today)))
                break
    for match in re.finditer(r"[a-z]+", cleaned):
        if match[0] in _WEEKDAYS:
            # The latest such day: "Monday" said on a Monday is today.
            days_ago = (today.weekday() - _WEEKDAYS[match[0]]) % 7
            found.append((match.start(), today - timedelta(days=days_ago)))
            break
    if not found:
        return None
    return min(found, key=lambda item: item[0])[1]


def format_day(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if day.year == today.year:
        return f"{day:%A} {day.day} {day:%B}"
    return f"{day.day} {day:%B %Y}"


def equipment_choices(pack: ContentPack) -> list[tuple[str, str, str]]:
    """(place, id, label) grouped by the first place each item is found, `nothing` last."""
    order = ("home", "gym", "pool", "outdoors", "commute")
    items = [(e.places[0] if e.places else "home", e.id, e.name["en"])
             for e in pack.equipment.values() if e.id != "nothing"]
    items.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return items


def match_equipment(text: str, pack: ContentPack) -> list[str]:
    phrases: dict[str, str] = {}
    for item in pack.equipment.values():
        phrases[item.name["en"].lower()] = item.id
        for alias in item.aliases:
            phrases[alias.lower()] = item.id
    found: list[str] = []
    for part in re.split(r",|\band\b|&|\+|/|\n", text.lower()):
        part = _clean(part)
        if not part:
            continue
        hit = phrases.get(part)
        if hit is None:
            best = process.extractOne(part, list(phrases), scorer=fuzz.WRatio, score_cutoff=86)
            hit = phrases[best[0]] if best else None
        if hit is not None and hit not in found:
            found.append(hit)
    return found


def _equipment(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
               ) -> Outcome:
    if typed:
        if _clean(value) in {"done", "finished", "that's all", "thats all", "that's it"}:
            return Outcome(True, echo=_equipment_echo(draft, pack))
        ids = match_equipment(value, pack)
        if not ids:
            return Outcome(False, "I didn't recognise that equipment. Tap the items you have, "
                                  "then Done.")
        if "nothing" in ids:
            draft.equipment = []
            return Outcome(True, echo="Nothing at all")
        draft.equipment = sorted(set(draft.equipment) | set(ids))
        return Outcome(True, stay=True)
    if value == "done":
        return Outcome(True, echo=_equipment_echo(draft, pack))
    if value == "nothing":
        draft.equipment = []
        return Outcome(True, echo="Nothing at all")
    if value not in pack.equipment:
        return Outcome(False, "That option is no longer available.")
    chosen = set(draft.equipment)
    chosen ^= {value}
    draft.equipment = sorted(chosen)
    return Outcome(True, stay=True)


def _equipment_echo(draft: Draft, pack: ContentPack) -> str:
    if not draft.equipment:
        return "Nothing at all"
    return ", ".join(pack.equipment[i].name["en"] for i in draft.equipment if i in pack.equipment)


def _minutes(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
             ) -> Outcome:
    match = re.fullmatch(r"\s*(\d{1,3})\s*\+?\s*(?:m|min|mins|minutes)?\s*", value)
    minutes = int(match[1]) if match else None
    if minutes is None or not 10 <= minutes <= 180:
        return Outcome(False, "Please give the minutes you have per session, e.g. 30 "
                              "(between 10 and 180).")
    if not typed and minutes not in MINUTE_CHOICES:
        return Outcome(False, "Please pick one of the options.")
    draft.minutes = minutes
    return Outcome(True, echo="60+ min" if minutes == 60 and not typed else f"{minutes} min")


def _days(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
          ) -> Outcome:
    match = re.fullmatch(r"\s*(\d)\s*(?:days?|x)?\s*", value)
    days = int(match[1]) if match else None
    if days is None or not 1 <= days <= 7:
        return Outcome(False, "Please give a number of days from 1 to 7.")
    draft.days = days
    return Outcome(True, echo=f"{days} day{'s' if days > 1 else ''} a week")


def _nudge_time(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                ) -> Outcome:
    if (not typed and value == "off") or (typed and _clean(value) in _NO_NUDGES):
        draft.nudges_off = True
        draft.nudge_time = None
        return Outcome(True, echo="No nudges")
    parsed = parse_local_time(value)
    if parsed is None:
        return Outcome(False, "I couldn't read that time. Try 7:30, 19h or 7pm, or tap a button.")
    draft.nudges_off = False
    draft.nudge_time = format_time(parsed)
    return Outcome(True, echo=draft.nudge_time)


def _timezone(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
              ) -> Outcome:
    if value.startswith("loc:"):
        try:
            lat, lon = (float(part) for part in value[4:].split(","))
        except ValueError:
            return Outcome(False, "I couldn't read that location.")
        zone = zone_from_location(lat, lon)
        if zone is None:
            return Outcome(False, "I couldn't find a time zone there. Type your city instead.")
        draft.timezone, draft.timezone_label = zone, zone
        return Outcome(True, echo=zone)
    match = resolve_zone(value)
    if match is None:
        return Outcome(False, "I don't know that place or zone. Type a big city near you "
                              "(e.g. London), a zone like Europe/Berlin, or an offset like UTC+2.")
    draft.timezone, draft.timezone_label = match.zone, match.label
    shown = match.zone if match.label == match.zone else f"{match.label} ({match.zone})"
    return Outcome(True, echo=shown)


def format_quiet(start: time, end: time) -> str:
    return "off" if start == end else f"{format_time(start)}-{format_time(end)}"


def parse_quiet(text: str) -> tuple[time, time] | None:
    parts = re.split(r"\s*(?:-|–|—|to|until)\s*", text.strip().lower())
    if len(parts) != 2:
        return None
    start, end = parse_local_time(parts[0]), parse_local_time(parts[1])
    if start is None or end is None or start == end:
        return None
    return start, end


def _quiet_hours(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
                 ) -> Outcome:
    if _clean(value) in {"off", "none", "no", "no quiet hours"}:
        draft.quiet = "off"
        return Outcome(True, echo="No quiet hours")
    hours = parse_quiet(value)
    if hours is None:
        return Outcome(False, "Give quiet hours as two times, e.g. 22:00-07:00, or tap a button.")
    draft.quiet = format_quiet(*hours)
    return Outcome(True, echo=draft.quiet.replace("-", "–"))


def _summary(value: str, draft: Draft, pack: ContentPack, typed: bool, today: date
             ) -> Outcome:
    if (typed and _yes_no(value)) or value == "confirm":
        return Outcome(True, echo="Confirmed")
    return Outcome(False, "Tap Confirm, or Edit to change a section.")




_HANDLERS = {
    "disclaimer": _disclaimer, "injury_status": _injury_status, "condition": _condition,
    "condition_confirm": _condition_confirm, "condition_where": _condition_where,
    "onset": _onset, "pain": _pain, "daily_life": _daily_life, "clinician": _clinician,
    "red_flags": _red_flags, "equipment": _equipment, "minutes": _minutes, "days": _days,
    "nudge_time": _nudge_time, "timezone": _timezone, "summary": _summary,
    "quiet_hours": _quiet_hours,
}


def _injury_line(draft: Draft, pack: ContentPack) -> str:
    if not draft.injured or not draft.condition_id:
        return "Not injured"
    status = "Injured" if draft.injury_status == "injured" else "Coming back"
    since = f"since {draft.started_on}" if draft.started_on else "start not known"
    parts = [f"{status}: {condition_name(pack, draft.condition_id)} ({since})"]
    if draft.pain is not None:
        parts.append(f"pain {draft.pain}/10")
    if draft.hurts_daily is not None:
        parts.append("hurts with walking" if draft.hurts_daily else "fine with walking")
    parts.append("seen and cleared by a clinician" if draft.clinician_cleared else
                 "seen by a clinician" if draft.clinician_seen else
                 "not yet seen by a clinician")
    if draft.flag_codes:
        parts.append("warning signs reported")
    return ", ".join(parts)


def summary_lines(draft: Draft, pack: ContentPack) -> dict[str, str]:
    """One line per section, for the summary and for /settings."""
    time_line = f"{draft.minutes or '?'} min per session, {draft.days or '?'} days a week"
    if draft.nudges_off:
        nudges = "No daily nudges"
    else:
        label, zone = draft.timezone_label, draft.timezone
        where = zone if not label or label == zone else f"{label}, {zone}"
        nudges = f"Daily nudge at {draft.nudge_time} ({where})"
    return {"injury": _injury_line(draft, pack), "equipment": _equipment_echo(draft, pack),
            "time": time_line, "nudges": nudges}


# --- What the runner is told about their injury when the questions are done ---------------------

PHASE_WORDS: dict[Phase, tuple[str, str]] = {
    "acute": ("first", "an early, still-irritable injury"),
    "settling": ("second", "a settling injury that is calmer day to day"),
    "returning": ("third", "an injury you're coming back from, building back towards running"),
}


def phase_message(old: Phase | None, new: Phase | None) -> str:
    """The phase in plain words, and whether it changed: it never moves silently."""
    if new is None:
        return "No injury now, so no injury rules apply." if old is not None else ""
    ordinal, words = PHASE_WORDS[new]
    if old == new:
        return f"Still the {ordinal} phase: {words}."
    return f"I'll treat it as {words} ({ordinal} phase)."


def injury_outlook(draft: Draft, pack: ContentPack, today: date, *,
                   old_phase: Phase | None = None) -> list[str]:
    """The lines that end the injury questions: the phase, then either what the bot holds back
    while a warning sign is unresolved, or the promise of safe sessions with the stop rule. It
    never says "carry on training" to a runner with warning signs."""
    lines = [line for line in [phase_message(old_phase, draft.phase(pack, today))] if line]
    if not draft.injured:
        return lines
    urgency = draft.urgency(pack)
    if urgency == "emergency":
        lines.append("Because of the warning signs you reported, please get help now. "
                     + _EMERGENCY_HOLD)
    elif urgency is not None and not draft.clinician_cleared:
        lines.append("Because of the warning signs you reported, I'll only offer work that "
                     "spares the injured area completely (seated or lying upper-body work) "
                     "until a clinician has seen it and cleared activity. When they have, tell "
                     "me with /injury.")
    else:
        lines.append("I'll only suggest sessions that are safe for your injury. "
                     + stop_rule(pack, draft.condition_id, draft.pain))
    return lines


def completion_heading(draft: Draft, pack: ContentPack) -> str:
    """No party emoji for a runner who has just been told to get a warning sign seen."""
    return "You're set up." if draft.urgency(pack) is not None else "You're all set! 🎉"
