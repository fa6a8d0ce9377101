"""Update-processing benchmark: the full CrossCoach Application against python-telegram-bot
baselines, all over the in-process Bot API stand-in (no network). Prints figures only.

Run from the project root:

    .venv/bin/python bench/updates.py [--updates 2000] [--population 100000]
        [--databases sqlite,postgres] [--mix onboarding=30,suggest=20,log=30,button=20]
        [--sequential] [--keep-rate-limiter]

Goals: full/floor >= 0.35 on SQLite with 100,000 users; CrossCoach's p99 <= 5 ms on SQLite and
<= 10 ms on PostgreSQL.

For each database (SQLite in a temp file; PostgreSQL on 127.0.0.1:5432, user postgres, trust
auth, in a database it creates and drops) it migrates, bulk-inserts `--population` onboarded
users with profiles, then draws `--updates` updates (after WARMUP updates that are not
counted) from the mix: onboarding steps of new users (each user's steps in order), /suggest,
log replies and free-text logs, and taps on the buttons the bot last sent (suggestion and log
keyboards).

Every update goes to four bots, each an Application over its own stand-in, timed inside
`process_update` (Update.de_json included):
- CrossCoach, as `build_application` makes it;
- "PTB floor": a bare Application whose one handler makes exactly the Bot API calls CrossCoach
  made for that update (same methods, texts and keyboards, through PTB's typed methods), with no
  logic and no database. No bot that answers like CrossCoach can be faster on PTB, so full/floor
  says how much of the reachable speed CrossCoach keeps;
- "floor + 1 read, 1 write": the floor plus one Core transaction on CrossCoach's engine that
  reads the user's row and writes one column, the least a bot that remembers its users does;
- a bare PTB echo bot: replies to a message with its text, answers a callback query.

Interleaved (the default), the bots take turns, one update each, so machine noise (shared cores,
other processes, frequency changes) falls on all of them alike instead of on whichever ran
during a burst. CrossCoach goes first on each update, since the floors replay the calls it made;
the other three follow in an order that rotates by one each update. The order matters:
whichever runs straight after CrossCoach finds the CPU caches full of CrossCoach's data, and on
SQLite its median time was 15-20% longer there (floor 0.93 against 0.80 ms, echo 0.48 against
0.40 ms). A fixed order would put that on one bot alone (on the floor, flattering full/floor);
rotating gives each bot the first place on a third of the updates.
`--sequential` runs each bot through the whole stream before the next starts (CrossCoach, the
floor, the floor with persistence, the echo), as this bench used to; the stream is the same.

Per database it prints full/floor and full/echo (throughputs: N / summed time), CrossCoach's
p50/p99, throughput and latency of each bot and each update kind, a split of an update's time,
and per update kind what CrossCoach asked of the database, counted with SQLAlchemy events on its
engine (read engine included), in a pass of CrossCoach alone that continues the stream after
the timed one, so the listeners' cost stays out of the timings:
- statements: everything sent with a cursor (`before_cursor_execute`);
- transactions: begin ... commit/rollback blocks that opened a database transaction, and of
  those the writing ones, which ran at least one statement other than SELECT/PRAGMA. A block
  that opened none is counted as "reads outside a transaction": on PostgreSQL the autocommit
  read engine; on SQLite any block of reads only, since the sqlite3 module (which our in-loop
  driver runs) sends BEGIN only before a write, so a SELECT runs in SQLite's own autocommit;
- checkouts: connections taken from the pool.

Last, on the counted pass's updates, a bound: the floor alone against the floor that also sends
exactly the SQL CrossCoach sent for each update, as raw driver statements in the same blocks
(writes rolled back). Its ratio is the best full/floor any bot could reach that makes
CrossCoach's Bot API calls and CrossCoach's statements on this stack, whatever its logic; the
gap between it and full/floor is CrossCoach's own logic and SQLAlchemy's statement building.

One deliberate departure from production, printed in the header: the AIORateLimiter is switched
off (`--keep-rate-limiter` keeps it). It holds every process to Telegram's ~30 chat messages a
second, which would measure Telegram's limit rather than our code.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, event, insert, select  # noqa: E402
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
    CallbackQueryHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.models import Profile, User  # noqa: E402
from bot.telegram.context import services_of  # noqa: E402
from bot.telegram.standin import ApiCall, BotApiStandIn, StandInRequest  # noqa: E402
from tests.harness import BotMessage, ChatUser  # noqa: E402

try:
    from bot.telegram.handlers.errors import APOLOGY
except ImportError:  # the handlers are being reorganised; the opening words are enough to count
    APOLOGY = "Sorry, something went wrong"

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CONTENT_DIR = ROOT / "content"
# A syntactically valid token for the bare baselines; no real Telegram is involved.
TOKEN = "7000001:bench-offline-token"
DEFAULT_MIX = "onboarding=30,suggest=20,log=30,button=20"
KINDS = ("onboarding", "suggest", "log", "button")
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
GOAL_FLOOR_RATIO = 0.35  # on SQLite with 100,000 users
GOAL_P99_MS = {"sqlite": 5.0, "postgres": 10.0}

Recorded = tuple[dict[str, Any], list[ApiCall]]


class Timed:
    """One bot under test: feeds an update through `process_update`, records the time and
    returns the Bot API calls it caused."""

    def __init__(self, application: Any, api: BotApiStandIn) -> None:
        self.application = application
        self.api = api
        self.samples: list[float] = []

    async def feed(self, update: dict[str, Any]) -> list[ApiCall]:
        first_call = len(self.api.calls)
        started = time.perf_counter()
        await self.application.process_update(Update.de_json(update, self.application.bot))
        self.samples.append(time.perf_counter() - started)
        return self.api.calls[first_call:]

    @property
    def counted(self) -> list[float]:
        return self.samples[WARMUP:]

    async def shutdown(self) -> None:
        await self.application.shutdown()


def _bare_application(api: BotApiStandIn, defaults: Defaults | None = None) -> Any:
    request = StandInRequest(api)
    builder = Application.builder().token(TOKEN).request(request).get_updates_request(request)
    if defaults is not None:
        builder = builder.defaults(defaults)
    return builder.build()


_AS_OBJECTS: dict[str, Any] = {"reply_markup": InlineKeyboardMarkup,
                               "reply_parameters": ReplyParameters,
                               "link_preview_options": LinkPreviewOptions}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Floor(Timed):
    """The PTB floor: a bare Application with one handler that makes, for the update it is
    given, exactly the Bot API calls CrossCoach made for it, with no coaching logic.

    With `engine`, each update also does the least a bot that remembers its users must do, in
    SQLAlchemy Core: one transaction that reads the user's row and writes one column of it."""

    def __init__(self, engine: AsyncEngine | None = None) -> None:
        api = BotApiStandIn()
        # CrossCoach's texts are HTML, as its Defaults say.
        super().__init__(_bare_application(api, Defaults(parse_mode="HTML")), api)
        self.engine = engine
        self.script: list[ApiCall] = []
        # With `statements`, the floor sends CrossCoach's own SQL instead of the least
        # persistence (see StatementFloor).
        self.blocks: list[_Recorded] = []
        self.failures = 0
        self._signatures: dict[str, set[str]] = {}
        self._read_user = select(User.status, User.timezone).where(User.id == bindparam("uid"))
        self._touch_user = (sql_update(User).where(User.id == bindparam("uid"))
                            .values(last_seen_at=bindparam("now")))
        self.application.add_handler(TypeHandler(Update, self._replay))

    async def replay(self, update: dict[str, Any], calls: list[ApiCall]) -> None:
        for call in calls:
            # Edits target CrossCoach's message ids, which this stand-in never handed out; a
            # placeholder (outside the timed part) lets them land.
            if "message_id" in call.params and "chat_id" in call.params:
                key = (int(call.params["chat_id"]), int(call.params["message_id"]))
                self.api.messages.setdefault(key, {
                    "message_id": key[1], "date": 0, "text": "\u2063",
                    "chat": {"id": key[0], "type": "private", "first_name": "Runner"}})
        self.script = calls
        await self.feed(update)

    async def _replay(self, update: Update, _context: Any) -> None:
        bot = self.application.bot
        await self._database(update)
        await self._calls(bot)

    async def _database(self, update: Update) -> None:
        if self.engine is not None and update.effective_user is not None:
            uid = update.effective_user.id
            async with self.engine.begin() as conn:
                (await conn.execute(self._read_user, {"uid": uid})).first()
                await conn.execute(self._touch_user, {"uid": uid, "now": datetime.now(UTC)})

    async def _calls(self, bot: Any) -> None:
        for call in self.script:
            method = getattr(bot, _snake(call.method))
            if call.method not in self._signatures:
                self._signatures[call.method] = set(inspect.signature(method).parameters)
            # PTB's defaults add parse_mode to calls whose typed method does not take it.
            accepted = self._signatures[call.method]
            kwargs = {key: (_AS_OBJECTS[key].de_json(value, bot) if key in _AS_OBJECTS
                            and isinstance(value, dict) else value)
                      for key, value in call.params.items() if key in accepted}
            try:
                await method(**kwargs)
            except (TelegramError, TypeError):
                self.failures += 1


@dataclass
class _Recorded:
    """One block of statements CrossCoach sent on one connection, as the driver received them."""

    writing: bool
    statements: list[tuple[str, Any]]


class StatementFloor(Floor):
    """The floor plus exactly the SQL CrossCoach sent for the update, on its engine, as raw
    driver statements in the same blocks (a block that wrote runs in a transaction that is then
    rolled back, so replaying changes nothing). It skips SQLAlchemy's compiling and the ORM, so
    it is a bound: no bot that makes CrossCoach's calls and sends CrossCoach's statements
    through this stack can be faster, whatever its logic."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)

    async def replay_with(self, update: dict[str, Any], calls: list[ApiCall],
                          blocks: list[_Recorded]) -> None:
        self.blocks = blocks
        await self.replay(update, calls)

    async def _database(self, _update: Update) -> None:
        assert self.engine is not None
        for block in self.blocks:
            async with self.engine.connect() as conn:
                if not block.writing:
                    for statement, params in block.statements:
                        await conn.exec_driver_sql(statement, params)
                    continue
                transaction = await conn.begin()
                for statement, params in block.statements:
                    await conn.exec_driver_sql(statement, params)
                await transaction.rollback()


class Echo(Timed):
    """The bare PTB echo bot: a message gets its text back, a callback query its answer."""

    def __init__(self) -> None:
        api = BotApiStandIn()
        super().__init__(_bare_application(api), api)

        async def echo(update: Update, _context: Any) -> None:
            assert update.message is not None and update.message.text is not None
            await update.message.reply_text(update.message.text)

        async def answer(update: Update, _context: Any) -> None:
            assert update.callback_query is not None
            await update.callback_query.answer()

        self.application.add_handler(MessageHandler(filters.TEXT, echo))
        self.application.add_handler(CallbackQueryHandler(answer))

    async def replay(self, update: dict[str, Any], _calls: list[ApiCall]) -> None:
        await self.feed(update)


# Statement openings that change no data: reads, and savepoints (which nest inside a write).
_NOT_WRITES = ("SELECT", "PRAGMA", "SAVEPO", "RELEAS", "ROLLBA")


@dataclass
class _Block:
    """One begin ... commit/rollback on a connection."""

    kind: str
    autocommit: bool
    statements: int = 0
    writing: bool = False
    sent: list[tuple[str, Any]] = field(default_factory=list)


class DatabaseCounter:
    """Counts what CrossCoach asks of its database, per update kind, with engine events.

    Only updates with `kind` set are counted, so the floor's own transaction on the same engine
    stays out. Listening costs CrossCoach time on every statement, so it listens only in a
    pass of its own after the timed one."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.kind: str | None = None
        self.sqlite = engine.dialect.name == "sqlite"
        self.updates: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.transactions: Counter[str] = Counter()
        self.writing: Counter[str] = Counter()
        self.outside: Counter[str] = Counter()
        self.checkouts: Counter[str] = Counter()
        # The blocks of the update being counted, for StatementFloor.
        self.recorded: list[_Recorded] = []
        self._open: dict[Any, _Block] = {}
        sync = engine.sync_engine
        self._listeners: list[tuple[Any, str, Callable[..., None]]] = [
            (sync, "begin", self._begin), (sync, "before_cursor_execute", self._statement),
            (sync, "commit", self._end), (sync, "rollback", self._end),
            (sync, "checkout", self._checkout)]
        for target, name, listener in self._listeners:
            event.listen(target, name, listener)

    def remove(self) -> None:
        for target, name, listener in self._listeners:
            event.remove(target, name, listener)

    def _begin(self, conn: Any) -> None:
        if self.kind is not None:
            level = conn.get_execution_options().get("isolation_level")
            self._open[conn] = _Block(self.kind, autocommit=level == "AUTOCOMMIT")

    def _statement(self, conn: Any, _cursor: Any, statement: str, parameters: Any,
                   *_rest: Any) -> None:
        block = self._open.get(conn)
        if block is None:
            return
        block.statements += 1
        block.sent.append((statement, parameters))
        if statement.lstrip()[:6].upper() not in _NOT_WRITES:
            block.writing = True

    def _end(self, conn: Any) -> None:
        block = self._open.pop(conn, None)
        if block is None or block.statements == 0:
            # Both drivers begin lazily: a block that ran nothing cost the database nothing.
            return
        self.statements[block.kind] += block.statements
        self.recorded.append(_Recorded(block.writing, block.sent))
        # sqlite3 (legacy transaction control) sends BEGIN only before a write.
        if block.autocommit or (self.sqlite and not block.writing):
            self.outside[block.kind] += 1
        else:
            self.transactions[block.kind] += 1
            self.writing[block.kind] += block.writing

    def _checkout(self, *_args: Any) -> None:
        if self.kind is not None:
            self.checkouts[self.kind] += 1

    def lines(self) -> list[str]:
        lines = []
        for kind in (*KINDS, "all"):
            def per(counter: Counter[str], kind: str = kind) -> float:
                if kind == "all":
                    return counter.total() / max(1, self.updates.total())
                return counter[kind] / max(1, self.updates[kind])

            if kind != "all" and not self.updates[kind]:
                continue
            lines.append(f"  {kind}: {per(self.statements):.2f} statements, "
                         f"{per(self.transactions):.2f} transactions "
                         f"({per(self.writing):.2f} writing), {per(self.outside):.2f} reads "
                         f"outside a transaction, {per(self.checkouts):.2f} checkouts "
                         f"per update")
        return lines


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


class Traffic:
    """The update stream, and what every ChatUser takes as its Telegram: each update goes to
    CrossCoach first, counted under its kind when a DatabaseCounter listens, then the update and
    CrossCoach's Bot API calls go to `then` (the other bots' turns, or a recording).

    `run` can be called again to continue the same stream: users pick up where they left off."""

    def __init__(self, full: Timed, population: int, mix: dict[str, float],
                 then: Callable[[dict[str, Any], list[ApiCall]], Awaitable[None]]) -> None:
        self.full = full
        self.api = full.api
        self.then = then
        self.counter: DatabaseCounter | None = None
        self.kind = ""
        self.kinds: list[str] = []
        self.derailed = 0  # onboarding users dropped because the bot did not ask as expected
        self._population = population
        self._mix = mix
        self._rng = random.Random(7)
        self._new_ids = itertools.count(population + 1)
        self._onboarding: list[tuple[BenchUser, int]] = []  # (user, next step)
        self._regulars: dict[int, BenchUser] = {}

    async def feed(self, update: dict[str, Any]) -> None:
        if self.counter is not None:
            self.counter.kind = self.kind
            self.counter.updates[self.kind] += 1
            self.counter.recorded = []
        try:
            calls = await self.full.feed(update)
        finally:
            if self.counter is not None:
                self.counter.kind = None
        self.kinds.append(self.kind)
        await self.then(update, calls)

    def _regular(self) -> BenchUser:
        user_id = self._rng.randrange(1, self._population + 1)
        if user_id not in self._regulars:
            self._regulars[user_id] = BenchUser(self, user_id, f"Runner{user_id}")  # type: ignore[arg-type]
        return self._regulars[user_id]

    async def run(self, count: int) -> None:
        """Feed `count` more updates drawn from the mix, each user acting on what the bot last
        sent them."""
        rng, onboarding = self._rng, self._onboarding
        kinds, weights = list(self._mix), list(self._mix.values())
        total = len(self.full.samples) + count
        while len(self.full.samples) < total:
            kind = rng.choices(kinds, weights)[0]
            self.kind = kind
            if kind == "onboarding":
                if len(onboarding) < IN_PROGRESS:
                    user_id = next(self._new_ids)
                    onboarding.append((BenchUser(self, user_id, f"New{user_id}"), 0))  # type: ignore[arg-type]
                index = rng.randrange(len(onboarding))
                user, step = onboarding[index]
                action, value = ONBOARDING[step]
                try:
                    await (user.send(value) if action == "send" else user.press(value))
                except AssertionError:
                    # The bot did not offer this step's button (an error, or a changed flow):
                    # the user is stuck, and dropping them keeps the bench running while
                    # handlers move.
                    self.derailed += 1
                    onboarding.pop(index)
                    continue
                if step + 1 == len(ONBOARDING):
                    onboarding.pop(index)
                else:
                    onboarding[index] = (user, step + 1)
            elif kind == "suggest":
                await self._regular().send("/suggest")
            elif kind == "log":
                user = self._regular()
                text = rng.choice(LOG_TEXTS)
                try:  # half the logs answer the bot's last message, as replies to a nudge do
                    target = user.last_bot_message() if rng.random() < 0.5 else None
                except LookupError:
                    target = None
                await user.send(text, reply_to=target)
            else:  # a tap on the buttons the bot sent this user last
                regulars = list(self._regulars.values())
                user = rng.choice(regulars) if regulars else self._regular()
                try:
                    message = user.last_with_buttons()
                except LookupError:
                    self.kind = "suggest"
                    await user.send("/suggest")
                    continue
                label = rng.choice(message.labels[:3])
                await user.press(label, on=message)


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in KINDS:
            raise SystemExit(f"unknown mix entry {name!r}")
        mix[name.strip()] = float(weight)
    return mix


def _settings(database_url: str) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=None,
                    database_url=database_url, content_dir=CONTENT_DIR, nudge_sender=False)


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


@dataclass
class Run:
    """What one database's run measured: seconds per counted update for each bot."""

    full: list[float]
    kinds: list[str]  # the kind of each of `full`
    floor: list[float]
    persist: list[float]
    echo: list[float]
    replay_failures: int
    counter: DatabaseCounter
    populate_s: float
    api_errors: int
    apologies: int
    unknown_command: int
    calls_per_update: float
    derailed: int
    # On the counted pass's updates: the floor, and the floor sending CrossCoach's statements.
    bound_floor: list[float] = field(default_factory=list)
    bound: list[float] = field(default_factory=list)


async def run_database(database_url: str, args: argparse.Namespace, mix: dict[str, float]
                       ) -> Run:
    api = BotApiStandIn()
    application = build_application(_settings(database_url), StandInRequest(api))
    if not args.keep_rate_limiter:
        application.bot._rate_limiter = None  # see the module docstring
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)  # migrations
    full = Timed(application, api)
    engine = services_of(application).db.engine
    floor, persist, echo = Floor(), Floor(engine), Echo()
    others: list[Floor | Echo] = [floor, persist, echo]
    counter: DatabaseCounter | None = None
    try:
        for bot in others:
            await bot.application.initialize()
        seconds = await _populate(application, args.population)
        recorded: list[Recorded] = []

        async def interleave(update: dict[str, Any], calls: list[ApiCall]) -> None:
            # Rotate who runs straight after CrossCoach (see the module docstring).
            turn = len(full.samples) % len(others)
            for bot in others[turn:] + others[:turn]:
                await bot.replay(update, calls)

        async def record(update: dict[str, Any], calls: list[ApiCall]) -> None:
            recorded.append((update, calls))

        async def nothing(_update: dict[str, Any], _calls: list[ApiCall]) -> None:
            return None

        traffic = Traffic(full, args.population, mix, record if args.sequential else interleave)
        gc.collect()  # the population's garbage would otherwise be collected mid-run
        await traffic.run(WARMUP + args.updates)
        for bot in others if args.sequential else []:
            gc.collect()
            for update, calls in recorded:
                await bot.replay(update, calls)
        timed = len(full.samples)
        texts = [str(call.params.get("text", "")) for call in api.calls
                 if call.method in ("sendMessage", "editMessageText", "answerCallbackQuery")]
        result = Run(
            full=full.samples[WARMUP:], kinds=traffic.kinds[WARMUP:], floor=floor.counted,
            persist=persist.counted, echo=echo.counted,
            replay_failures=floor.failures + persist.failures,
            counter=DatabaseCounter(engine), populate_s=seconds,
            api_errors=sum(1 for call in api.calls if call.result is None),
            apologies=sum(1 for text in texts if APOLOGY in text),
            unknown_command=sum(1 for text in texts if "I don't know the command" in text),
            calls_per_update=len(api.calls) / max(1, timed), derailed=traffic.derailed)
        # The same stream continues, CrossCoach alone, while the counter listens.
        counter = result.counter
        replays: list[tuple[dict[str, Any], list[ApiCall], list[_Recorded]]] = []

        async def keep(update: dict[str, Any], calls: list[ApiCall]) -> None:
            assert counter is not None
            replays.append((update, calls, counter.recorded))

        traffic.counter, traffic.then = counter, keep
        await traffic.run(max(1, args.updates // 4))
        # Then the bound: the floor alone and the floor sending CrossCoach's own statements,
        # taking turns on those updates.
        bound_floor, bound = Floor(), StatementFloor(engine)
        others += [bound_floor, bound]
        for bot in (bound_floor, bound):
            await bot.application.initialize()
        for index, (update, calls, blocks) in enumerate(replays):
            pair = [bound_floor.replay(update, calls), bound.replay_with(update, calls, blocks)]
            for step in pair if index % 2 else reversed(pair):
                await step
        result.bound_floor, result.bound = bound_floor.samples, bound.samples
        return result
    finally:
        if counter is not None:
            counter.remove()
        for bot in others:
            await bot.shutdown()
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _rate(values: list[float]) -> float:
    return len(values) / sum(values)


def _line(label: str, values: list[float]) -> str:
    return (f"{label:<28} {_rate(values):8.0f} updates/s   p50 {_pct(values, 50) * 1000:6.2f} ms"
            f"   p99 {_pct(values, 99) * 1000:6.2f} ms")


def report(kind: str, run: Run, args: argparse.Namespace) -> None:
    full, floor, persist, echo = run.full, run.floor, run.persist, run.echo
    p99_goal = GOAL_P99_MS.get(kind)
    # The ratio lines stand alone, right under the database's name, so they are easy to pick out.
    print(f"--- {kind}")
    print(f"full/floor: {_rate(full) / _rate(floor):.2f}")
    print(f"full/echo: {_rate(full) / _rate(echo):.2f}")
    print(f"CrossCoach p50 {_pct(full, 50) * 1000:.2f} ms, p99 {_pct(full, 99) * 1000:.2f} ms "
          f"(goals: full/floor >= {GOAL_FLOOR_RATIO} on SQLite with 100,000 users"
          + (f"; p99 <= {p99_goal:g} ms on {kind}" if p99_goal else "") + ")")
    print(f"setup: {args.population} users populated in {run.populate_s:.1f} s; Bot API calls "
          f"per update {run.calls_per_update:.2f} (echo: 1); Bot API errors {run.api_errors}, "
          f"apologies {run.apologies}, unknown-command replies {run.unknown_command}, "
          f"onboarding users derailed {run.derailed}; floor replay failures "
          f"{run.replay_failures}")
    print(_line(f"CrossCoach on {kind}", full))
    by_kind: dict[str, list[float]] = defaultdict(list)
    for name, seconds in zip(run.kinds, full, strict=True):
        by_kind[name].append(seconds)
    for name in sorted(by_kind):
        print(_line(f"  {name} ({len(by_kind[name])})", by_kind[name]))
    print(_line("PTB floor (same calls)", floor))
    print(_line("floor + 1 read, 1 write", persist))
    print(_line("bare PTB echo", echo))
    floor_ms = 1000 * sum(floor) / len(floor)
    persist_ms = 1000 * sum(persist) / len(persist)
    own_ms = 1000 * sum(full) / len(full) - floor_ms
    print(f"per update: PTB and the stand-in {floor_ms:.2f} ms, the least persistence "
          f"{persist_ms - floor_ms:.2f} ms, all of CrossCoach's own work {own_ms:.2f} ms")
    print(f"CrossCoach's database work per update kind (a further {max(1, args.updates // 4)} "
          "updates, counted with engine events):")
    for line in run.counter.lines():
        print(line)
    if run.bound:
        ratio = _rate(run.bound) / _rate(run.bound_floor)
        print(_line("floor + CrossCoach's SQL", run.bound) + "   (on those updates)")
        print(f"bound on full/floor with CrossCoach's statements on this stack: {ratio:.2f} "
              "(the floor sending exactly CrossCoach's SQL as raw driver statements, with no "
              "other work)")


async def _with_database(kind: str, body: Callable[[str], Awaitable[Run]]) -> Run:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cc_bench_") as tmp:
            return await body(f"sqlite+inloop:///{tmp}/bench.db")
    if kind != "postgres":
        raise SystemExit(f"unknown database {kind!r} (sqlite or postgres)")
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
    mode = ("sequential: each bot runs the whole stream in turn" if args.sequential else
            "interleaved: the bots take turns, one update each")
    print(f"{args.updates} updates per run after {WARMUP} warm-up; {args.population} users "
          f"already in the database; mix {args.mix}; rate limiter "
          f"{'ON' if args.keep_rate_limiter else 'off'}; {mode}")
    for kind in args.databases.split(","):
        run = await _with_database(kind, lambda url: run_database(url, args, mix))
        report(kind, run, args)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--population", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--mix", default=DEFAULT_MIX)
    parser.add_argument("--sequential", action="store_true",
                        help="run each bot through the whole stream in turn (noisier ratios)")
    parser.add_argument("--keep-rate-limiter", action="store_true")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
