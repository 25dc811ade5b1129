"""Builds the MAX bot: an ordinary ``aiogram.Bot`` whose session talks to MAX (session.py), with the
same session middlewares as the Telegram bot, so the same dispatcher and handlers serve it."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commit_before_send import CommitBeforeSend
from bot.max.refs import DbRefs, Refs
from bot.max.session import MaxSession
from bot.paced_requests import PacedRequests, RetryPolicy
from bot.pacing import Pacer, PacingLimits
from bot.warm_types import warm_telegram_types
from porucheno.i18n import DEFAULT_LOCALE, gettext
from porucheno.settings import Settings
from services.messengers import max_address

# aiogram wants a Telegram-shaped token ("<digits>:<secret>"); the real MAX token lives in the
# session. The number is the bot's id in FSM storage keys: keep MAX state apart from Telegram's.
PLACEHOLDER_TOKEN = f"{max_address(0)}:max"


def create_max_pacer(settings: Settings) -> Pacer:
    """The pacer of the MAX bot (MAX's own limits, shared with its outbox sender)."""
    limits = PacingLimits(
        settings.max_send_rate, settings.send_burst, settings.max_send_chat_rate, settings.send_chat_burst
    )
    return Pacer(limits)


def create_max_bot(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    pacer: Pacer | None = None,
    refs: Refs | None = None,
) -> Bot:
    if not settings.max_token:
        raise ValueError("PORUCHENO_MAX_TOKEN is required for the MAX bot")
    session = MaxSession(
        settings.max_token,
        refs or DbRefs(session_factory),
        api_url=settings.max_api_url,
        retry_seconds=settings.max_retry_seconds,
    )
    bot = Bot(
        token=PLACEHOLDER_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    bot.session.middleware(CommitBeforeSend())  # first: commit, then wait for the pacer
    warm_telegram_types()
    retry = RetryPolicy(settings.send_retries, settings.send_retry_max_seconds)
    bot.session.middleware(PacedRequests(pacer or create_max_pacer(settings), retry))
    return bot


async def set_max_commands(bot: Bot, *, default_locale: str = DEFAULT_LOCALE) -> None:
    """The MAX bot's command list (MAX keeps one list, in the default language)."""
    from bot.factory import COMMANDS

    await bot.set_my_commands(
        [BotCommand(command=name, description=gettext(default_locale, text)) for name, text in COMMANDS]
    )
