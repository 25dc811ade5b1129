"""What a session counts as a write (the bot commits those before it replies), and the SQLite driver shim
(``models/sqlite_onehop.py``): it behaves as the stock aiosqlite adapter, with one trip per statement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import Department, User
from models.db import create_session_factory, has_writes
from tests.conftest import engine_with_schema


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with engine_with_schema(f"sqlite+aiosqlite:///{tmp_path / 'onehop.sqlite3'}") as eng:
        yield eng


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call queued to an aiosqlite connection's thread, by the function's name."""
    calls: list[str] = []
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await queue(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_select_is_one_trip_and_a_read_only_session_writes_nothing(
    sqlite_engine: AsyncEngine, trips: list[str]
) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        await session.scalar(select(func.count()).select_from(User))  # the pool's connection is open now
        trips.clear()
        assert await session.scalar(select(func.count()).select_from(Department)) == 0
        assert trips == ["_run"]
        assert not has_writes(session)


async def test_rows_counts_ids_and_bulk_inserts(sqlite_engine: AsyncEngine) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        await session.execute(insert(Department), [{"name": f"Отдел {i}"} for i in range(3)])  # executemany
        user = User(full_name="Иванова И. И.", department_id=2)
        session.add(user)
        await session.flush()
        assert user.id is not None  # the id came back from the insert
        changed = await session.execute(
            update(Department).where(Department.id >= 2).values(name=Department.name + " (архив)")
        )
        assert changed.rowcount == 2  # type: ignore[attr-defined]
        assert has_writes(session)
        await session.commit()
    async with factory() as session:
        names = (await session.scalars(select(Department.name).order_by(Department.id))).all()
        assert names == ["Отдел 0", "Отдел 1 (архив)", "Отдел 2 (архив)"]
        empty = await session.execute(select(User.id, User.full_name).where(User.id < 0))
        assert list(empty.keys()) == ["id", "full_name"] and empty.all() == []
        streamed = [row async for row in await session.stream_scalars(select(Department.id))]
        assert streamed == [1, 2, 3]  # server-side cursors keep SQLAlchemy's own adapter
        gone = await session.execute(delete(Department).where(Department.id == 3))
        assert gone.rowcount == 1  # type: ignore[attr-defined]


async def test_errors_arrive_as_sqlalchemy_errors_and_the_session_recovers(
    sqlite_engine: AsyncEngine,
) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        session.add(User(id=5, full_name="Первый"))
        await session.commit()
    async with factory() as session:
        session.add(User(id=5, full_name="Второй"))
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()
        assert await session.scalar(select(User.full_name).where(User.id == 5)) == "Первый"
        result = await session.execute(text("select 1 + 1"))
        assert result.scalar_one() == 2


async def test_a_core_write_through_the_session_counts_as_a_write(sqlite_engine: AsyncEngine) -> None:
    # commit-before-send commits, before a reply, only sessions that wrote something.
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        await session.execute(insert(Department).values(name="Отдел"))
        assert has_writes(session)
        await session.commit()
        assert not has_writes(session)
    async with factory() as other:
        assert await other.scalar(select(func.count()).select_from(Department)) == 1


async def test_a_released_savepoint_is_still_a_write_until_the_outer_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    # A bot update that only wrote inside a SAVEPOINT (e.g. publishing the first consent text) must
    # still be committed before its reply: a released SAVEPOINT once cleared the write flag.
    async with session_factory() as session:
        async with session.begin_nested():
            session.add(Department(name="Отдел"))
        assert has_writes(session)
        await session.commit()
        assert not has_writes(session)
    async with session_factory() as other:
        assert await other.scalar(select(func.count()).select_from(Department)) == 1
