"""What a session counts as a write (the bot commits those before it replies), and the SQLite driver shim
(``models/sqlite_onehop.py``): it behaves as the stock aiosqlite adapter, with one trip per write and
none for a read, which runs on the event loop unless it takes too long."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import Department, User, sqlite_onehop
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


async def test_a_select_makes_no_trip_a_write_one_and_a_read_only_session_writes_nothing(
    sqlite_engine: AsyncEngine, trips: list[str]
) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        await session.scalar(select(func.count()).select_from(User))  # the pool's connection is open now
        trips.clear()
        assert await session.scalar(select(func.count()).select_from(Department)) == 0
        assert trips == []  # read on the event loop (WAL: a reader never waits for a lock)
        assert not has_writes(session)
        await session.commit()
        assert trips == []  # nothing to commit: sqlite3 had no transaction open
        session.add(Department(name="Отдел"))
        await session.flush()
        assert trips == ["_run"]
        assert await session.scalar(select(Department.name)) == "Отдел"  # its own uncommitted write
        await session.commit()
        assert trips == ["_run", "commit"]


# Counts to 3 million in SQLite's virtual machine: tens of milliseconds, well past the inline budget.
SLOW_SELECT = (
    "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT i FROM n)"
)


async def test_a_long_select_leaves_the_event_loop_and_finishes_on_the_thread(
    sqlite_engine: AsyncEngine, trips: list[str]
) -> None:
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:  # how long the event loop is held between its turns
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        await session.scalar(select(func.count()).select_from(User))
        trips.clear()
        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        started = time.perf_counter()
        assert (await session.execute(text(SLOW_SELECT))).scalar_one() == 3_000_000
        took = time.perf_counter() - started
        assert trips == ["_run"]  # stopped on the loop, run again on the connection's thread
        slow = session.bind.dialect.loaded_dbapi.slow_reads  # type: ignore[union-attr]
        assert SLOW_SELECT in slow  # the next time it goes to the thread straight away
        assert (await session.execute(text(SLOW_SELECT))).scalar_one() == 3_000_000
        assert trips == ["_run", "_run"]
        stop.set()
        await ticking
    assert took > 10 * sqlite_onehop.INLINE_BUDGET  # it really was a long one
    assert max(gaps) < 0.05, f"the event loop was held for {max(gaps) * 1000:.0f} ms"


async def test_a_select_stopped_inside_a_write_transaction_keeps_the_transaction(
    sqlite_engine: AsyncEngine,
) -> None:
    # SQLite rolls back a whole transaction when a write is interrupted; a read must not be.
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        session.add(Department(name="Отдел"))
        await session.flush()
        assert (await session.execute(text(SLOW_SELECT))).scalar_one() == 3_000_000
        session.add(Department(name="Второй отдел"))
        await session.commit()
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(Department)) == 2


async def test_a_failing_select_raises_as_before(sqlite_engine: AsyncEngine) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session:
        with pytest.raises(OperationalError, match="no such table"):
            await session.execute(text("SELECT * FROM no_such_table"))
        await session.rollback()
        assert (await session.execute(text("select 2 + 2"))).scalar_one() == 4


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
