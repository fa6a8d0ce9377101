"""The composition root: the one place that builds the Application and wires everything."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content import ContentPack, load_pack
from bot.db.migrate import upgrade
from bot.maintenance import PURGE_INTERVAL_SECONDS, purge_processed_updates
from bot.nudges.sweep import register_jobs as register_nudge_jobs
from bot.services import Services
from bot.telegram.commands import COMMANDS
from bot.telegram.context import SERVICES_KEY, CoachApplication, CoachContext, services_of
from bot.telegram.handlers import account, basics, coaching, nudges, onboarding
from bot.telegram.handlers import logbook as log_handlers
from bot.telegram.handlers.errors import on_error

Callback = Callable[[Update, CoachContext], Coroutine[Any, Any, None]]

# A syntactically valid token for console mode and tests, where no real Telegram is involved.
OFFLINE_TOKEN = "7000001:offline-console-token"

# Handler groups run in order; a gate raising ApplicationHandlerStop ends processing. Within a
# group only the first matching handler runs, so the fallbacks go last in the main group.
# EDITS: an edited command stops there (only /log follows edits).
# CONVERT_ANSWERS: /convert's typed answers, after the onboarding gate (one handler per group).
# SETTLE: last, writes what the user gate learnt when no action wrote it.
EDITS, GATES, CONVERSATIONS, CONVERT_ANSWERS, MAIN, SETTLE = -5, -4, -2, -1, 0, 1



async def _post_init(application: CoachApplication) -> None:
    services = services_of(application)
    await upgrade(services.db)
    register_nudge_jobs(application)
    if application.updater is None and application.job_queue is not None:
        # Webhook workers keep update ids to drop Telegram's redeliveries; forget old ones.
        application.job_queue.run_repeating(
            _purge_job, interval=PURGE_INTERVAL_SECONDS, first=60.0,
            name="purge-processed-updates", job_kwargs={"max_instances": 1, "coalesce": True})
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in COMMANDS]
    )


async def _purge_job(context: CoachContext) -> None:
    await purge_processed_updates(context.services)


async def _post_shutdown(application: CoachApplication) -> None:
    await services_of(application).db.dispose()


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    *,
    clock: Clock | None = None,
    content: ContentPack | None = None,
    webhook: bool = False,
) -> CoachApplication:
    """Build the bot. `request` replaces the HTTPS layer (console mode and tests). A `webhook`
    worker has no updater: updates come from bot.webhook's server."""
    content = content if content is not None else load_pack(settings.content_dir)
    services = Services.create(settings, clock or SystemClock(), content)

    token = (settings.telegram_bot_token.get_secret_value()
             if settings.telegram_bot_token else OFFLINE_TOKEN)
    root = settings.telegram_api_base_url
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(AIORateLimiter(max_retries=0))
        .context_types(ContextTypes(context=CoachContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if webhook:
        builder = builder.updater(None)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: CoachApplication = builder.build()
    application.bot_data[SERVICES_KEY] = services
    _register_handlers(application)
    return application


def _register_handlers(application: CoachApplication) -> None:
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT,
                       basics.edits_are_not_commands), group=EDITS)
    application.add_handler(TypeHandler(Update, basics.private_chats_only), group=GATES)
    application.add_handler(TypeHandler(Update, basics.remember_user), group=GATES + 1)

    # Typed answers to the question a user is on come before any other reading of text.
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ((filters.TEXT & ~filters.COMMAND)
                                                     | filters.LOCATION),
                       _settling(onboarding.on_text)),
        group=CONVERSATIONS,
    )
    convert_answers = coaching.typed_answer_handler()
    convert_answers.callback = _settling(convert_answers.callback)
    application.add_handler(convert_answers, group=CONVERT_ANSWERS)

    commands = {
        "start": onboarding.start, "help": basics.help_command,
        "settings": onboarding.settings_command, "injury": onboarding.injury_command,
        "cancel": onboarding.cancel_command, "pause": account.pause_command,
        "resume": account.resume_command, "stop": account.stop_command,
        "privacy": account.privacy_command, "export": account.export_command,
        "delete": account.delete_command,
    }
    for name, callback in commands.items():
        # New messages only: an edited old command is not a new one.
        application.add_handler(CommandHandler(name, callback,
                                               filters=filters.UpdateType.MESSAGE), group=MAIN)
    # Callback data that does not have the shape these handlers build falls through to the
    # catch-all ("That button has expired") instead of reaching them: "ob:<step>:<value>".
    application.add_handler(CallbackQueryHandler(onboarding.on_button,
                                                 pattern=r"^ob:[a-z_]{1,32}:"), group=MAIN)
    application.add_handler(CallbackQueryHandler(onboarding.on_settings_button, pattern=r"^st:"),
                            group=MAIN)
    application.add_handler(
        CallbackQueryHandler(onboarding.on_menu_button, pattern=r"^mn:(week|stats)$"), group=MAIN)
    application.add_handler(CallbackQueryHandler(account.on_delete_button,
                                                 pattern=r"^acct:(delete|keep)$"), group=MAIN)
    application.add_handler(ChatMemberHandler(account.on_member_change,
                                              ChatMemberHandler.MY_CHAT_MEMBER), group=MAIN)

    coaching.register(application)
    nudges.register(application)
    log_handlers.register(application)
    _register_fallbacks(application)
    application.add_handler(TypeHandler(Update, basics.settle_presence), group=SETTLE)
    application.add_error_handler(on_error)


def _settling(callback: Callback) -> Callback:
    """For a handler that ends the update early (ApplicationHandlerStop): the SETTLE group will
    not run, so the presence is written here when the handler's action did not write it."""

    async def run(update: Update, context: CoachContext) -> None:
        try:
            await callback(update, context)
        except ApplicationHandlerStop:
            await basics.settle_presence(update, context)
            raise

    return run


def _register_fallbacks(application: CoachApplication) -> None:
    new_message = filters.UpdateType.MESSAGE
    application.add_handler(
        MessageHandler(new_message & filters.COMMAND, basics.unknown_command), group=MAIN
    )
    application.add_handler(
        MessageHandler(new_message & filters.TEXT & ~filters.COMMAND, basics.fallback_text),
        group=MAIN,
    )
    application.add_handler(
        MessageHandler(new_message & ~filters.TEXT & ~filters.StatusUpdate.ALL, basics.not_text),
        group=MAIN,
    )
    application.add_handler(CallbackQueryHandler(basics.stale_button), group=MAIN)
