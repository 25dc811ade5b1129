"""Shared pieces of the dispatch bot tests: a small town with subscribed residents, the outbox.

Houses: ул. Ленина 1, 3, 5, 7, 9к1, 10, 12; ул. Мира 2, 4; the school at ул. Школьная 5.
Residents (sandbox users): ``lenina1``, ``lenina3``, ``lenina12`` follow those houses, ``both``
follows Ленина 5 and Мира 2, ``mira4`` follows Мира 4, ``school`` follows the school.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import Building, OutboxMessage
from models.enums import OutboxStatus, Role
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.runner import RunningSandbox
from services import staff
from services.addresses import import_buildings
from services.audit import Actor
from services.notify import NoticeContext
from services.outages import subscriptions
from services.telegram_accounts import TelegramProfile, touch_account
from tests.bot.conftest import Chat

_ids = itertools.count(720_000_001)

REGISTRY_CSV = (
    "Улица;Дом;Тип объекта;Название\n"
    + "".join(f"ул. Ленина;{h};;\n" for h in ("1", "3", "5", "7", "9к1", "10", "12"))
    + "ул. Мира;2;;\nул. Мира;4;;\nул. Школьная;5;школа;Школа № 2\n"
)
FOLLOWS = {
    "lenina1": ["ул. Ленина 1"],
    "lenina3": ["ул. Ленина 3"],
    "lenina12": ["ул. Ленина 12"],
    "both": ["ул. Ленина 5", "ул. Мира 2"],
    "mira4": ["ул. Мира 4"],
    "school": ["ул. Школьная 5"],
}


@dataclass
class Town:
    dispatcher: Chat
    dispatcher_id: int
    executor: Chat  # staff without the dispatcher role
    houses: dict[str, int]  # "ул. Ленина 1" → building id
    residents: dict[str, Chat]
    accounts: dict[str, int]  # resident → telegram account id
    sender: OutboxSender
    ctx: NoticeContext
    session_factory: async_sessionmaker[AsyncSession]

    async def queued(self, n: int) -> None:
        """Wait until ``n`` messages wait in the outbox: the bot commits an update's work only after
        its last answer is sent, so what a reply announces may not be visible yet."""

        async def waiting() -> bool:
            async with self.session_factory() as session:
                count = await session.scalar(
                    select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
                )
            return (count or 0) >= n

        await eventually(waiting)

    async def deliver(self, queued: int) -> None:
        """Send the ``queued`` messages (once committed), as the service's outbox sender would."""
        await self.queued(queued)
        await self.sender.drain()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Wait until ``check`` holds (a handler's transaction commits just after its reply is sent)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{check.__name__} did not hold within {within}s")
        await asyncio.sleep(0.02)


async def _staff_chat(
    session: AsyncSession, client: SandboxClient, name: str, role: Role
) -> tuple[int, Chat]:
    telegram_id = next(_ids)
    user = await staff.create_user(
        session, Actor.system(), full_name=name, roles=(role,), telegram_id=telegram_id
    )
    await client.register_user(user_id=telegram_id, first_name=name.split()[1], language_code="ru")
    return user.id, Chat(client, telegram_id)


@pytest.fixture(name="town")
async def town_fixture(
    client: SandboxClient,
    polling: None,
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> Town:
    async with session_factory() as session:
        dispatcher_id, dispatcher = await _staff_chat(
            session, client, "Морозов Денис Олегович", Role.DISPATCHER
        )
        _, executor = await _staff_chat(session, client, "Попов Игорь Петрович", Role.EXECUTOR)
        await import_buildings(
            session, REGISTRY_CSV.encode(), actor=Actor.system("test"), filename="town.csv"
        )
        houses = {f"{b.street} {b.house}": b.id for b in (await session.scalars(select(Building))).all()}
        residents, accounts = {}, {}
        for name, addresses in FOLLOWS.items():
            telegram_id = next(_ids)
            await client.register_user(user_id=telegram_id, first_name=name, language_code="ru")
            await touch_account(
                session, TelegramProfile(id=telegram_id, chat_id=telegram_id, first_name=name)
            )
            for a in addresses:
                await subscriptions.subscribe(session, telegram_id, houses[a])
            residents[name], accounts[name] = Chat(client, telegram_id), telegram_id
        await session.commit()
    sender = OutboxSender(bot, session_factory, global_rate=100, chat_interval=0)
    return Town(
        dispatcher,
        dispatcher_id,
        executor,
        houses,
        residents,
        accounts,
        sender,
        NoticeContext.from_settings(settings),
        session_factory,
    )


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["text"] for row in rows for b in row]


def press_data(sandbox: RunningSandbox, chat: Chat, message_id: int, data: str) -> str:
    """Press a callback button with arbitrary data (what a modified client can send)."""
    state = sandbox.state
    record = state.find_chat(chat.user_id)
    assert record is not None
    return state.press_callback(record.messages[message_id], state.users[chat.user_id], data).id


async def notices_of(chat: Chat) -> list[str]:
    return [m["text"] or "" for m in await chat.client.bot_messages(chat.user_id)]
