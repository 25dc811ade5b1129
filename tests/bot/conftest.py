"""End-to-end fixtures: the fake Telegram (sandbox), the real bot polling it, and a simulated user.

Every test runs on SQLite and on PostgreSQL (``settings`` comes from ``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_bot, create_dispatcher
from bot.runner import run_polling
from models import TelegramAccount, User
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox
from services import invites, staff
from services.audit import Actor
from tests.sandbox_support import running_sandbox

_user_ids = itertools.count(700_000_001)

# What a resident (anyone not bound to staff) sees as the main menu keyboard.
RESIDENT_MENU = [
    "Профиль",
    "Написать обращение",
    "Мои обращения",
    "Указать телефон",
    "Мои адреса",
    "Отключения по адресу",
    "Сообщить об отключении",
    "🎟 Мероприятия",
    "🙋 Волонтёрство",
    "📝 Анкеты и заявки",
    "Язык",
    "Помощь",
]


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    # Limits stay enforced, but a test plays a whole conversation in well under a second, which
    # Telegram's 3-message per-chat burst would not allow.
    async with running_sandbox(SandboxConfig(chat_burst=30, chat_rate_per_sec=30)) as running:
        yield running


def relaxed_settings(settings: Settings, sandbox: RunningSandbox, **changes: Any) -> Settings:
    """Settings for the bot against the relaxed sandbox above: its own per-chat pacing matches the
    sandbox's per-chat limit (with Telegram's 1/s every reply of a conversation waits a second)."""
    update = {"bot_api_url": sandbox.base_url, "send_chat_rate": 30.0, "send_chat_burst": 30}
    return settings.model_copy(update=update | changes)


@pytest.fixture
def bot_settings(settings: Settings, sandbox: RunningSandbox) -> Settings:
    return relaxed_settings(settings, sandbox)


@pytest.fixture
async def bot(bot_settings: Settings) -> AsyncIterator[Bot]:
    instance = create_bot(bot_settings)
    try:
        yield instance
    finally:
        await instance.session.close()


@pytest.fixture
def dispatcher(bot_settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> Dispatcher:
    return create_dispatcher(bot_settings, session_factory)


@asynccontextmanager
async def polling_while(bot: Bot, dp: Dispatcher) -> AsyncIterator[None]:
    """The bot polling with this dispatcher until the block ends (a restart is two such blocks)."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(bot, dp, stop_event=stop, polling_timeout=1))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def polling(bot: Bot, dispatcher: Dispatcher) -> AsyncIterator[None]:
    """The real polling loop in the background, stopped cleanly at teardown."""
    async with polling_while(bot, dispatcher):
        yield


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[SandboxClient]:
    tg = SandboxClient(sandbox.base_url)
    try:
        yield tg
    finally:
        await tg.close()


@dataclass
class Chat:
    """One simulated Telegram user talking to the bot."""

    client: SandboxClient
    user_id: int

    async def send(self, text: str, *, expect: str | None = None) -> dict[str, Any]:
        """Send text and return the bot's answer (the first one containing ``expect``, if given)."""
        await self.client.send_text(self.user_id, text)
        return await self.reply(expect)

    async def reply(self, contains: str | None = None, *, within: float = 10.0) -> dict[str, Any]:
        """The first bot message since our last action (containing ``contains``, if given)."""
        return await self.client.wait_for(self.user_id, contains=contains, timeout=within)

    async def press(self, message: dict[str, Any], text: str) -> str:
        """Tap a button of ``message`` (reply keyboard or inline) by its label."""
        return await self.client.press(self.user_id, message["message_id"], text=text)

    async def callback_answer(self, query_id: str, *, within: float = 10.0) -> dict[str, Any]:
        """How the bot answered callback query ``query_id`` (waits until it has)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            queries = await self.client.callback_queries(self.user_id)
            query = next(q for q in queries if str(q["id"]) == query_id)
            if query["answered"]:
                return query
            if loop.time() > deadline:
                raise AssertionError(f"callback query {query_id} was never answered")
            await asyncio.sleep(0.02)


@pytest.fixture
async def new_chat(client: SandboxClient, polling: None):  # type: ignore[no-untyped-def]
    """Factory: a freshly registered Telegram user (polling is already running)."""

    async def make(
        first_name: str = "Иван", *, language_code: str = "ru", username: str | None = None
    ) -> Chat:
        user_id = next(_user_ids)
        await client.register_user(
            user_id=user_id, first_name=first_name, username=username, language_code=language_code
        )
        return Chat(client, user_id)

    return make


def keyboard_texts(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("keyboard") or markup.get("inline_keyboard") or []
    return [button["text"] for row in rows for button in row]


# -- database helpers (through the services, as the admin panel would) ------------------------------


async def make_staff(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    full_name: str = "Петрова Анна Сергеевна",
    roles: tuple[str, ...] = ("manager", "executor"),
    department: str | None = "Отдел ЖКХ",
    locale: str | None = None,
) -> int:
    async with session_factory() as session:
        dept_id = None
        if department:
            dept_id = (await staff.create_department(session, Actor.system(), department)).id
        user = await staff.create_user(
            session, Actor.system(), full_name=full_name, roles=roles, department_id=dept_id
        )
        user.locale = locale
        await session.commit()
        return user.id


async def make_invite(
    session_factory: async_sessionmaker[AsyncSession], user_id: int, *, ttl: timedelta = timedelta(hours=1)
) -> str:
    async with session_factory() as session:
        _invite, token = await invites.create_invite(session, Actor.system(), user_id, ttl=ttl)
        await session.commit()
        return token


async def get_user(session_factory: async_sessionmaker[AsyncSession], user_id: int) -> User:
    async with session_factory() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def get_account(session_factory: async_sessionmaker[AsyncSession], telegram_id: int) -> TelegramAccount:
    async with session_factory() as session:
        account = await session.scalar(select(TelegramAccount).where(TelegramAccount.id == telegram_id))
        assert account is not None
        return account
