"""/suggest, /convert and /week: thin glue around bot.coach.suggest, run_converter and week_plan.

Callback data (prefix "sg:", all under 64 bytes):
  sg:menu | sg:convert                       main-menu buttons
  sg:done:<id> | sg:more:<id> | sg:short:<id> | sg:long:<id> | sg:why:<id>   suggestion buttons
  sg:feel:<id>:<rpe>                         "How did it feel?" after Done (sets the log's effort)
  sg:day:<yyyymmdd>:<offset>                 a day of the /week plan
Unknown, malformed or old data is answered with a short note, never an error.

The /convert conversation keeps its step in conversation_states (flow "convert"), with the
message id of the ForceReply prompt, so a restart or another worker continues it. The answer is
a reply to that prompt, or simply the next plain message (runners on a phone often just type):
`on_typed_answer` is a gate in its own handler group between the onboarding gate and the main
group. It claims plain text only while the flow is active, for TYPED_ANSWER_TTL after the
prompt, and never text that reads as a log of another activity ("swam 30 min") or a reply to
another message, so logging keeps working during the flow.

"Done" stores the log through bot/db/logs.py (source "suggestion", keyed by the suggestion's
message id, so a detailed reply to the suggestion replaces it) and asks an injured runner the
logging area's "Any pain during?", whose answer feeds the pain rule of the next suggestions.
"""

from __future__ import annotations

import contextlib
import html
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.coach.advice import clinician_advice, session_stop_rule, warning_signs_line
from bot.coach.log_parser import OTHER, LogEntry, parse_log
from bot.coach.phases import stop_rule
from bot.coach.profile import RunnerProfile
from bot.coach.run_converter import (
    DEFAULT_PACE_SEC_PER_KM,
    Conversion,
    CouldNotRead,
    RunWorkout,
    conversion,
    format_pace,
    parse_pace,
    parse_run,
)
from bot.coach.schedule import local_date
from bot.coach.suggest import (
    Constraints,
    PastSession,
    Suggestion,
    Suggestions,
    explain,
    safety_state,
    suggest,
)
from bot.coach.vocabulary import build_vocabulary
from bot.coach.week_plan import PlannedDay, plan_week
from bot.content import TELEGRAM_MESSAGE_LIMIT, ContentPack, localize
from bot.content.models import Block, Session
from bot.db.coaching import CONVERT_FLOW, CoachingRepository, ConvertState, convert_state_of
from bot.db.logs import LogRepository, NewLog
from bot.telegram.context import CoachContext
from bot.telegram.handlers.basics import not_onboarded_text
from bot.telegram.views import logbook as log_views

if TYPE_CHECKING:
    from bot.telegram.context import CoachApplication


def _esc(text: str) -> str:
    return html.escape(text, quote=False)  # quotes are fine in Telegram HTML text


PREFIX = "sg:"
EXPIRED = "That button has expired. Send /suggest for a fresh suggestion."
ALREADY_LOGGED = "Already logged"
LOGGED = "Logged ✅"
# "How did it feel?" after Done: the effort (RPE) each answer stores. Easy and moderate count as
# comfortable (suggest.LOW_EFFORT), which is what lets a family of sessions step up a level.
FEELINGS: tuple[tuple[str, str, int], ...] = (
    ("😌 Easy", "easy", 3), ("🙂 Moderate", "moderate", 5), ("🥵 Hard", "hard", 8),
)
STALE_AFTER = timedelta(days=2)  # a suggestion shown longer ago was for another day
HISTORY_DAYS = 28
RUN_PROMPT = ("🔁 Which run do you want to replace? Send it, e.g. "
              "<i>6x800m with 90s jog</i>, <i>tempo 20 min</i> or <i>long run 1h45</i>. "
              "(/cancel to stop.)")
PACE_PROMPT = ("🏃 What's your usual easy running pace? Send e.g. <i>5:30/km</i> or "
               "<i>9:00/mi</i>. I'll remember it. (Or send <i>don't know</i>.)")
PROMPT_MARKERS = ("🔁 Which run do you want to replace?", "🏃 What's your usual easy running pace?")
PLACEHOLDER_RUN = "e.g. 6x800m with 90s jog"
PLACEHOLDER_PACE = "e.g. 5:30/km"
DONT_KNOW = ("don't know", "dont know", "not sure", "no idea", "skip", "idk", "?")
MAX_CONVERSIONS = 6  # keeps the answer well inside one message
# How long after the prompt a plain (not replied) message still counts as the answer: long
# enough to look up a plan, short enough that tomorrow's "swam 30 min" is not read as a run.
TYPED_ANSWER_TTL = timedelta(hours=1)
CONFIDENT_LOG = 0.5  # parser confidence from which text naming another activity is a log


# ------------------------------------------------------------------------------------ helpers


def _repo(context: CoachContext) -> CoachingRepository:
    return CoachingRepository(context.services.db)


def _logs(context: CoachContext) -> LogRepository:
    return LogRepository(context.services.db)


def _fit(text: str) -> str:
    """Keep a message inside Telegram's limit, cutting at a line break."""
    if len(text) <= TELEGRAM_MESSAGE_LIMIT:
        return text
    cut = text[: TELEGRAM_MESSAGE_LIMIT - 2].rsplit("\n", 1)[0]
    return cut + "\n…"


def _today(context: CoachContext, profile: RunnerProfile) -> date:
    return local_date(context.services.clock.now(), profile.timezone)


async def _history(context: CoachContext, user_id: int, today: date) -> list[PastSession]:
    return await _repo(context).recent_history(user_id, today - timedelta(days=HISTORY_DAYS))


async def _profile(context: CoachContext, user_id: int, chat_id: int) -> RunnerProfile | None:
    """The profile, or None after telling a user who has not onboarded what to do."""
    profile = await context.services.profiles.get(user_id)
    if profile is None:
        await context.bot.send_message(chat_id, not_onboarded_text(context))
    return profile


def _too_old(message: Message, now: datetime) -> bool:
    return now - message.date > STALE_AFTER


# ----------------------------------------------------------------------------------- rendering


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
        [InlineKeyboardButton("✅ Done", callback_data=f"sg:done:{session_id}"),
         InlineKeyboardButton("🔄 Another", callback_data=f"sg:more:{session_id}")],
        [InlineKeyboardButton("⏱ Shorter", callback_data=f"sg:short:{session_id}"),
         InlineKeyboardButton("⏱ Longer", callback_data=f"sg:long:{session_id}")],
        [InlineKeyboardButton("❓ Why this one", callback_data=f"sg:why:{session_id}")],
    ])


def _logged_keyboard(session_id: str, felt: str | None = None) -> InlineKeyboardMarkup:
    label = f"✅ Logged · felt {felt}" if felt else "✅ Logged"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"sg:done:{session_id}")]]
    )


def feeling_keyboard(session_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(label, callback_data=f"sg:feel:{session_id}:{rpe}")
        for label, _word, rpe in FEELINGS
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
    start = days[0].day.strftime("%Y%m%d")
    buttons = [
        InlineKeyboardButton(("😴 " if d.rest else "") + f"{d.day:%a} {d.day.day}",
                             callback_data=f"sg:day:{start}:{i}")
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


# ---------------------------------------------------------------------------------- /suggest


async def _suggestions(context: CoachContext, profile: RunnerProfile,
                       constraints: Constraints | None = None) -> Suggestions:
    today = _today(context, profile)
    history = await _history(context, profile.user_id, today)
    return suggest(context.services.content, profile, history, today, constraints)


async def _send_suggestion(context: CoachContext, chat_id: int, user_id: int) -> None:
    profile = await _profile(context, user_id, chat_id)
    if profile is None:
        return
    result = await _suggestions(context, profile)
    top = result.top
    pack = context.services.content
    if top is None:
        text = (render_no_suggestion(pack, result, profile) if result.message
                else _esc(not_onboarded_text(context)))
        await context.bot.send_message(chat_id, text)
        return
    await context.bot.send_message(chat_id, render_suggestion(pack, result, top, None, profile),
                                   reply_markup=suggestion_keyboard(top.session.id))


async def suggest_command(update: Update, context: CoachContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await _send_suggestion(context, chat.id, user.id)


async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    # "Message is not modified" only means the user already sees this: nothing to do.
    with contextlib.suppress(BadRequest):
        await message.edit_text(text, reply_markup=keyboard)


async def on_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    message = query.message
    data = query.data or ""
    parts = data.split(":")
    if user is None or not isinstance(message, Message) or len(parts) < 2:
        await query.answer(EXPIRED)
        return
    action = parts[1]
    if action == "menu":
        await query.answer()
        await _send_suggestion(context, message.chat_id, user.id)
        return
    if action == "convert":
        await query.answer()
        await _ask_for_run(context, message.chat_id, user.id)
        return
    if action == "day" and len(parts) == 4:
        await _show_day(update, context, parts[2], parts[3])
        return
    if action == "feel" and len(parts) == 4:
        await _feel(update, context, message, parts[2], parts[3])
        return
    pack = context.services.content
    session_id = parts[2] if len(parts) == 3 else ""
    if action not in ("done", "more", "short", "long", "why") or session_id not in pack.sessions:
        await query.answer(EXPIRED)
        return
    now = context.services.clock.now()
    if action == "done":
        await _done(update, context, message, session_id)
        return
    if _too_old(message, now):
        await query.answer(EXPIRED)
        return
    if action != "why" and await _logs(context).by_message(user.id, message.message_id):
        await query.answer(f"{ALREADY_LOGGED}. Send /suggest for another session.")
        return
    profile = await context.services.profiles.get(user.id)
    if profile is None:
        await query.answer(not_onboarded_text(context))
        return
    if action == "why":
        await _why(update, context, profile, session_id)
        return
    await _swap(update, context, profile, message, action, session_id)


async def _done(update: Update, context: CoachContext, message: Message, session_id: str) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    profile = await services.profiles.get(user.id)
    if profile is None:
        await query.answer(not_onboarded_text(context))
        return
    logs = _logs(context)
    if await logs.by_message(user.id, message.message_id):
        await query.answer(ALREADY_LOGGED)
        return
    now = services.clock.now()
    if _too_old(message, now):
        await query.answer(EXPIRED)
        return
    session = services.content.sessions[session_id]
    log, created = await logs.create(NewLog(
        user_id=user.id, source_message_id=message.message_id,
        performed_on=_today(context, profile), logged_at=now, activity_id=session.activity,
        session_id=session.id, minutes=float(session.minutes), status="done",
        source="suggestion",
    ))
    if not created:
        await query.answer(ALREADY_LOGGED)
        return
    await query.answer(LOGGED)
    text = (message.text_html or "") + ("\n\n✅ <b>Logged for today.</b> Nice work! "
                                        "How did it feel?")
    await _edit(message, _fit(text), feeling_keyboard(session_id))
    if profile.injury_status != "none":
        # The logging area's question and buttons: its answer is judged there (safety reply)
        # and stored on this log, so the next suggestion steps down after real pain.
        await context.bot.send_message(message.chat_id, log_views.PAIN_QUESTION,
                                       reply_markup=log_views.pain_keyboard(log.id))


async def _feel(update: Update, context: CoachContext, message: Message, session_id: str,
                rpe_text: str) -> None:
    """The answer to "How did it feel?": the effort on the log Done made from this message."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    word = next((w for _label, w, rpe in FEELINGS if str(rpe) == rpe_text), None)
    if word is None or session_id not in context.services.content.sessions:
        await query.answer(EXPIRED)
        return
    changed = await _repo(context).set_suggestion_effort(user.id, message.message_id,
                                                         int(rpe_text))
    if not changed:
        # No live Done log for this message: undone, or replaced by a detailed reply.
        await query.answer("That log has changed since; send /history to see it.")
        return
    await query.answer("Noted")
    await _edit(message, message.text_html or "", _logged_keyboard(session_id, word))


async def _swap(update: Update, context: CoachContext, profile: RunnerProfile, message: Message,
                action: str, session_id: str) -> None:
    """Another / Shorter / Longer: edit the suggestion in place."""
    query = update.callback_query
    assert query is not None
    pack = context.services.content
    current = pack.sessions[session_id]
    note: str | None = None
    if action == "more":
        result = await _suggestions(context, profile)
        ids = [s.session.id for s in result.ranked]
        if len(ids) <= 1 or session_id not in ids:
            chosen = next((s for s in result.ranked if s.session.id != session_id), None)
        else:
            position = ids.index(session_id) + 1
            if position >= len(ids):
                note = "That's every session that fits today; back to the top of the list."
            chosen = result.ranked[position % len(ids)]
        if chosen is None:
            await query.answer("That's the only session that fits today.")
            return
    else:
        preference = "shorter" if action == "short" else "longer"
        result = await _suggestions(context, profile, Constraints(
            preference=preference, reference_minutes=current.minutes,
            exclude_ids=frozenset({session_id})))
        found = result.top
        wrong_way = found is not None and (
            found.session.minutes >= current.minutes if preference == "shorter"
            else found.session.minutes <= current.minutes)
        if found is None or found.session.id == session_id or wrong_way:
            await query.answer(result.message if not result.ranked and result.message
                               else f"Nothing {preference} fits right now.")
            return
        chosen = found
        if not result.ranked:
            note = result.message
    await query.answer()
    await _edit(message, render_suggestion(pack, result, chosen, note, profile),
                suggestion_keyboard(chosen.session.id))


async def _why(update: Update, context: CoachContext, profile: RunnerProfile,
               session_id: str) -> None:
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    pack = context.services.content
    today = _today(context, profile)
    history = await _history(context, profile.user_id, today)
    chosen = explain(pack, profile, history, today, session_id)
    if chosen is None:
        await query.answer("That session no longer fits your profile. Send /suggest.")
        return
    result = suggest(pack, profile, history, today)
    others = [s for s in result.ranked if s.session.id != session_id][:2]
    await query.answer()
    await context.bot.send_message(query.message.chat_id, render_why(pack, chosen, others))


# ---------------------------------------------------------------------------------- /convert


async def _ask_for_run(context: CoachContext, chat_id: int, user_id: int,
                       prefix: str = "") -> None:
    profile = await _profile(context, user_id, chat_id)
    if profile is None:
        return
    sent = await context.bot.send_message(
        chat_id, prefix + RUN_PROMPT,
        reply_markup=ForceReply(input_field_placeholder=PLACEHOLDER_RUN))
    await _repo(context).set_convert_state(user_id, "run", sent.message_id, {},
                                           context.services.clock.now())


async def _ask_for_pace(context: CoachContext, chat_id: int, user_id: int, run_text: str,
                        prefix: str = "") -> None:
    sent = await context.bot.send_message(
        chat_id, prefix + PACE_PROMPT,
        reply_markup=ForceReply(input_field_placeholder=PLACEHOLDER_PACE))
    await _repo(context).set_convert_state(user_id, "pace", sent.message_id, {"run": run_text},
                                           context.services.clock.now())


async def convert_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await _ask_for_run(context, message.chat_id, user.id)
        return
    profile = await _profile(context, user.id, message.chat_id)
    if profile is not None:
        await _convert_text(context, message, profile, text)


async def _convert_text(context: CoachContext, message: Message, profile: RunnerProfile,
                        text: str) -> None:
    run = parse_run(text, profile.run_pace_sec_per_km)
    if isinstance(run, CouldNotRead):
        await _ask_for_run(context, message.chat_id, profile.user_id,
                           prefix=_esc(run.message) + "\n\n")
        return
    if run.needs_pace:
        await _ask_for_pace(context, message.chat_id, profile.user_id, text)
        return
    await _repo(context).clear_convert_state(profile.user_id)
    await _send_conversions(context, message, profile, run)


async def _send_conversions(context: CoachContext, message: Message, profile: RunnerProfile,
                            run: RunWorkout) -> None:
    pack = context.services.content
    today = _today(context, profile)
    history = await _history(context, profile.user_id, today)
    result = conversion(pack, profile, run, history, today)
    await message.reply_text(render_conversions(pack, profile, run, result))


class _ReplyToOurPrompt(filters.MessageFilter):
    """A reply to one of the /convert prompts (cheap, no database: the handler then checks the
    stored prompt id)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (replied is not None and replied.from_user is not None
                and replied.from_user.is_bot
                and any(marker in (replied.text or "") for marker in PROMPT_MARKERS))


async def on_reply(update: Update, context: CoachContext) -> None:
    """A reply to one of our /convert prompts that the gate did not take: the current prompt
    (when the gate could not see the flow), or an older one."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    state = await _repo(context).convert_state(user.id)
    if state is None or state.prompt_message_id != message.reply_to_message.message_id:
        await message.reply_text("That question has passed. Send /convert to start again.")
        return
    await _answer(context, message, user.id, state)


async def on_typed_answer(update: Update, context: CoachContext) -> None:
    """Gate: while /convert waits, the next plain message is the answer (see the module
    docstring). Returns without a word when it is not, so the main group reads the text."""
    message, user = update.effective_message, update.effective_user
    if (message is None or user is None or message.text is None
            or update.edited_message is not None):
        return
    conv = context.conversation  # read by the user gate with the user row: no extra query
    if conv is None or conv.flow != CONVERT_FLOW:
        return
    state = convert_state_of(conv.step, conv.keyboard_message_id, conv.data)
    replied = message.reply_to_message
    if replied is not None:
        if replied.message_id != state.prompt_message_id:
            return  # a reply to another message is about that message (a log, an old prompt)
    else:
        now = context.services.clock.now()
        if state.asked_at is None or now - state.asked_at > TYPED_ANSWER_TTL:
            return
        if _logs_another_activity(context.services.content, message.text, now.date()):
            return
    await _answer(context, message, user.id, state)
    raise ApplicationHandlerStop


def _logs_another_activity(pack: ContentPack, text: str, today: date) -> bool:
    """True for text such as "swam 30 min": while /convert waits, that is a log of another
    activity, not the run to replace, so logging should read it."""
    entry = parse_log(text, build_vocabulary(pack), today)
    return (isinstance(entry, LogEntry) and entry.activity_id not in (OTHER, "running")
            and entry.confidence >= CONFIDENT_LOG)


async def _answer(context: CoachContext, message: Message, user_id: int,
                  state: ConvertState) -> None:
    """The user's answer to the current /convert step."""
    repo = _repo(context)
    profile = await _profile(context, user_id, message.chat_id)
    if profile is None:
        return
    text = (message.text or "").strip()
    if state.step == "run":
        await _convert_text(context, message, profile, text)
        return
    run_text = str(state.data.get("run", ""))
    pace = parse_pace(text)
    if pace is None and not text.lower().startswith(DONT_KNOW):
        await _ask_for_pace(context, message.chat_id, user_id, run_text,
                            prefix="I couldn't read that pace. ")
        return
    if pace is not None:
        profile = replace(profile, run_pace_sec_per_km=pace)
        await context.services.profiles.save(profile, context.services.clock.now())
    await repo.clear_convert_state(user_id)
    run = parse_run(run_text, pace)
    if isinstance(run, CouldNotRead):  # cannot happen: the text parsed before; be safe anyway
        await _ask_for_run(context, message.chat_id, user_id)
        return
    if pace is not None:
        await message.reply_text(f"Got it: {format_pace(pace)}. I'll remember that.")
    await _send_conversions(context, message, profile, run)


# ------------------------------------------------------------------------------------- /week


async def week_command(update: Update, context: CoachContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    profile = await _profile(context, user.id, message.chat_id)
    if profile is None:
        return
    today = _today(context, profile)
    history = await _history(context, user.id, today)
    pack = context.services.content
    days = plan_week(pack, profile, history, today)
    state = safety_state(pack, profile, history, today)
    advice = clinician_advice(pack, state.mode, state.urgency, state.see_clinician)
    await message.reply_text(render_week(pack, days, state.see_clinician, advice),
                             reply_markup=week_keyboard(days))


async def _show_day(update: Update, context: CoachContext, start_text: str,
                    offset_text: str) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and isinstance(query.message, Message)
    try:
        start = datetime.strptime(start_text, "%Y%m%d").date()
        offset = int(offset_text)
        if not 0 <= offset < 7:
            raise ValueError(offset_text)
        # The plan runs a week from `start`: a forged far-future date would overflow it.
        if start > date.max - timedelta(days=6):
            raise ValueError(start_text)
        day = start + timedelta(days=offset)
    except ValueError:
        await query.answer(EXPIRED)
        return
    profile = await context.services.profiles.get(user.id)
    if profile is None:
        await query.answer(not_onboarded_text(context))
        return
    today = _today(context, profile)
    if day < today:
        await query.answer("That day has passed. Send /week for a fresh plan.")
        return
    history = await _history(context, user.id, today)
    days = plan_week(context.services.content, profile, history, start)
    await query.answer()
    await context.bot.send_message(query.message.chat_id,
                                   render_day(context.services.content, days[offset], profile))


# ---------------------------------------------------------------------------------- wiring


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """Commands and buttons for the main group (before the fallbacks). The reply handler only
    matches replies to our own prompts, so it cannot take other areas' messages."""
    return [
        CommandHandler("suggest", suggest_command),
        CommandHandler("convert", convert_command),
        CommandHandler("week", week_command),
        CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"),
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & _ReplyToOurPrompt(),
            on_reply,
        ),
    ]


def typed_answer_handler() -> BaseHandler[Update, CoachContext, None]:
    """The /convert typed-answer gate, for its own group after the onboarding gate and before
    the main group (bot/app.py), so it sees text before logging and the fallbacks do."""
    return MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                          on_typed_answer)


def register(application: CoachApplication) -> None:
    for handler in handlers():
        application.add_handler(handler)
