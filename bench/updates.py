"""Update-processing benchmark: the full CrossCoach Application against a bare python-telegram-bot
echo bot, both over the in-process Bot API stand-in (no network). Prints figures only.

Run from the project root:

    .venv/bin/python bench/updates.py [--updates 2000] [--population 100000]
        [--databases sqlite,postgres] [--mix onboarding=30,suggest=20,log=30,button=20]

For each database (SQLite in a temp file; PostgreSQL on 127.0.0.1:5432, user postgres, trust
auth, in a database it creates and drops) it:
- migrates, then bulk-inserts `--population` onboarded users with profiles;
- feeds `--updates` updates one after another through `Application.process_update`, drawn from
  the mix: onboarding steps of new users (each user's steps in order), /suggest, log replies and
  free-text logs, and taps on the buttons the bot last sent (suggestion and log keyboards);
- then feeds the same number of text updates through a bare echo Application (one
  MessageHandler replying with the text) over the same kind of stand-in.
It prints updates/s for each (N / time inside process_update, Update.de_json included), the
ratio full/echo (goal >= 0.3 on SQLite) and p50/p99 handler latency (goal p99 < 50 ms).

To show where the time goes it then replays, update by update, the exact Bot API calls
CrossCoach made, through a bare Application and PTB's typed methods:
- "PTB floor": the calls alone, no logic, no database. No bot that answers like CrossCoach can
  be faster on python-telegram-bot.
- "floor + 1 read, 1 write": the same plus one Core transaction that reads the user's row and
  writes one column, the least a bot that remembers its users does per update.
The last line splits an update's time into PTB and the stand-in, that least persistence, and
everything else CrossCoach does (its other statements, parsing, ranking, rendering).

Two deliberate departures from production, both printed in the header:
- The AIORateLimiter is switched off (`--keep-rate-limiter` keeps it). It holds every process to
  Telegram's ~30 chat messages/s, which would measure Telegram's limit rather than our code.
- If /suggest and the log handlers are not wired into build_application yet, the bench adds
  them the way their tests do (`--no-wire` feeds them to the fallbacks instead).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, insert, select  # noqa: E402
from sqlalchemy import update as sql_update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402
from telegram import (  # noqa: E402
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.error import TelegramError  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.app import OFFLINE_TOKEN, build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content import load_pack  # noqa: E402
from bot.db.models import Profile, User  # noqa: E402
from bot.telegram.context import services_of  # noqa: E402
from bot.telegram.handlers.errors import APOLOGY  # noqa: E402
from bot.telegram.standin import ApiCall, BotApiStandIn, StandInRequest  # noqa: E402
from tests.harness import BotMessage, ChatUser  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CONTENT_DIR = ROOT / "content"
DEFAULT_MIX = "onboarding=30,suggest=20,log=30,button=20"
ONBOARDING: list[tuple[str, str]] = [
    ("send", "/start"), ("press", "I understand"), ("press", "Not injured"),
    ("press", "Kettlebell"), ("press", "Done"), ("press", "30 min"), ("press", "3"),
    ("press", "07:00"), ("send", "london"), ("press", "Confirm"),
]
LOG_TEXTS = ["swam 30 min easy", "cycled 45 minutes effort 6", "rowed 5k in 25 min",
             "elliptical 40 min, pain 2/10", "bike 1h15 rpe 7", "did the kettlebell session",
             "aqua jogging 30'", "skipped today, knee sore"]
IN_PROGRESS = 40  # new users half-way through onboarding at any moment
WARMUP = 30  # first updates of each run, not counted (connections, caches)


class Timed:
    """What a ChatUser takes as its Telegram: processes each update and records the time, and
    which Bot API calls the update caused (the PTB floor replays them)."""

    def __init__(self, application: Any, api: BotApiStandIn) -> None:
        self.application = application
        self.api = api
        self.kind = ""
        self.samples: list[tuple[str, float]] = []
        self.recorded: list[tuple[dict[str, Any], list[ApiCall]]] = []

    async def feed(self, update: dict[str, Any]) -> None:
        first_call = len(self.api.calls)
        started = time.perf_counter()
        await self.application.process_update(Update.de_json(update, self.application.bot))
        self.samples.append((self.kind, time.perf_counter() - started))
        self.recorded.append((update, self.api.calls[first_call:]))


class BenchUser(ChatUser):
    """A ChatUser whose "last keyboard" lookup does not scan every chat's messages."""

    def last_with_buttons(self) -> BotMessage:
        return self.last_bot_message(with_buttons=True)

    def last_bot_message(self, *, with_buttons: bool = False) -> BotMessage:
        chat_id = self.chat["id"]
        top = self.tg.api.next_message_id(chat_id)  # skips one id in this chat, harmlessly
        for message_id in range(top - 1, 0, -1):
            raw = self.tg.api.messages.get((chat_id, message_id))
            if raw is None or not raw.get("from", {}).get("is_bot"):
                continue
            if not with_buttons or raw.get("reply_markup", {}).get("inline_keyboard"):
                return BotMessage(raw)
        raise LookupError("no such bot message in this chat")


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ("onboarding", "suggest", "log", "button"):
            raise SystemExit(f"unknown mix entry {name!r}")
        mix[name.strip()] = float(weight)
    return mix


def _settings(database_url: str) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=None,  # type: ignore[call-arg]
                    database_url=database_url, content_dir=CONTENT_DIR, nudge_sender=False)


def _wire_pending(application: Any) -> list[str]:
    """Add /suggest and the log handlers in front of the fallbacks if the app lacks them."""
    commands = {c for group in application.handlers.values() for h in group
                if isinstance(h, CommandHandler) for c in h.commands}
    wired = []
    if "suggest" not in commands:
        from bot.telegram.handlers import coaching

        for handler in reversed(coaching.handlers()):
            application.handlers[0].insert(0, handler)
        wired.append("coaching")
    if "log" not in commands:
        from bot.telegram.handlers import logging as log_handlers

        for handler in reversed(log_handlers.handlers(application)):
            application.handlers[0].insert(0, handler)
        wired.append("logging")
    return wired


async def _populate(application: Any, population: int) -> float:
    """Bulk-insert onboarded users with profiles; returns the seconds it took."""
    services = services_of(application)
    pack = services.content
    equipment = [e for e in pack.equipment if e != "nothing"]
    conditions = list(pack.conditions)
    rng = random.Random(1)
    now = datetime.now(UTC)
    started = time.perf_counter()
    chunk = 5000
    async with services.db.engine.begin() as conn:
        for low in range(1, population + 1, chunk):
            ids = range(low, min(low + chunk, population + 1))
            await conn.execute(insert(User), [{
                "id": i, "chat_id": i, "first_name": f"Runner{i}", "language_code": "en",
                "status": "active", "timezone": "Europe/London", "nudge_time": dtime(7, 0),
                "next_nudge_at": now + timedelta(hours=rng.randrange(1, 24)),
                "ignored_nudges": 0, "created_at": now, "last_seen_at": now,
                "onboarded_at": now} for i in ids])
            profiles = []
            for i in ids:
                injured = rng.random() < 0.3
                profiles.append({
                    "user_id": i, "injury_status": "returning" if injured else "none",
                    "condition_id": rng.choice(conditions) if injured else None,
                    "phase": "returning" if injured else None,
                    "pain_today": 1 if injured else None, "clinician_seen": injured or None,
                    "red_flags": [], "equipment": rng.sample(equipment, 2),
                    "minutes_per_session": rng.choice([30, 45, 60]),
                    "days_per_week": rng.choice([3, 4, 5]), "updated_at": now})
            await conn.execute(insert(Profile), profiles)
    return time.perf_counter() - started


async def run_full(database_url: str, args: argparse.Namespace, mix: dict[str, float]
                   ) -> dict[str, Any]:
    api = BotApiStandIn()
    application = build_application(_settings(database_url), StandInRequest(api),
                                     content=load_pack(CONTENT_DIR))
    if not args.keep_rate_limiter:
        application.bot._rate_limiter = None  # see the module docstring
    wired = [] if args.no_wire else _wire_pending(application)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)  # migrations
    try:
        seconds = await _populate(application, args.population)
        timed = Timed(application, api)
        rng = random.Random(7)
        new_ids = itertools.count(args.population + 1)
        onboarding: list[tuple[BenchUser, int]] = []  # (user, next step)
        regulars: dict[int, BenchUser] = {}
        kinds, weights = list(mix), list(mix.values())

        def regular() -> BenchUser:
            user_id = rng.randrange(1, args.population + 1)
            if user_id not in regulars:
                regulars[user_id] = BenchUser(timed, user_id, f"Runner{user_id}")  # type: ignore[arg-type]
            return regulars[user_id]

        total = args.updates + WARMUP
        while len(timed.samples) < total:
            kind = rng.choices(kinds, weights)[0]
            timed.kind = kind
            if kind == "onboarding":
                if len(onboarding) < IN_PROGRESS:
                    user_id = next(new_ids)
                    onboarding.append((BenchUser(timed, user_id, f"New{user_id}"), 0))  # type: ignore[arg-type]
                index = rng.randrange(len(onboarding))
                user, step = onboarding[index]
                action, value = ONBOARDING[step]
                try:
                    await (user.send(value) if action == "send" else user.press(value))
                finally:
                    if step + 1 == len(ONBOARDING):
                        onboarding.pop(index)
                    else:
                        onboarding[index] = (user, step + 1)
            elif kind == "suggest":
                await regular().send("/suggest")
            elif kind == "log":
                user = regular()
                text = rng.choice(LOG_TEXTS)
                try:  # half the logs answer the bot's last message, as replies to a nudge do
                    target = user.last_bot_message() if rng.random() < 0.5 else None
                except LookupError:
                    target = None
                await user.send(text, reply_to=target)
            else:  # a tap on the buttons the bot sent this user last
                user = rng.choice(list(regulars.values())) if regulars else regular()
                try:
                    message = user.last_with_buttons()
                except LookupError:
                    timed.kind = "suggest"
                    await user.send("/suggest")
                    continue
                label = rng.choice(message.labels[:3])
                await user.press(label, on=message)
        errors = sum(1 for call in api.calls if call.result is None)
        apologies = sum(1 for call in api.calls
                        if APOLOGY in str(call.params.get("text", "")))
        unknown = sum(1 for call in api.calls if call.method == "sendMessage"
                      and "I don't know the command" in str(call.params.get("text", "")))
        # Bot API calls per update bound the ratio: the echo makes exactly one.
        per_update = len(api.calls) / max(1, len(timed.samples))
        floors = {"bare": await run_floor(timed.recorded, list(api.messages)),
                  "persist": await run_floor(timed.recorded, list(api.messages),
                                             services_of(application).db.engine)}
        return {"samples": timed.samples[WARMUP:], "populate_s": seconds, "wired": wired,
                "floors": floors,
                "api_errors": errors, "apologies": apologies, "unknown_command": unknown,
                "calls_per_update": per_update}
    finally:
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


async def run_echo(count: int) -> list[float]:
    api = BotApiStandIn()
    request = StandInRequest(api)
    application = (Application.builder().token(OFFLINE_TOKEN).request(request)
                   .get_updates_request(request).build())

    async def echo(update: Update, _context: Any) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await application.initialize()
    timed = Timed(application, api)
    rng = random.Random(3)
    users = [ChatUser(timed, 500 + n, f"Echo{n}") for n in range(200)]  # type: ignore[arg-type]
    try:
        for _ in range(count + WARMUP):
            await rng.choice(users).send(rng.choice(LOG_TEXTS))
    finally:
        await application.shutdown()
    return [seconds for _, seconds in timed.samples[WARMUP:]]


_AS_OBJECTS: dict[str, Any] = {"reply_markup": InlineKeyboardMarkup,
                               "reply_parameters": ReplyParameters,
                               "link_preview_options": LinkPreviewOptions}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


async def run_floor(recorded: list[tuple[dict[str, Any], list[ApiCall]]],
                    message_keys: list[tuple[int, int]], engine: AsyncEngine | None = None
                    ) -> tuple[list[float], int]:
    """The PTB floor: a bare Application with one handler that makes, for each update, exactly
    the Bot API calls CrossCoach made for it (same texts, keyboards and methods, through PTB's
    typed methods), with no coaching logic. No bot that answers like CrossCoach can be faster
    on PTB, so floor/echo bounds the ratio any such bot could reach.

    With `engine`, each update also does the least a bot that remembers its users must do, in
    SQLAlchemy Core: one transaction that reads the user's row and writes one column of it."""
    api = BotApiStandIn()
    # Edits target message ids from the full run; placeholders let them land.
    for chat_id, message_id in message_keys:
        api.messages[(chat_id, message_id)] = {
            "message_id": message_id, "date": 0, "text": "\u2063",
            "chat": {"id": chat_id, "type": "private", "first_name": "Runner"}}
    request = StandInRequest(api)
    application = (Application.builder().token(OFFLINE_TOKEN).request(request)
                   .get_updates_request(request).defaults(Defaults(parse_mode="HTML"))
                   .build())
    script = {update["update_id"]: calls for update, calls in recorded}
    failures = 0
    signatures: dict[str, set[str]] = {}

    users = User.__table__
    read_user = select(users.c.status, users.c.timezone).where(users.c.id == bindparam("uid"))
    touch_user = (sql_update(users).where(users.c.id == bindparam("uid"))
                  .values(last_seen_at=bindparam("now")))

    async def replay(update: Update, _context: Any) -> None:
        nonlocal failures
        bot = application.bot
        if engine is not None and update.effective_user is not None:
            uid = update.effective_user.id
            async with engine.begin() as conn:
                (await conn.execute(read_user, {"uid": uid})).first()
                await conn.execute(touch_user, {"uid": uid, "now": datetime.now(UTC)})
        for call in script.get(update.update_id, []):
            method = getattr(bot, _snake(call.method))
            if call.method not in signatures:
                signatures[call.method] = set(inspect.signature(method).parameters)
            # PTB's defaults add parse_mode to calls whose typed method does not take it.
            accepted = signatures[call.method]
            kwargs = {key: (_AS_OBJECTS[key].de_json(value, bot) if key in _AS_OBJECTS
                            and isinstance(value, dict) else value)
                      for key, value in call.params.items() if key in accepted}
            try:
                await method(**kwargs)
            except (TelegramError, TypeError):
                failures += 1

    application.add_handler(TypeHandler(Update, replay))
    await application.initialize()
    samples: list[float] = []
    try:
        for update, _calls in recorded:
            started = time.perf_counter()
            await application.process_update(Update.de_json(update, application.bot))
            samples.append(time.perf_counter() - started)
    finally:
        await application.shutdown()
    return samples[WARMUP:], failures


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _line(label: str, values: list[float]) -> str:
    rate = len(values) / sum(values)
    return (f"{label:<28} {rate:8.0f} updates/s   p50 {_pct(values, 50) * 1000:6.2f} ms   "
            f"p99 {_pct(values, 99) * 1000:6.2f} ms")


async def _with_database(kind: str, body: Callable[[str], Any]) -> Any:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cc_bench_") as tmp:
            return await body(f"sqlite+inloop:///{tmp}/bench.db")
    import asyncpg

    name = f"cc_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return await body(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}")
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def main_async(args: argparse.Namespace) -> int:
    mix = parse_mix(args.mix)
    print(f"{args.updates} updates per run after {WARMUP} warm-up; {args.population} users "
          f"already in the database; mix {args.mix}; rate limiter "
          f"{'ON' if args.keep_rate_limiter else 'off'}")
    echo = await run_echo(args.updates)
    print(_line("bare PTB echo", echo))
    echo_rate = len(echo) / sum(echo)
    for kind in args.databases.split(","):
        result = await _with_database(kind, lambda url: run_full(url, args, mix))
        samples = result["samples"]
        values = [seconds for _, seconds in samples]
        rate = len(values) / sum(values)
        print(f"--- {kind}: populated in {result['populate_s']:.1f} s; bench wired "
              f"{result['wired'] or 'nothing'}; Bot API errors {result['api_errors']}, "
              f"apologies {result['apologies']}, unknown-command replies "
              f"{result['unknown_command']}; Bot API calls per update "
              f"{result['calls_per_update']:.2f} (echo: 1)")
        print(_line(f"CrossCoach on {kind}", values))
        by_kind: dict[str, list[float]] = defaultdict(list)
        for name, seconds in samples:
            by_kind[name].append(seconds)
        for name in sorted(by_kind):
            print(_line(f"  {name} ({len(by_kind[name])})", by_kind[name]))
        print(f"ratio full/echo on {kind}: {rate / echo_rate:.3f} (goal >= 0.3 on SQLite); "
              f"p99 {_pct(values, 99) * 1000:.1f} ms (goal < 50 ms)")
        floor_ms = {}
        for name, label in (("bare", "PTB floor (same calls)"),
                            ("persist", "floor + 1 read, 1 write")):
            floor, failures = result["floors"][name]
            floor_ms[name] = 1000 * sum(floor) / len(floor)
            print(_line(f"  {label}", floor) + f"   replay failures {failures}   ratio to "
                  f"echo {len(floor) / sum(floor) / echo_rate:.3f}")
        own_ms = 1000 * sum(values) / len(values) - floor_ms["bare"]
        print(f"per update: PTB and the stand-in {floor_ms['bare']:.2f} ms, the least "
              f"persistence {floor_ms['persist'] - floor_ms['bare']:.2f} ms, all of "
              f"CrossCoach's own work {own_ms:.2f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--population", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--mix", default=DEFAULT_MIX)
    parser.add_argument("--keep-rate-limiter", action="store_true")
    parser.add_argument("--no-wire", action="store_true")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
