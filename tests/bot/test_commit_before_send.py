"""The user is never told about a change that is not saved yet: a handler's writes are committed
before its reply leaves, even while the handler is still running; a later failure rolls back only
what came after the reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares import DbSessionMiddleware
from bot.runner import run_polling
from models import Department
from sandbox.client import SandboxClient
from services import staff
from services.audit import Actor

release = asyncio.Event()
handled = asyncio.Event()


async def mark_handled(handler, event, data):  # type: ignore[no-untyped-def]
    """Outermost: set once the session middleware inside has committed or rolled back."""
    try:
        return await handler(event, data)
    finally:
        handled.set()


async def probe(message: Message, session: AsyncSession) -> None:
    await staff.create_department(session, Actor.system("test"), "Отдел до ответа")
    await message.answer("Отдел создан")
    await release.wait()  # the handler is still running while the test looks at the database
    await staff.create_department(session, Actor.system("test"), "Отдел после ответа")
    raise RuntimeError("the handler fails after its reply")


@pytest.fixture
async def probe_polling(bot: Bot, session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(mark_handled)
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_factory))
    router = Router()
    router.message.register(probe, Command("probe"))
    dispatcher.include_router(router)
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(bot, dispatcher, stop_event=stop, polling_timeout=1))
    yield
    release.set()
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def _departments(factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with factory() as session:
        return list((await session.scalars(select(Department.name).order_by(Department.id))).all())


async def test_reply_follows_the_commit(
    probe_polling: None, client: SandboxClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    release.clear()
    handled.clear()
    user = await client.register_user(first_name="Анна")
    await client.send_text(user["id"], "/probe")
    await client.wait_for(user["id"], contains="Отдел создан")
    assert await _departments(session_factory) == ["Отдел до ответа"]  # saved although the handler still runs
    release.set()
    await asyncio.wait_for(handled.wait(), timeout=10)
    assert await _departments(session_factory) == ["Отдел до ответа"]  # the failure after it rolled back
