"""Builds the Bot and the Dispatcher. Everything handlers need is injected here, nothing at import."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.albums import Albums, create_albums
from bot.commit_before_send import CommitBeforeSend
from bot.i18n import N_, CatalogI18n
from bot.inline_filters import run_filters_inline
from bot.middlewares import CleanTextMiddleware, DbSessionMiddleware, LocaleMiddleware, ObserveMiddleware
from bot.paced_requests import PacedRequests, RetryPolicy
from bot.pacing import Pacer, PacingLimits
from bot.polling import ConfirmingDispatcher
from bot.prefs import PREFS_DESTINY
from bot.response_types import BotSession
from bot.routing import FastDispatcher
from bot.turn import TurnMiddleware
from bot.warm_types import warm_telegram_types
from handlers import create_menu, create_router
from porucheno.i18n import DEFAULT_LOCALE, gettext
from porucheno.settings import DEFAULT_BOT_API_URL, SUPPORTED_LOCALES, Settings
from services.messengers import Messenger
from services.metrics import Metrics
from services.notify import NoticeContext
from services.offload import Offload

COMMANDS = (
    ("start", N_("Start over")),
    ("menu", N_("Main menu")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current action")),
    ("applications", N_("My applications")),
    ("subscribe", N_("Receive the news mailings")),
    ("unsubscribe", N_("Stop the news mailings")),
)


def create_pacer(settings: Settings) -> Pacer:
    """The process's one pacer: shared by the bot's requests and the outbox sender."""
    limits = PacingLimits(
        settings.send_rate, settings.send_burst, settings.send_chat_rate, settings.send_chat_burst
    )
    return Pacer(limits)


def create_bot(
    settings: Settings, *, session: AiohttpSession | None = None, pacer: Pacer | None = None
) -> Bot:
    if session is None:
        api = None
        if settings.bot_api_url.rstrip("/") != DEFAULT_BOT_API_URL:
            # A self-hosted Bot API server, or the sandbox in demo mode and tests.
            api = TelegramAPIServer.from_base(settings.bot_api_url.rstrip("/"))
        session = BotSession(api=api) if api is not None else BotSession()
    bot = Bot(
        token=settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    bot.session.middleware(CommitBeforeSend())  # first: commit, then wait for the pacer
    warm_telegram_types()
    retry = RetryPolicy(settings.send_retries, settings.send_retry_max_seconds)
    bot.session.middleware(PacedRequests(pacer or create_pacer(settings), retry))
    return bot


def _storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.base import DefaultKeyBuilder

        from bot.redis_fsm import TurnRedisStorage

        # with_destiny: residents' preferences live beside their conversation state (bot/prefs.py);
        # the locale middleware reads them on every update, so they come with the chat's lock.
        return TurnRedisStorage.from_url(
            settings.redis_url,
            key_builder=DefaultKeyBuilder(with_destiny=True),
            prefetch=(PREFS_DESTINY,),
        )
    return MemoryStorage()


def _isolation(storage: BaseStorage) -> BaseEventIsolation:
    # Updates of one chat are handled one at a time, so a double tap cannot race itself in the FSM
    # or the database. With Redis the lock is shared between processes.
    create = getattr(storage, "create_isolation", None)
    return create() if create is not None else SimpleEventIsolation()


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    storage: BaseStorage | None = None,
    metrics: Metrics | None = None,
    messenger: Messenger = Messenger.TELEGRAM,
    offload: Offload | None = None,
    albums: Albums | None = None,
) -> Dispatcher:
    """``albums``: collects album parts for the file handlers (default: in Redis when the FSM is)."""
    storage = storage or _storage(settings)
    if albums is None:
        albums = create_albums(storage, prefix=f"porucheno:album:{messenger.value}")
    i18n = CatalogI18n(default_locale=settings.locale)
    # Telegram's long polling confirms an update only once it is handled (bot/polling.py); MAX's
    # polling is translated by its session and keeps aiogram's own loop.
    dispatcher_class = ConfirmingDispatcher if messenger is Messenger.TELEGRAM else FastDispatcher
    dp = dispatcher_class(
        storage=storage,
        events_isolation=_isolation(storage),
        settings=settings,
        session_factory=session_factory,
        i18n=i18n,
        menu=create_menu(),
        notice_ctx=NoticeContext.from_settings(settings),
        offload=offload,  # the render pool for charts (/stats); None: a thread
        albums=albums,  # the handlers taking files get it as their ``albums`` argument
    )
    # Order: aiogram's own (errors, user context, FSM) → log context and metrics (times all
    # the rest) → clean text → database → locale (reads the staff user).
    dp.update.outer_middleware(ObserveMiddleware(metrics, messenger.value))
    dp.update.outer_middleware(CleanTextMiddleware())
    dp.update.outer_middleware(DbSessionMiddleware(session_factory))
    dp.update.outer_middleware(LocaleMiddleware(i18n))
    dp.update.outer_middleware(TurnMiddleware())  # reads what the two above injected
    dp.include_router(create_router())
    run_filters_inline(dp)  # aiogram would hop to a thread for each F-filter (bot/inline_filters.py)
    return dp


async def set_bot_commands(bot: Bot, *, default_locale: str = DEFAULT_LOCALE) -> None:
    """The command list in Telegram's «Menu» button, per user language (default: Russian)."""
    scope = BotCommandScopeAllPrivateChats()

    def commands(locale: str) -> list[BotCommand]:
        return [BotCommand(command=name, description=gettext(locale, text)) for name, text in COMMANDS]

    await bot.set_my_commands(commands(default_locale), scope=scope)
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(commands(locale), scope=scope, language_code=locale)
