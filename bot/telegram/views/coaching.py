"""What coaching looks like in the chat: the suggestion card and its buttons, Why, /convert's
prompts and answer, the /week plan and its days. Texts and keyboards only, no I/O.

Callback data (prefix "sg:", all under 64 bytes), built and read with the specs below:
  sg:menu | sg:convert                       main-menu buttons
  sg:done:<id> | sg:more:<id> | sg:short:<id> | sg:long:<id> | sg:why:<id>   suggestion buttons
  sg:feel:<id>:<rpe>                         "How did it feel?" after Done (sets the log's effort)
  sg:day:<yyyymmdd>:<offset>                 a day of the /week plan
"""

from __future__ import annotations

import html

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.actions.coaching import AskPace, AskRun, Reason, Swapped
from bot.coach.advice import clinician_advice, session_stop_rule, warning_signs_line
from bot.coach.phases import stop_rule
from bot.coach.profile import RunnerProfile
from bot.coach.rotation import FEELINGS
from bot.coach.run_converter import DEFAULT_PACE_SEC_PER_KM, Conversion, RunWorkout, format_pace
from bot.coach.suggest import Suggestion, Suggestions
from bot.coach.week_plan import PlannedDay
from bot.content import TELEGRAM_MESSAGE_LIMIT, ContentPack, localize
from bot.content.models import Block, Session
from bot.telegram.views.callbacks import Button, Day, Int, Token

PREFIX = "sg"
# The main menu (views/onboarding.py) sends these two; the same shapes, declared where they
# are read.
MENU = Button(PREFIX, "menu")
CONVERT = Button(PREFIX, "convert")
DONE = Button(PREFIX, "done", (Token(),))
ANOTHER = Button(PREFIX, "more", (Token(),))
SHORTER = Button(PREFIX, "short", (Token(),))
LONGER = Button(PREFIX, "long", (Token(),))
WHY = Button(PREFIX, "why", (Token(),))
FEEL = Button(PREFIX, "feel", (Token(), Int(0, 10)))
DAY = Button(PREFIX, "day", (Day(), Int(0, 6)))

EXPIRED = "That button has expired. Send /suggest for a fresh suggestion."
ALREADY_LOGGED = "Already logged"
LOGGED = "Logged ✅"
NOTED = "Noted"
_REFUSALS: dict[Reason, str] = {
    "expired": EXPIRED,
    "already_logged": ALREADY_LOGGED,
    "logged": f"{ALREADY_LOGGED}. Send /suggest for another session.",
    "no_longer_fits": "That session no longer fits your profile. Send /suggest.",
    "log_changed": "That log has changed since; send /history to see it.",
    "day_passed": "That day has passed. Send /week for a fresh plan.",
}
ONLY_ONE = "That's the only session that fits today."
WRAPPED = "That's every session that fits today; back to the top of the list."
QUESTION_PASSED = "That question has passed. Send /convert to start again."
# How each "How did it feel?" answer is labelled; the effort it stores is the coach's.
_FEELING_LABELS = {"easy": "😌 Easy", "moderate": "🙂 Moderate", "hard": "🥵 Hard"}
RUN_PROMPT = ("🔁 Which run do you want to replace? Send it, e.g. "
              "<i>6x800m with 90s jog</i>, <i>tempo 20 min</i> or <i>long run 1h45</i>. "
              "(/cancel to stop.)")
PACE_PROMPT = ("🏃 What's your usual easy running pace? Send e.g. <i>5:30/km</i> or "
               "<i>9:00/mi</i>. I'll remember it. (Or send <i>don't know</i>.)")
# How a reply is recognised as one to a /convert prompt, without a query.
PROMPT_MARKERS = ("🔁 Which run do you want to replace?", "🏃 What's your usual easy running pace?")
PLACEHOLDER_RUN = "e.g. 6x800m with 90s jog"
PLACEHOLDER_PACE = "e.g. 5:30/km"
MAX_CONVERSIONS = 6  # keeps the answer well inside one message


def _esc(text: str) -> str:
    return html.escape(text, quote=False)  # quotes are fine in Telegram HTML text


def _fit(text: str) -> str:
    """Keep a message inside Telegram's limit, cutting at a line break."""
    if len(text) <= TELEGRAM_MESSAGE_LIMIT:
        return text
    cut = text[: TELEGRAM_MESSAGE_LIMIT - 2].rsplit("\n", 1)[0]
    return cut + "\n…"


def refusal(reason: Reason) -> str:
    """The answer to a button the action refused (never "not_onboarded": the handler words
    that, since it depends on where the user is in onboarding)."""
    return _REFUSALS.get(reason, EXPIRED)


# ------------------------------------------------------------------------------- suggestion


def _block_line(pack: ContentPack, name: str, block: Block) -> str:
    parts = [f"{block.duration_minutes:g} min"]
    if block.rpe is not None:
        parts.append(f"effort RPE {block.rpe}/10")
    line = f"<b>{name}</b> ({', '.join(parts)}): {_esc(localize(block.label))}"
    names = [localize(pack.exercises[e].name) for e in block.exercises if e in pack.exercises]
    if names:
        line += "\n   " + _esc(" · ".join(names))
    return line


def render_session(pack: ContentPack, session: Session,
                   profile: RunnerProfile | None = None) -> list[str]:
    """Title, blocks with effort, cues and the stop rule: the body every view shares. The stop
    rule is the runner's own: their injury's pain limit, or none about pain if not injured."""
    activity = pack.activities.get(session.activity)
    emoji = activity.emoji if activity else "🏋️"
    lines = [f"{emoji} <b>{_esc(localize(session.title))}</b> · {session.minutes} min", ""]
    lines.append(_block_line(pack, "Warm-up", session.warmup))
    for i, block in enumerate(session.main, 1):
        lines.append(_block_line(pack, "Main" if len(session.main) == 1 else f"Main {i}", block))
    lines.append(_block_line(pack, "Cool-down", session.cooldown))
    if session.cues:
        lines += ["", "<b>Cues</b>"] + [f"• {_esc(localize(c))}" for c in session.cues]
    lines += ["", f"🛑 {_esc(session_stop_rule(pack, session, profile))}"]
    return lines


def _advice_lines(pack: ContentPack, result: Suggestions | Conversion,
                  profile: RunnerProfile | None) -> list[str]:
    """The clinician advice for the safety state, then the condition's warning signs."""
    lines: list[str] = []
    unseen = profile is not None and profile.injury_status != "none" \
        and not profile.clinician_seen and not profile.clinician_cleared
    advice = clinician_advice(pack, result.mode, result.urgency, result.see_clinician or unseen)
    if advice:
        lines += ["", f"🩺 {_esc(advice)}"]
    if profile is not None and profile.injury_status != "none":
        lines += ["", f"🚩 {_esc(warning_signs_line(pack, profile.condition_id))}"]
    return lines


def render_suggestion(pack: ContentPack, result: Suggestions, chosen: Suggestion,
                      note: str | None = None, profile: RunnerProfile | None = None) -> str:
    lines: list[str] = []
    message = note or result.message
    if message:
        lines += [f"<i>{_esc(message)}</i>", ""]
    title, *body = render_session(pack, chosen.session, profile)
    lines += [title, f"<i>{_esc(chosen.reason)}</i>", *body]
    if chosen.caution_notes:
        lines += ["", "⚠️ <b>Take care</b>"] + [f"• {_esc(n)}" for n in chosen.caution_notes]
    lines += _advice_lines(pack, result, profile)
    return _fit("\n".join(lines))


def render_no_suggestion(pack: ContentPack, result: Suggestions,
                         profile: RunnerProfile | None) -> str:
    """Nothing to offer: no exercise until urgent care, or nothing safe fits the time."""
    lines = [f"<i>{_esc(result.message or '')}</i>"] if result.message else []
    lines += _advice_lines(pack, result, profile)
    return _fit("\n".join(lines).strip())


def suggestion_keyboard(session_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("✅ Done", callback_data=DONE.data(session_id)),
         InlineKeyboardButton("🔄 Another", callback_data=ANOTHER.data(session_id))],
        [InlineKeyboardButton("⏱ Shorter", callback_data=SHORTER.data(session_id)),
         InlineKeyboardButton("⏱ Longer", callback_data=LONGER.data(session_id))],
        [InlineKeyboardButton("❓ Why this one", callback_data=WHY.data(session_id))],
    ])


def logged_keyboard(session_id: str, feeling: str | None = None) -> InlineKeyboardMarkup:
    label = f"✅ Logged · felt {feeling}" if feeling else "✅ Logged"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=DONE.data(session_id))]]
    )


def feeling_keyboard(session_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_FEELING_LABELS[word], callback_data=FEEL.data(session_id, rpe))
        for word, rpe in FEELINGS
    ]])


def render_why(pack: ContentPack, chosen: Suggestion, others: list[Suggestion]) -> str:
    lines = [f"❓ <b>Why {_esc(localize(chosen.session.title))}?</b>", ""]
    lines += [f"• {_esc(r[:1].upper() + r[1:])}" for r in chosen.reasons]
    activity = pack.activities.get(chosen.session.activity)
    if activity is not None:
        lines += ["", _esc(localize(activity.running_relevance))]
    if chosen.caution_notes:
        lines += ["", "⚠️ " + _esc(" ".join(chosen.caution_notes))]
    if others:
        lines += ["", "Also good today: " + _esc(
            "; ".join(localize(o.session.title) for o in others))]
    return _fit("\n".join(lines))


def render_conversions(pack: ContentPack, profile: RunnerProfile, asked: RunWorkout,
                       result: Conversion) -> str:
    run, options = result.run, result.options
    lines = [f"🔁 <b>Your run</b>: {_esc(asked.describe())}."]
    if result.stepped_down_because:
        lines.append(f"<i>Not as planned today: {_esc(result.stepped_down_because)}, so here "
                     f"is easy work instead ({_esc(run.describe())}).</i>")
    if run.needs_pace:
        lines.append(f"<i>I assumed a pace of {format_pace(DEFAULT_PACE_SEC_PER_KM)} "
                     f"to turn the distance into time.</i>")
    elif profile.run_pace_sec_per_km and run.distance_km is not None:
        lines.append(f"<i>Distance turned into time at your pace of "
                     f"{format_pace(profile.run_pace_sec_per_km)}.</i>")
    if result.mode == "emergency":
        lines += ["", "No training today, not even an easy stand-in."]
    elif not options and result.mode == "protect":
        lines += ["", "Rest the sore area today instead of this run: nothing you have can stand "
                      "in for it without loading the injury."]
    elif not options:
        lines += ["", "None of the activities you have can stand in for this run safely within "
                      "your time. Send /suggest for a session that fits."]
    if not options:
        lines += _advice_lines(pack, result, profile)
        return _fit("\n".join(lines))
    lines += ["", "Do the same workout, by time and effort (RPE), on:"]
    for option in options[:MAX_CONVERSIONS]:
        session = option.session
        blocks = [f"{session.warmup.duration_minutes:g} min easy"]
        blocks += [localize(b.label) for b in session.main]
        blocks.append(f"{session.cooldown.duration_minutes:g} min easy")
        lines += ["", f"{option.activity.emoji} <b>{_esc(localize(session.title))}</b>"
                      f" · {option.minutes} min",
                  _esc(" → ".join(blocks))]
        lines.append(f"<i>{_esc(option.relevance)}</i>")
        if option.note:
            lines.append(f"<i>{_esc(option.note)}</i>")
        for caution in option.caution_notes:
            lines.append(f"⚠️ {_esc(caution)}")
        if option.ready_made is not None:
            lines.append(f"Ready-made: {_esc(localize(option.ready_made.title))}")
    stop = (stop_rule(pack, profile.condition_id, profile.pain_today)
            if profile.injury_status != "none" else pack.text("stop_rule_default"))
    lines += ["", f"🛑 {_esc(stop)}"]
    lines += _advice_lines(pack, result, profile)
    return _fit("\n".join(lines))


def render_week(pack: ContentPack, days: list[PlannedDay], see_clinician: bool = False,
                advice: str | None = None) -> str:
    lines = ["📅 <b>Your next 7 days</b>", ""]
    if see_clinician:
        lines += ["<i>Only gentle sessions until your pain settles or someone has looked at "
                  "it.</i>", ""]
    for day in days:
        mark = "🔥 " if day.hard else ""
        when = f"{day.day:%a} {day.day.day} {day.day:%b}"  # "Mon 2 Mar", on any platform
        lines.append(f"<b>{when}</b> · {mark}{_esc(day.label)}")
    lines += ["", "Tap a day to see its session."]
    if advice:
        lines += ["", f"🩺 {_esc(advice)}"]
    elif see_clinician:
        lines += ["", f"🩺 {_esc(pack.text('see_clinician'))}"]
    return _fit("\n".join(lines))


def week_keyboard(days: list[PlannedDay]) -> InlineKeyboardMarkup:
    start = days[0].day
    buttons = [
        InlineKeyboardButton(("😴 " if d.rest else "") + f"{d.day:%a} {d.day.day}",
                             callback_data=DAY.data(start, i))
        for i, d in enumerate(days)
    ]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])


def render_day(pack: ContentPack, day: PlannedDay, profile: RunnerProfile | None = None) -> str:
    head = f"📅 <b>{day.day:%A} {day.day.day} {day.day:%B}</b>"
    if day.rest:
        return f"{head}\n\nRest day. Rest is when the training sinks in; an easy walk is fine."
    if day.run_type is not None:
        return (f"{head}\n\n🏃 {_esc(day.label)}.\n\nFollow your running plan. "
                f"Can't run that day? Send /convert and I'll turn the run into cross-training.")
    if day.suggestion is None:
        return f"{head}\n\n{_esc(day.label)}. Send /suggest on the day."
    lines = [head, "", *render_session(pack, day.suggestion.session, profile)]
    if day.suggestion.caution_notes:
        lines += ["", "⚠️ " + _esc(" ".join(day.suggestion.caution_notes))]
    if day.suggestion.see_clinician:
        lines += ["", f"🩺 {_esc(pack.text('see_clinician'))}"]
    return _fit("\n".join(lines))


# ----------------------------------------------------------------------------------- buttons


def swap_refusal(swapped: Swapped) -> str:
    """Why Another / Shorter / Longer has nothing else to show."""
    if swapped.step is None:
        return ONLY_ONE
    result = swapped.suggestions
    if not result.ranked and result.message:
        return result.message
    return f"Nothing {swapped.step} fits right now."


def swap_note(swapped: Swapped) -> str | None:
    return WRAPPED if swapped.wrapped else None


def logged_text(card_html: str) -> str:
    """The card after Done, asking how it felt."""
    return _fit(card_html + "\n\n✅ <b>Logged for today.</b> Nice work! How did it feel?")


# ---------------------------------------------------------------------------------- /convert


def convert_prompt(ask: AskRun | AskPace) -> tuple[str, ForceReply]:
    """The prompt for the run or the pace, after what was wrong with the last answer."""
    if isinstance(ask, AskPace):
        prefix = "I couldn't read that pace. " if ask.unreadable else ""
        return prefix + PACE_PROMPT, ForceReply(input_field_placeholder=PLACEHOLDER_PACE)
    prefix = _esc(ask.problem) + "\n\n" if ask.problem else ""
    return prefix + RUN_PROMPT, ForceReply(input_field_placeholder=PLACEHOLDER_RUN)


def pace_learnt(pace: int) -> str:
    return f"Got it: {format_pace(pace)}. I'll remember that."


def render_nothing_to_suggest(pack: ContentPack, result: Suggestions, profile: RunnerProfile,
                              *, otherwise: str) -> str:
    """No card: why nothing fits, or `otherwise` when the coach gave no reason."""
    if result.message:
        return render_no_suggestion(pack, result, profile)
    return _esc(otherwise)
