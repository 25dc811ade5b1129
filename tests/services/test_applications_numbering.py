"""Numbers «З-<year>-<seq>» stay unique when applications arrive at the same moment: two sessions
register concurrently and get different numbers (on PostgreSQL the transactions truly overlap; SQLite
serialises its writers, which must not turn into a refusal either)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Application, User
from services.applications import intake
from tests.services.applications_support import make_setup


async def test_concurrent_applications_get_distinct_numbers(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        s = await make_setup(session)
        await session.commit()
        type_id, manager_id = s.kind.id, s.manager.id

    async def register(title: str) -> str:
        async with session_factory() as session:
            manager = await session.get(User, manager_id)
            assert manager is not None
            application = await intake.enter_in_panel(
                session, intake.PanelEntry(type_id, title), actor=manager
            )
            await asyncio.sleep(0.2)  # hold the transaction open so the other one clashes
            await session.commit()
            return application.number

    numbers = await asyncio.gather(*(register(f"Объект {i}") for i in range(4)))
    assert len(set(numbers)) == 4
    async with session_factory() as session:
        stored = sorted(await session.scalars(select(Application.number)))
    assert stored == sorted(numbers) and all(n.startswith("З-") for n in stored)
