"""Lists read a part at a time (services/streamed.py), on SQLite and PostgreSQL: every row comes in
order with lookups run between parts, and a part that fails closes the cursor at once, leaving the
session usable."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Department
from services.streamed import in_parts, row_parts, rows_of_parts

SIZE = 45
PART = 10


async def _departments(factory: async_sessionmaker[AsyncSession]) -> list[int]:
    async with factory() as session:
        made = [Department(name=f"Отдел {i:02}") for i in range(SIZE)]
        session.add_all(made)
        await session.commit()
        return [d.id for d in made]


async def test_parts_come_whole_and_in_order_with_lookups_between_them(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _departments(session_factory)
    sizes: list[int] = []
    async with session_factory() as session:

        async def rows_of(part: Sequence[Department]) -> list[tuple[int, int]]:
            sizes.append(len(part))
            # a lookup on the same session while the list's cursor is still open
            count = await session.scalar(select(func.count()).select_from(Department))
            return [(d.id, count or 0) for d in part]

        query = select(Department).order_by(Department.id)
        rows = await rows_of_parts(in_parts(session, query, size=PART), rows_of)
        named = [r async for part in row_parts(session, select(Department.name), size=PART) for r in part]
    assert [r[0] for r in rows] == ids and {r[1] for r in rows} == {SIZE}
    assert sizes == [10, 10, 10, 10, 5]
    assert sorted(n for (n,) in named) == [f"Отдел {i:02}" for i in range(SIZE)]


async def test_a_failing_part_closes_the_cursor_and_the_session_goes_on(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _departments(session_factory)
    async with session_factory() as session:
        parts = in_parts(session, select(Department).order_by(Department.id), size=PART)

        async def rows_of(part: Sequence[Department]) -> list[int]:
            if part[0].name.endswith("10"):  # the second part
                raise RuntimeError("the export broke")
            return [d.id for d in part]

        with pytest.raises(RuntimeError, match="broke"):
            await rows_of_parts(parts, rows_of)
        assert parts.ag_frame is None  # closed in this task, not left to the garbage collector
        assert await session.scalar(select(func.count()).select_from(Department)) == SIZE
