"""Webhook mode: an ASGI app (Starlette, served by uvicorn) that feeds Telegram's updates to the
Application, as in python-telegram-bot's custom-webhook example, plus health and metrics.

Several worker processes may serve the same bot behind a reverse proxy. Everything they share
lives in the database: conversation state, nudge claims, and the processed-updates table that
drops an update Telegram delivers twice (possibly to two different workers).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import re
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.config import Settings
from bot.db.engine import Database
from bot.maintenance import purge_processed_updates as purge_updates
from bot.metrics import CONTENT_TYPE, Metrics
from bot.services import Services
from bot.telegram.context import services_of
from bot.update_order import PerUserOrder, user_key

log = logging.getLogger("bot.webhook")

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# Telegram updates are a few kilobytes; anything far bigger is not from Telegram.
MAX_BODY_BYTES = 1_000_000
# /healthz must answer while the database hangs, so a load balancer can take the worker out.
HEALTH_DB_TIMEOUT_SECONDS = 2.0
# ... and must not let anyone load the database: one check every few seconds at most.
HEALTH_CACHE_SECONDS = 5.0
# A worker stops working on an update this long before its lease runs out.
LEASE_MARGIN_SECONDS = 5.0
# Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# Any Application type: the webhook needs only process_update, bot, bot_data and job_queue.
AnyApplication = Any


def create_asgi_app(application: AnyApplication, settings: Settings,
                    metrics: Metrics) -> Starlette:
    """The ASGI app for one worker. `application` must be initialized before requests arrive."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        # Never serve an endpoint that anyone on the internet could feed updates into.
        raise ValueError("WEBHOOK_SECRET must be set to serve webhooks")
    secret = settings.webhook_secret.get_secret_value().encode()
    metrics_token = (settings.metrics_token.get_secret_value().encode()
                     if settings.metrics_token else None)
    metrics_public = metrics_token is None and not _is_loopback(settings.webhook_host)
    lease = timedelta(seconds=settings.update_lease_seconds)
    order = PerUserOrder()
    health = HealthCache()

    def services() -> Services:
        return services_of(application)

    async def telegram(request: Request) -> Response:
        offered = request.headers.get(SECRET_HEADER, "").encode()
        # compare_digest takes the same time however many leading characters match.
        if not hmac.compare_digest(offered, secret):
            metrics.reject("forbidden")
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            metrics.reject("malformed")
            return PlainTextResponse("too large", status_code=413)
        update = _parse(body, application)
        if update is None:
            metrics.reject("malformed")
            return PlainTextResponse("malformed update", status_code=400)

        repository = services().updates
        # Processed before answering, so the next update of the same chat (which Telegram sends
        # after our 200) sees this one's state; `order` keeps that true for updates that arrive
        # side by side anyway, and the claim across workers.
        async with order.turn(update):
            claim = await repository.acquire(update.update_id, services().clock.now(),
                                             user_id=user_key(update), lease=lease)
            if claim == "duplicate":
                # Telegram (or a retrying proxy) sent it again; it was processed already.
                metrics.reject("duplicate")
                return PlainTextResponse("duplicate")
            if claim == "busy":
                # Another worker is on this update, or on another update of this user, right
                # now. Not a 200: Telegram retries later (any other status) and holds the
                # chat's next update back meanwhile, so the user's updates never run side by
                # side, and if that worker died, the retry after its lease takes it over.
                # 409 rather than 503: a proxy must not count it as a failed worker (nginx's
                # max_fails would) nor pass it to another worker, which is equally busy.
                metrics.reject("busy")
                return PlainTextResponse("busy, retry later", status_code=409,
                                         headers={"Retry-After": "1"})
            started = time.perf_counter()
            try:
                # Handler errors are caught by PTB and go to the error handler; what escapes
                # here is a failure of the machinery itself, or the lease running out.
                async with asyncio.timeout(processing_budget(settings.update_lease_seconds)):
                    await application.process_update(update)
            except Exception:
                log.exception("Update %s failed outside the handlers", update.update_id)
                # Let Telegram's redelivery try again rather than lose the update.
                await _quietly(repository.release(update.update_id))
                return PlainTextResponse("error", status_code=500)
            finally:
                metrics.observe_update(time.perf_counter() - started)
            # If this write fails the update still was processed: answer 200 so Telegram does
            # not send it again; the unfinished claim simply runs out.
            await _quietly(repository.finish(update.update_id, services().clock.now()))
        return PlainTextResponse("ok")

    async def healthz(_request: Request) -> Response:
        database = await health.database(services().db)
        content = "ok" if services().content.sessions else "empty"
        healthy = database == "ok" and content == "ok"
        return JSONResponse({"database": database, "content": content},
                            status_code=200 if healthy else 503)

    async def metrics_endpoint(request: Request) -> Response:
        if metrics_public:
            # Bound to a public address with no token: /metrics does not exist here.
            return PlainTextResponse("not found", status_code=404)
        if metrics_token is not None:
            offered = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(offered, b"Bearer " + metrics_token):
                return PlainTextResponse("unauthorized", status_code=401,
                                         headers={"WWW-Authenticate": "Bearer"})
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return Starlette(routes=[
        Route(WEBHOOK_PATH, telegram, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ])


def processing_budget(lease_seconds: float) -> float:
    """How long a worker may work on one update: its lease, less a margin for clock skew
    between workers. After that another worker may have taken the update again, so the worker
    gives up (and releases the claim) rather than run beside it."""
    return lease_seconds - min(LEASE_MARGIN_SECONDS, lease_seconds / 4)


async def _quietly(step: Awaitable[object]) -> None:
    try:
        await step
    except Exception:
        log.warning("Could not record the outcome of an update", exc_info=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bounded_int(text: str) -> int:
    """json.loads' int parser: Telegram's numbers all fit a signed 64-bit integer (the
    database's BIGINT); a bigger one is not from Telegram and must not reach the database."""
    if len(text) > 20:
        raise ValueError("number too long")
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError("number out of range")
    return value


def _parse(body: bytes, application: AnyApplication) -> Update | None:
    try:
        data = json.loads(body, parse_int=_bounded_int)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int) \
                or isinstance(data.get("update_id"), bool) or data["update_id"] < 0:
            return None
        return Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        # RecursionError: JSON nested deeper than the interpreter's stack, which Telegram
        # never sends; it must be a 400, not an unhandled 500.
        return None


class HealthCache:
    """The database part of /healthz, asked at most once every HEALTH_CACHE_SECONDS: /healthz
    is reachable by anyone who can reach the worker, and must not be a way to load the
    database."""

    def __init__(self, ttl: float = HEALTH_CACHE_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._monotonic = monotonic
        self._answer: str | None = None
        self._at = 0.0
        self._lock = asyncio.Lock()

    async def database(self, db: Database) -> str:
        async with self._lock:  # callers arriving together share one check
            if self._answer is None or self._monotonic() - self._at >= self._ttl:
                self._answer = "ok" if await database_reachable(db) else "down"
                self._at = self._monotonic()
            return self._answer


async def database_reachable(db: Database) -> bool:
    """`SELECT 1` within HEALTH_DB_TIMEOUT_SECONDS; any failure counts as down."""
    try:
        async with asyncio.timeout(HEALTH_DB_TIMEOUT_SECONDS), db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # refused, DNS, auth, timeout: all mean "down" to a balancer
        log.warning("Health check: database unreachable (%s)", type(exc).__name__)
        return False
    return True


# -- running a worker ---------------------------------------------------------------------------


def webhook_problem(settings: Settings) -> str | None:
    """The one line an operator should read when webhook mode is misconfigured, else None."""
    if not settings.webhook_url:
        return "WEBHOOK_URL must be set for --webhook (the public https:// base URL)"
    if not settings.webhook_url.startswith(("https://", "http://")):
        return ("WEBHOOK_URL must start with https:// (http:// works only with a local Bot API "
                "server)")
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        return "WEBHOOK_SECRET must be set for --webhook"
    if not _SECRET_RE.match(settings.webhook_secret.get_secret_value()):
        return "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
    return None


def run_webhook(application: AnyApplication, settings: Settings) -> int:
    """Serve webhooks until SIGTERM or Ctrl-C; the exit status for the command line."""
    problem = webhook_problem(settings)
    if problem is not None:
        print(f"crosscoach: configuration error: {problem}", file=sys.stderr)
        return 2
    return asyncio.run(_serve(application, settings))


def metrics_of(application: AnyApplication) -> Metrics:
    """The process's Metrics, shared with the nudge jobs so /metrics shows them too."""
    return services_of(application).metrics


async def purge_processed_updates(context: Any) -> None:
    """JobQueue callback (registered by the composition root in webhook mode)."""
    await purge_updates(services_of(context.application))


async def _serve(application: AnyApplication, settings: Settings) -> int:
    import uvicorn  # only webhook mode needs the server

    assert settings.webhook_url is not None and settings.webhook_secret is not None
    url = settings.webhook_url.rstrip("/") + WEBHOOK_PATH
    metrics = metrics_of(application)
    server = uvicorn.Server(uvicorn.Config(
        create_asgi_app(application, settings, metrics), host=settings.webhook_host,
        port=settings.webhook_port, log_config=None, access_log=False, lifespan="off",
        # Telegram waits for our answer; keep-alive lets the proxy reuse connections.
        timeout_keep_alive=30,
    ))
    # python-telegram-bot's own lifecycle with no updater (its customwebhookbot example):
    # initialize, post_init (migrations, menu, jobs), start the job queue, serve, stop.
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(
            url=url, secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
    except Exception:
        # The command line names the problem in one line (bot.cli.describe_start_failure);
        # python-telegram-bot's own message for a rejected token contains the token.
        await _shutdown(application, started=False)
        raise
    await application.start()  # the job queue: nudges (on the sender worker) and the purge
    log.info("Webhook worker listening on %s:%s for %s", settings.webhook_host,
             settings.webhook_port, url)
    try:
        with _signals_end_serving():
            await server.serve()
    finally:
        await _shutdown(application, started=True)
    log.info("Webhook worker stopped")
    return 0


async def _shutdown(application: AnyApplication, *, started: bool) -> None:
    if started and application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


@contextmanager
def _signals_end_serving() -> Iterator[None]:
    """uvicorn turns SIGTERM/SIGINT into a graceful stop, then re-raises the signal with the
    handler it found. Installing a quiet handler first means that re-raise does not kill the
    process before the Application has stopped its jobs and closed the database."""
    quiet = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, previous in quiet.items():
            signal.signal(sig, previous)
