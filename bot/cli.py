"""The command line: `crosscoach run | content check | db upgrade` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crosscoach", description="CrossCoach Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the bot (console mode when no token is set)")
    run.add_argument("--webhook", action="store_true", help="serve Telegram webhooks over HTTP")
    content = sub.add_parser("content", help="content pack tools")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate a content pack")
    check.add_argument("directory", nargs="?", type=Path, default=None)
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply database migrations")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "content" and args.directory is not None:
        # Checking a pack needs no bot configuration at all.
        from bot.content.check import run_check

        return run_check(args.directory, sys.stdout)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"crosscoach: configuration error: {exc}", file=sys.stderr)
        return 2
    from bot.logging_setup import configure_logging, protect_standard_streams

    secrets = settings.secrets()
    # In console mode the terminal is the chat, so the log goes to a file beside the database.
    log_file = None
    if args.command == "run" and settings.console_mode:
        Path("data").mkdir(exist_ok=True)
        log_file = open(Path("data") / "crosscoach.log", "a", encoding="utf-8")  # noqa: SIM115
    else:
        # Whatever fails from here on, including an uncaught traceback, the token and the
        # webhook secret never reach stdout or stderr.
        protect_standard_streams(secrets)
    configure_logging(settings.log_level, secrets, log_file)
    if args.command == "content":
        from bot.content.check import run_check

        return run_check(settings.content_dir, sys.stdout)
    if args.command == "db":
        return asyncio.run(_db_upgrade(settings))
    return _run(settings, webhook=args.webhook)


async def _db_upgrade(settings: Settings) -> int:
    from bot.db.engine import Database, describe_database_error
    from bot.db.migrate import current_revision, upgrade

    db = Database(settings.database_url)
    try:
        await upgrade(db)
        print(f"database at revision {await current_revision(db)}")
    except Exception as exc:
        problem = describe_database_error(exc, settings.database_url)
        if problem is None:
            raise
        print(f"crosscoach: {problem}", file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    return 0


def _run(settings: Settings, *, webhook: bool) -> int:
    from bot.app import build_application
    from bot.content import ContentPackError

    try:
        if settings.console_mode:
            from bot.telegram.console import run_console
            from bot.telegram.standin import BotApiStandIn, StandInRequest

            api = BotApiStandIn()
            application = build_application(settings, StandInRequest(api))
            try:
                asyncio.run(run_console(application, api))
            except KeyboardInterrupt:
                print("\nBye! Run `make run` again to carry on where you left off.")
            return 0
        application = build_application(settings, webhook=webhook)
    except ContentPackError as exc:
        from bot.content.check import print_report

        print("crosscoach: refusing to start, the content pack is invalid:", file=sys.stderr)
        print_report(exc, sys.stderr)
        return 1
    try:
        if webhook:
            from bot.webhook import run_webhook

            return run_webhook(application, settings)
        log.info("Polling %s for updates", settings.telegram_api_base_url)
        application.run_polling(allowed_updates=["message", "edited_message", "callback_query",
                                                 "my_chat_member"])
    except Exception as exc:
        problem = asyncio.run(describe_start_failure(exc, settings))
        if problem is None:
            raise  # a bug, not a set-up problem: the traceback (secrets redacted) helps more
        print(f"crosscoach: cannot start: {problem}", file=sys.stderr)
        return 1
    return 0


async def describe_start_failure(exc: BaseException, settings: Settings) -> str | None:
    """The one line that names why the bot could not start, or None when it is not a set-up
    problem. Never includes the token: python-telegram-bot's InvalidToken message does, and a
    401 (wrong token) and a 404 (wrong TELEGRAM_API_BASE_URL, even with a good token) look
    the same from it, so getMe is asked once more to tell them apart."""
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.db.engine import describe_database_error

    root = settings.telegram_api_base_url
    if isinstance(exc, InvalidToken):
        return await _diagnose_get_me(settings)
    if isinstance(exc, NetworkError):
        return f"cannot reach the Bot API at {root} ({type(exc).__name__})"
    if isinstance(exc, TelegramError):
        return f"the Bot API at {root} refused to start the bot ({type(exc).__name__})"
    return describe_database_error(exc, settings.database_url)


async def _diagnose_get_me(settings: Settings) -> str:
    import httpx

    root = settings.telegram_api_base_url
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(f"{root}/bot{token}/getMe")
    except httpx.HTTPError as exc:
        return f"cannot reach the Bot API at {root} ({type(exc).__name__})"
    if response.status_code == 401:
        return "Telegram rejected the token (401)"
    if response.status_code == 404:
        return f"the Bot API answered 404 at {root}/bot…/getMe: check TELEGRAM_API_BASE_URL"
    return f"the Bot API answered {response.status_code} at {root}/bot…/getMe"
