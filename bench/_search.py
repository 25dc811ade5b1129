"""The search figures: the panel's "contains" search over assignment titles, correspondent names and
appeals (number, subject, text, author), timed after the trigram indexes the migration makes on
PostgreSQL (``models.search_indexes``); SQLite scans, as in production.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench._common import timed
from models import User, UserRole, utcnow
from models.enums import Role
from models.search_indexes import create_statements
from services.appeals.queries import AppealFilters, list_appeals
from services.assignments.panel import ListQuery, count, list_page
from services.correspondents.directory import search as search_correspondents

_SCHEMA = text(
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'"
)


async def trigram_indexes(engine: AsyncEngine) -> float:
    """What the migration does on PostgreSQL (extension in ``public``, the GIN indexes); seconds."""
    if engine.dialect.name != "postgresql":
        return 0.0
    started = time.perf_counter()
    async with engine.begin() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        schema = (await conn.execute(_SCHEMA)).scalar_one()
        for statement in create_statements(schema):
            await conn.execute(text(statement))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _as_manager(
    factory: async_sessionmaker[AsyncSession],
    manager_id: int,
    fragment: str,
    call: Callable[..., Awaitable[object]],
) -> Callable[[], Awaitable[None]]:
    """``call(session, manager, query, now=...)`` for the assignments list searched by ``fragment``."""

    async def run() -> None:
        async with factory() as session:
            user = await session.get(User, manager_id)
            assert user is not None
            await call(session, user, ListQuery(status="all", text=fragment), now=utcnow())

    return run


async def search_results(
    factory: async_sessionmaker[AsyncSession], runs: int, *, title: str, name: str, common_title: str
) -> dict[str, dict[str, float]]:
    """``title``: a fragment few titles contain; ``common_title``: one every title contains (the worst
    case: the page is found at once, but a total would have to count every row). The assignments
    list times what the panel shows: the first page (keyset pagination, no total)."""
    async with factory() as session:
        manager = User(full_name="Руководитель", role_rows=[UserRole(role=Role.MANAGER)])
        session.add(manager)
        await session.commit()
        manager_id = manager.id

    async def correspondent_name() -> None:
        async with factory() as session:
            await search_correspondents(session, name)

    async def appeals_text() -> None:
        """The appeals list searched by a fragment (number, subject, text or the author's name)."""
        async with factory() as session:
            await list_appeals(session, AppealFilters(text=name))

    return {
        "search_assignment_title": await timed(_as_manager(factory, manager_id, title, list_page), runs),
        "search_assignment_title_in_every_row": await timed(
            _as_manager(factory, manager_id, common_title, list_page), runs
        ),
        "search_correspondent_name": await timed(correspondent_name, runs),
        "search_appeals": await timed(appeals_text, runs),
    }


async def count_results(
    factory: async_sessionmaker[AsyncSession], runs: int, *, title: str, common_title: str
) -> dict[str, dict[str, float]]:
    """Totals of the same searches: not a panel screen, so outside the search target."""
    async with factory() as session:
        manager_id = await session.scalar(select(User.id).where(User.full_name == "Руководитель"))
    assert manager_id is not None
    return {
        "count_assignment_title": await timed(_as_manager(factory, manager_id, title, count), runs),
        "count_assignment_title_in_every_row": await timed(
            _as_manager(factory, manager_id, common_title, count), runs
        ),
    }
