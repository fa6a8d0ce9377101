"""How onboarding, /settings, /injury, /cancel and the main menu look on a phone: every text
and keyboard of those flows."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.actions.onboarding import BACK as BACK_VALUE
from bot.actions.onboarding import (
    Cancelled,
    Completed,
    Question,
    SectionSaved,
    SettingsShown,
)
from bot.coach.onboarding import (
    CLINICIAN_CHOICES,
    INJURY_CHOICES,
    NOT_SURE,
    NUDGE_TIME_CHOICES,
    ONSET_CHOICES,
    QUIET_CHOICES,
    SECTIONS,
    Draft,
    Step,
    condition_choices,
    condition_name,
    equipment_choices,
    format_quiet,
    summary_lines,
    where_choices,
)
from bot.coach.phases import FALLBACK_CONDITION, condition_of
from bot.content import ContentPack
from bot.telegram.views.callbacks import WILDCARD, Button, Rest, Token
from bot.telegram.views.coaching import CONVERT as SUGGEST_CONVERT
from bot.telegram.views.coaching import MENU as SUGGEST_MENU

# "ob:<step>:<value>": the value is free (an id, "edit:injury", a zone such as "UTC+05:30").
ANSWER = Button("ob", WILDCARD, (Token(), Rest()))
# "st:<section>": one spec per section, so any other section reads as expired.
SETTINGS_BUTTONS = {section: Button("st", section) for section in SECTIONS}
MENU_WEEK = Button("mn", "week")
MENU_STATS = Button("mn", "stats")

BACK = "« Back"
Rows = list[list[InlineKeyboardButton]]
SECTION_LABELS = {"injury": "Injury", "equipment": "Equipment", "time": "Time",
                  "nudges": "Nudges"}
# Places the equipment legend under the question leaves out.
_LEGEND_SKIPS = ("commute",)

STALE = "That question has passed. Please answer the latest one."
NOTHING_TO_CANCEL = "There's nothing to cancel."
MORE = "Got it. Anything else? Tap Done when that's everything."


def _b(label: str, step: Step, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=ANSWER.data(step, value))


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> Rows:
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def prompt(step: Step, draft: Draft, pack: ContentPack, *, default_zone: str, with_back: bool
           ) -> tuple[str, InlineKeyboardMarkup]:
    text, rows = _PROMPTS[step](draft, pack, default_zone)
    if with_back:
        rows.append([_b(BACK, step, BACK_VALUE)])
    return text, InlineKeyboardMarkup(rows)


def _disclaimer(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    text = (f"{html.escape(pack.text('welcome'))}\n\n<b>Before we start</b>\n"
            f"{html.escape(pack.text('disclaimer'))}")
    return text, [[_b("✅ I understand", "disclaimer", "ok")]]


def _injury_status(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    rows = [[_b(label, "injury_status", key)] for key, label in INJURY_CHOICES.items()]
    return "Are you injured at the moment?", rows


def _condition(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    choices = condition_choices(pack)
    if draft.condition_misses >= 2:
        # Two typed answers fitted nothing: "Not sure" goes first, where it is seen.
        choices = sorted(choices, key=lambda item: item[0] != "not_sure")
    buttons = [_b(label, "condition", cid) for cid, label in choices]
    return ("What is it, or where does it hurt? Pick the closest, or type it "
            "(e.g. <i>achilles</i>, <i>shin splints</i>)."), _rows(buttons, 2)


def _condition_confirm(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    name = condition_name(pack, draft.candidates[0] if draft.candidates else None)
    return f"{html.escape(name)}, right?", [
        [_b("Yes", "condition_confirm", "yes"),
         _b("Pick from the list", "condition_confirm", "list")]]


def _condition_where(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    rows = [[_b(label, "condition_where", cid)] for cid, label in where_choices(draft, pack)]
    rows.append([_b("Not sure", "condition_where", NOT_SURE),
                 _b("Something else", "condition_where", "list")])
    return "That could be one of a few things. Where exactly does it hurt?", rows


def _onset(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    buttons = [_b(label, "onset", key) for key, (label, _) in ONSET_CHOICES.items()]
    return ("When did it start (or when was it diagnosed)? Tap one, or type it "
            "(e.g. <i>5 days ago</i>, <i>20 Nov</i>)."), _rows(buttons, 2)


def _pain(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    buttons = [_b(str(n), "pain", str(n)) for n in range(11)]
    return ("How does it feel today, from 0 (no pain) to 10 (worst imaginable)?",
            [buttons[:6], buttons[6:]])


def _daily_life(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    return ("Does it hurt when you walk or go about your day?",
            [[_b("Yes", "daily_life", "yes"), _b("No", "daily_life", "no")]])


def _clinician(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    return ("Has a physio or doctor looked at it?",
            [[_b(label, "clinician", key)] for key, label in CLINICIAN_CHOICES.items()])


def _signs(text: str) -> str:
    return "\n".join(f"• {html.escape(line.strip())}" for line in text.splitlines()
                     if line.strip())


def _red_flags(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    # The general screen is content (texts.yaml, red_flag_screen), one sign per line; the
    # condition's own signs follow. One yes/no for both, so nobody answers a list twice.
    text = f"A quick safety check.\n{_signs(pack.text('red_flag_screen'))}"
    if draft.condition_id is not None:
        condition = condition_of(pack, draft.condition_id)
        own = "\n".join(flag.text["en"] for flag in condition.red_flags)
        heading = ("Also:" if condition.id == FALLBACK_CONDITION else
                   f"And for {html.escape(condition_name(pack, condition.id))}:")
        text += f"\n\n{heading}\n{_signs(own)}"
    return (f"{text}\n\n<b>Do any of these apply?</b>",
            [[_b("None of these", "red_flags", "no"),
              _b("Yes, one or more", "red_flags", "yes")]])


def _equipment(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    chosen = set(draft.equipment)
    buttons = []
    for place, item_id, label in equipment_choices(pack):
        tick = "✅ " if item_id in chosen else ""
        buttons.append(_b(f"{tick}{pack.place_icon(place)} {label}", "equipment", item_id))
    rows = _rows(buttons, 2)
    rows.append([_b("🚫 Nothing at all", "equipment", "nothing"),
                 _b("Done ✔️", "equipment", "done")])
    legend = " · ".join(f"{pack.place_icon(place)} {place}" for place in pack.places
                        if place not in _LEGEND_SKIPS)
    selected = len(chosen)
    return (f"What can you use? Tap everything you have, then Done. You can also type it "
            f"(e.g. <i>turbo, kettlebell</i>).\n{legend}\nSelected: {selected}"), rows


def _minutes(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    row = [_b(f"{m} min", "minutes", str(m)) for m in (15, 30, 45)] + [_b("60+ min", "minutes",
                                                                          "60")]
    return "How much time do you usually have for a session?", [row]


def _days(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    return ("How many days a week can you train?",
            [[_b(str(d), "days", str(d)) for d in range(1, 8)]])


def _nudge_time(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    buttons = [_b(t, "nudge_time", t) for t in NUDGE_TIME_CHOICES]
    return ("I can send you one tiny habit a day, like balancing on one leg while you brush "
            "your teeth. When suits you? Tap a time or type one (<i>7:30</i>, <i>19h</i>, "
            "<i>7pm</i>)."), [buttons[:3], buttons[3:], [_b("No nudges, thanks", "nudge_time",
                                                             "off")]]


def _timezone(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    return ("Which time zone are you in? Type your city (e.g. <i>London</i>) or an offset "
            "(e.g. <i>UTC+2</i>), or share your location with 📎 → Location."), [
        [_b(f"Use {zone}", "timezone", zone)]]


def _summary(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    return summary_text(draft, pack, "Here's what I have:"), [
        [_b("✏️ Injury", "summary", "edit:injury"), _b("✏️ Equipment", "summary",
                                                      "edit:equipment")],
        [_b("✏️ Time", "summary", "edit:time"), _b("✏️ Nudges", "summary", "edit:nudges")],
        [_b("✅ Confirm", "summary", "confirm")],
    ]


def _quiet_hours(draft: Draft, pack: ContentPack, zone: str) -> tuple[str, Rows]:
    buttons = [_b(choice.replace("-", "–"), "quiet_hours", choice) for choice in QUIET_CHOICES]
    return ("Quiet hours: I never send nudges in them, and a snooze never ends in them. "
            "Pick a range or type one (e.g. <i>22:00-07:00</i>)."), [
        buttons[:2], buttons[2:], [_b("No quiet hours", "quiet_hours", "off")]]


def summary_text(draft: Draft, pack: ContentPack, heading: str) -> str:
    lines = summary_lines(draft, pack)
    body = "\n".join(f"<b>{SECTION_LABELS[key]}:</b> {html.escape(value)}"
                     for key, value in lines.items())
    return f"{heading}\n{body}"


def _st(label: str, section: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=SETTINGS_BUTTONS[section].data())


def settings_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_st("✏️ Injury", "injury"), _st("✏️ Equipment", "equipment")],
        [_st("✏️ Time", "time"), _st("✏️ Nudges", "nudges")],
        [_st("✏️ Quiet hours", "quiet")],
    ])


def main_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("💡 Suggest a session", callback_data=SUGGEST_MENU.data()),
         InlineKeyboardButton("🔁 Replace a run", callback_data=SUGGEST_CONVERT.data())],
        [InlineKeyboardButton("📅 My week", callback_data=MENU_WEEK.data()),
         InlineKeyboardButton("📈 My progress", callback_data=MENU_STATS.data())],
    ])


# -- whole messages --------------------------------------------------------------------------


def question(asked: Question, pack: ContentPack, *, default_zone: str, first_name: str
             ) -> tuple[str, InlineKeyboardMarkup]:
    """The message that asks `asked`, opened the way the action says."""
    text, keyboard = prompt(asked.step, asked.draft, pack, default_zone=default_zone,
                            with_back=asked.with_back)
    leads = {
        "": "",
        "greeting": f"Hi {html.escape(first_name or 'there')}! ",
        "resume": "Let's pick up where we left off.\n\n",
        "injury": "Let's update your injury. ",
        "more": f"{MORE}\n\n",
        "error": f"{html.escape(asked.error)}\n\n",
    }
    return leads[asked.lead] + text, keyboard


def welcome_back(first_name: str) -> tuple[str, InlineKeyboardMarkup]:
    return (f"Welcome back, {html.escape(first_name or 'runner')}! What shall we do?\n"
            "Send /help to see everything I can do.", main_menu())


def answered(question_html: str, echo: str) -> str:
    """The answered question with the answer shown under it."""
    return f"{question_html}\n\n<i>→ {html.escape(echo)}</i>"


def notice(text: str) -> str:
    return html.escape(text)


def completed(done: Completed) -> tuple[str, InlineKeyboardMarkup]:
    lines = [done.heading]
    if done.first_nudge is not None:
        lines.append(f"Your first nudge comes {done.first_nudge:%A} at {done.first_nudge:%H:%M}.")
    lines += done.outlook
    lines.append("Tap below, or send /help to see everything I can do.")
    return html.escape("\n".join(lines)), main_menu()


def settings_text(draft: Draft, pack: ContentPack, heading: str,
                  default_quiet: tuple[time, time]) -> str:
    hours = draft.quiet or f"{format_quiet(*default_quiet)} (default)"
    quiet = "none" if hours == "off" else hours.replace("-", "–")
    return summary_text(draft, pack, heading) + f"\n<b>Quiet hours:</b> {quiet}"


def settings(shown: SettingsShown, pack: ContentPack) -> tuple[str, InlineKeyboardMarkup]:
    return (settings_text(shown.draft, pack, "<b>Your settings</b>", shown.default_quiet)
            + "\n\nTap to change a section.", settings_keyboard())


def section_saved(saved: SectionSaved, pack: ContentPack) -> tuple[str, InlineKeyboardMarkup]:
    heading = "Saved ✅" if saved.flow == "settings" else "Injury updated ✅"
    text = settings_text(saved.draft, pack, heading, saved.default_quiet)
    if saved.next_nudge is not None:
        text += f"\nNext nudge: {saved.next_nudge:%A %H:%M}."
    if saved.outlook:
        text += "\n\n" + html.escape("\n".join(saved.outlook))
    return text, settings_keyboard()


def cancelled(done: Cancelled) -> str:
    tail = "" if done.onboarded else " Send /start whenever you're ready."
    return f"Cancelled. Nothing was changed.{tail}"


_PROMPTS: dict[Step, Callable[[Draft, ContentPack, str], tuple[str, Rows]]] = {
    "disclaimer": _disclaimer, "injury_status": _injury_status, "condition": _condition,
    "condition_confirm": _condition_confirm, "condition_where": _condition_where,
    "onset": _onset, "pain": _pain, "daily_life": _daily_life, "clinician": _clinician,
    "red_flags": _red_flags, "equipment": _equipment,
    "minutes": _minutes, "days": _days, "nudge_time": _nudge_time, "timezone": _timezone,
    "summary": _summary, "quiet_hours": _quiet_hours,
}
