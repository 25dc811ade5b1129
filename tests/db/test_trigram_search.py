"""The panel's "contains" search after migration: right rows on both backends and, on PostgreSQL,
served by the pg_trgm indexes the migration makes (``models.search_indexes``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import Assignment, User, UserRole, utcnow
from models.db import create_engine, create_session_factory
from models.enums import Role
from models.search_indexes import TRIGRAM_INDEXES
from porucheno.migrate import upgrade_async
from services.appeals.queries import AppealFilters, list_appeals
from services.assignments.panel import ListQuery, count, list_page
from services.correspondents.directory import search as search_correspondents
from tests.bulk_appeals import add_appeals

ROWS = 3000


@pytest.fixture
async def migrated(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    now = utcnow()
    async with engine.begin() as conn:
        await conn.execute(insert(User), [{"id": 1, "full_name": "Руководитель"}])
        await conn.execute(insert(UserRole), [{"user_id": 1, "role": Role.MANAGER}])
        await conn.execute(
            insert(Assignment),
            [
                {
                    "title": "Ремонт КРОВЛИ школы" if i == 7 else f"Поручение {i}",
                    "text": "",
                    "status": "new",
                    "priority": "normal",
                    "author_id": 1,
                    "deadline": now + timedelta(days=i % 30),
                    "version": 1,
                    "returns_count": 0,
                }
                for i in range(ROWS)
            ],
        )
        await add_appeals(
            conn,
            ROWS,
            now,
            subject=lambda i: "Яма во дворе" if i == 11 else None,
            text=lambda i: "Прошу заменить ЛАМПУ у подъезда" if i == 12 else "",
        )
        if conn.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_search_finds_the_rows_on_both_backends(migrated: AsyncEngine) -> None:
    async with create_session_factory(migrated)() as session:
        user = await session.get(User, 1)
        assert user is not None
        q = ListQuery(status="all", text="кровли")
        page = await list_page(session, user, q, now=utcnow())
        assert [a.title for a in page.items] == ["Ремонт КРОВЛИ школы"]
        assert (
            await count(session, user, ListQuery(status="all", text="Поручение 29"), now=utcnow()) == 111
        )  # 29, 290..299, 2900..2999
        assert [c.name for c in await search_correspondents(session, "ЖИТЕЛЬ 1234")] == ["Житель 1234"]
        for fragment, expected in (
            ("яма", ["2026-000012"]),
            ("лампу", ["2026-000013"]),
            ("2026-00015", [f"2026-{n:06d}" for n in range(150, 160)]),
            ("житель 2500", ["2026-002501"]),
        ):
            rows, total = await list_appeals(session, AppealFilters(text=fragment))
            assert [a.reg_number for a in rows] == expected, fragment
            assert total == len(expected)


def _explain_each(session: AsyncSession, needle: str) -> list[tuple[str, object]]:
    """Record the statements that contain ``needle`` while the caller runs its search."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if needle in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    event.listen(session.bind.sync_engine, "before_cursor_execute", record)  # type: ignore[union-attr]
    return seen


async def _plans(session: AsyncSession, seen: list[tuple[str, object]]) -> str:
    # At a few thousand rows a scan is the cheaper plan; the planner takes the index at a realistic size.
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    await session.execute(text("SET LOCAL enable_indexscan = off"))
    conn = await session.connection()
    plans = []
    for statement, parameters in seen:
        rows = await conn.exec_driver_sql("EXPLAIN " + statement, parameters)  # type: ignore[arg-type]
        plans.append("\n".join(r[0] for r in rows))
    return "\n\n".join(plans)


@pytest.mark.parametrize("db_backend", ["postgresql"])  # pg_trgm is PostgreSQL's: no SQLite half
async def test_postgresql_has_the_trigram_indexes_and_search_uses_them(migrated: AsyncEngine) -> None:
    async with migrated.connect() as conn:
        names = set(
            (await conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")))
            .scalars()
            .all()
        )
    assert {name for name, _table, _column in TRIGRAM_INDEXES} <= names

    async with create_session_factory(migrated)() as session:
        user = await session.get(User, 1)
        assert user is not None
        seen = _explain_each(session, "ILIKE")
        await count(session, user, ListQuery(status="all", text="кровли"), now=utcnow())
        assert "ix_trgm_assignments_title" in await _plans(session, seen)

    async with create_session_factory(migrated)() as session:
        seen = _explain_each(session, "LIKE")
        await search_correspondents(session, "житель 1234")
        assert "ix_trgm_correspondents_name_search" in await _plans(session, seen)

    async with create_session_factory(migrated)() as session:
        seen = _explain_each(session, "count(")
        await list_appeals(session, AppealFilters(text="лампу"))
        plan = await _plans(session, seen)
        for name in ("ix_trgm_appeals_text", "ix_trgm_appeals_subject", "ix_trgm_appeals_reg_number"):
            assert name in plan, plan


@pytest.mark.parametrize(("sort", "desc"), [("deadline", False), ("deadline", True), ("created", False)])
async def test_a_word_in_every_title_lists_the_first_page_in_order(
    migrated: AsyncEngine, sort: str, desc: bool
) -> None:
    """The worst case for the search (every row matches): the page is still the list's first rows."""
    async with create_session_factory(migrated)() as session:
        user = await session.get(User, 1)
        assert user is not None
        rows = (await session.execute(text("SELECT id, title, deadline, created_at FROM assignments"))).all()
        key = (lambda r: (r.deadline, r.id)) if sort == "deadline" else (lambda r: (r.created_at, r.id))
        matching = sorted((r for r in rows if "поручение" in r.title.lower()), key=key, reverse=desc)
        for status in ("all", "open"):
            q = ListQuery(status=status, text="ПОРУЧЕНИЕ", sort=sort, desc=desc)
            page = await list_page(session, user, q, now=utcnow())
            assert [a.id for a in page.items] == [r.id for r in matching[: len(page.items)]]
            assert len(page.items) == 25 and page.next_cursor is not None


@pytest.mark.parametrize("db_backend", ["postgresql"])
async def test_postgresql_walks_the_order_index_for_a_common_word(migrated: AsyncEngine) -> None:
    """A word in every title: the first page is read from an index in the list's order and the
    search is planned with its values (a generic plan would walk that index for a rare word too)."""
    async with create_session_factory(migrated)() as session:
        user = await session.get(User, 1)
        assert user is not None
        for status, index in (("all", "ix_assignments_deadline"), ("open", "ix_assignments_open_deadline")):
            seen = _explain_each(session, "ILIKE")
            await list_page(session, user, ListQuery(status=status, text="Поручение"), now=utcnow())
            conn = await session.connection()
            statement, parameters = seen[-1]
            plan = "\n".join(r[0] for r in await conn.exec_driver_sql("EXPLAIN " + statement, parameters))  # type: ignore[arg-type]
            assert index in plan, plan
            assert "Sort" not in plan, plan  # one page read, not every match sorted
        assert (await session.execute(text("SHOW plan_cache_mode"))).scalar_one() == "force_custom_plan"
