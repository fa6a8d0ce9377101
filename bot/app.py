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
    BaseHandler,
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
from bot.telegram.handlers import account, basics, coaching, logbook, nudges, onboarding
from bot.telegram.handlers.errors import on_error
from bot.telegram.views.callbacks import pattern

Callback = Callable[[Update, CoachContext], Coroutine[Any, Any, None]]
Handler = BaseHandler[Update, CoachContext, None]

# A syntactically valid token for console mode and tests, where no real Telegram is involved.
OFFLINE_TOKEN = "7000001:offline-console-token"

# Handler groups run in order; a gate raising ApplicationHandlerStop ends processing. Within a
# group only the first matching handler runs, so the fallbacks go last in the main group.
# EDITS: an edited command stops there (only /log follows edits).
# CONVERT_ANSWERS: /convert's typed answers, after the onboarding gate (one handler per group).
# SETTLE: last, writes what the user gate learnt when no action wrote it.
EDITS, GATES, USER, CONVERSATIONS, CONVERT_ANSWERS, MAIN, SETTLE = -5, -4, -3, -2, -1, 0, 1


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


def handler_table() -> list[tuple[int, BaseHandler[Update, CoachContext, None]]]:
    """Every handler, in the order PTB tries them: (group, handler). Groups run in order and a
    gate raising ApplicationHandlerStop ends the update; within a group the first handler that
    matches runs, so each area's specific handlers come before the fallbacks."""
    new_message = filters.UpdateType.MESSAGE  # an edited old message is not a new command
    text = filters.TEXT & ~filters.COMMAND

    def command(name: str, callback: Callback) -> tuple[int, Handler]:
        return MAIN, CommandHandler(name, callback, filters=new_message)

    def buttons(prefix: str, callback: Callback) -> tuple[int, Handler]:
        # The codec decides the rest: malformed data reaches the handler and is "expired".
        return MAIN, CallbackQueryHandler(callback, pattern=pattern(prefix))

    return [
        # Gates.
        (EDITS, MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT,
                               basics.edits_are_not_commands)),
        (GATES, TypeHandler(Update, basics.private_chats_only)),
        (USER, TypeHandler(Update, basics.remember_user)),
        # Typed answers to the question a user is on come before any other reading of text.
        (CONVERSATIONS, MessageHandler(new_message & (text | filters.LOCATION),
                                       _settling(onboarding.on_text))),
        (CONVERT_ANSWERS, MessageHandler(new_message & text,
                                         _settling(coaching.on_typed_answer))),
        # Onboarding, settings, the injury and the menu.
        command("start", onboarding.start),
        command("help", basics.help_command),
        command("settings", onboarding.settings_command),
        command("injury", onboarding.injury_command),
        command("cancel", onboarding.cancel_command),
        buttons("ob", onboarding.on_button),
        buttons("st", onboarding.on_settings_button),
        buttons("mn", onboarding.on_menu_button),
        # The account.
        command("pause", account.pause_command),
        command("resume", account.resume_command),
        command("stop", account.stop_command),
        command("privacy", account.privacy_command),
        command("export", account.export_command),
        command("delete", account.delete_command),
        buttons("acct", account.on_delete_button),
        (MAIN, ChatMemberHandler(account.on_member_change, ChatMemberHandler.MY_CHAT_MEMBER)),
        # Coaching.
        command("suggest", coaching.suggest_command),
        command("convert", coaching.convert_command),
        command("week", coaching.week_command),
        buttons("sg", coaching.on_button),
        (MAIN, MessageHandler(new_message & text & coaching.ReplyToConvertPrompt(),
                              coaching.on_reply)),
        # Nudges.
        command("admin", nudges.admin),
        buttons("nd", nudges.on_button),
        # The log: commands, edits of logged messages, and plain text (which it reads once and
        # answers itself when it is not a log).
        command("log", logbook.log_command),
        command("history", logbook.history_command),
        command("stats", logbook.stats_command),
        (MAIN, MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, logbook.on_edit)),
        (MAIN, MessageHandler(new_message & text, logbook.on_text)),
        buttons("lg", logbook.on_button),
        # Fallbacks.
        (MAIN, MessageHandler(new_message & filters.COMMAND, basics.unknown_command)),
        (MAIN, MessageHandler(new_message & text, basics.fallback_text)),
        (MAIN, MessageHandler(new_message & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                              basics.not_text)),
        (MAIN, CallbackQueryHandler(basics.stale_button)),
        # What the user gate learnt, written when no action did.
        (SETTLE, TypeHandler(Update, basics.settle_presence)),
    ]


def _register_handlers(application: CoachApplication) -> None:
    for group, handler in handler_table():
        application.add_handler(handler, group=group)
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
