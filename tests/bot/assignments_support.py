"""Shared pieces of the assignment bot tests: a running outbox sender, a small town, forged presses."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import User, utcnow
from models.enums import Role
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from sandbox.runner import RunningSandbox
from services import staff
from services.assignments import commands, reports
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.notify import NoticeContext
from tests.bot.conftest import Chat

_telegram_ids = itertools.count(710_000_001)

PNG_1 = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(48))
PNG_2 = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(100, 160))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(name="outbox")
async def outbox_fixture(
    bot: Bot, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[OutboxSender]:
    """The real outbox sender, so notices queued by the services reach the chats.

    It drains in a loop rather than ``run()``: with ``chat_interval=0`` a fetch made while a send is
    in flight can send that message a second time (reported to the lead); draining never overlaps.
    """
    sender = OutboxSender(
        bot, session_factory, global_rate=100, chat_interval=0, files_dir=settings.files_dir
    )
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            await sender.drain()
            await asyncio.sleep(0.03)

    task = asyncio.create_task(loop())
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


@dataclass
class Person:
    id: int
    chat: Chat


@dataclass
class Town:
    department_id: int
    controller: Person
    executor: Person
    colleague: Person  # the executor's department mate
    outsider: Person  # another department
    ctx: NoticeContext


async def _person(
    session: AsyncSession, client: SandboxClient, name: str, roles: tuple[str, ...], department_id: int
) -> Person:
    telegram_id = next(_telegram_ids)
    user = await staff.create_user(
        session,
        Actor.system(),
        full_name=name,
        roles=roles,
        department_id=department_id,
        telegram_id=telegram_id,
    )
    await client.register_user(user_id=telegram_id, first_name=name.split()[1], language_code="ru")
    return Person(user.id, Chat(client, telegram_id))


@pytest.fixture(name="town")
async def town_fixture(
    client: SandboxClient,
    polling: None,
    outbox: OutboxSender,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> Town:
    async with session_factory() as session:
        housing = await staff.create_department(session, Actor.system(), "Отдел ЖКХ")
        roads = await staff.create_department(session, Actor.system(), "Отдел дорожного хозяйства")
        town = Town(
            department_id=housing.id,
            controller=await _person(
                session, client, "Кузнецова Ольга Викторовна", (Role.CONTROLLER,), housing.id
            ),
            executor=await _person(session, client, "Попов Игорь Петрович", (Role.EXECUTOR,), housing.id),
            colleague=await _person(session, client, "Сидоров Пётр Ильич", (Role.EXECUTOR,), housing.id),
            outsider=await _person(session, client, "Орлова Нина Павловна", (Role.EXECUTOR,), roads.id),
            ctx=NoticeContext.from_settings(settings),
        )
        await session.commit()
    return town


async def create_assignment(
    session_factory: async_sessionmaker[AsyncSession],
    town: Town,
    title: str = "Очистить от снега двор дома 5 по ул. Ленина",
    *,
    deadline: datetime | None = None,
    now: datetime | None = None,
    executor_id: int | None = None,
) -> int:
    """As the author would in the creation conversation: through the service, notices included."""
    async with session_factory() as session:
        author = await session.get(User, town.controller.id)
        assert author is not None
        a = await commands.create(
            session,
            author,
            commands.NewAssignment(
                title=title,
                deadline=deadline or utcnow() + timedelta(days=2),
                executor_id=executor_id or town.executor.id,
            ),
            now=now,
            notify=town.ctx,
        )
        await session.commit()
        return a.id


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Inline button label → callback data."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["text"]: b.get("callback_data", "") for row in rows for b in row}


def press_data(sandbox: RunningSandbox, chat: Chat, message_id: int, data: str) -> str:
    """Press a callback button with arbitrary data on a bot message of the user's own chat — what a
    modified client can send. The control API only presses existing buttons, so go to the state."""
    state = sandbox.state
    record = state.find_chat(chat.user_id)
    assert record is not None
    message = record.messages[message_id]
    return state.press_callback(message, state.users[chat.user_id], data).id


def stored_bytes(settings: Settings, storage_path: str) -> bytes:
    return Path(settings.files_dir, storage_path).read_bytes()


async def submit_report(
    session_factory: async_sessionmaker[AsyncSession], town: Town, aid: int, text: str = "Сделано"
) -> None:
    """Bring an assignment to review through the services (the bot side is tested elsewhere)."""
    async with session_factory() as session:
        executor = await session.get(User, town.executor.id)
        assert executor is not None
        await commands.transition(session, executor, aid, Action.ACKNOWLEDGE)
        draft = await reports.open_draft(session, executor, aid)
        await reports.set_text(session, executor, draft.id, text)
        await reports.submit(session, executor, draft.id, notify=town.ctx)
        await session.commit()
