"""PostgreSQL: BEGIN waits for the first statement that needs a transaction (``models/pg_lazy_begin.py``).

A session that only reads sends its SELECTs and nothing else; one that writes is still one
transaction from its first write to COMMIT, and reads that lock rows hold their locks until then."""

from __future__ import annotations

import pytest
from asyncpg.prepared_stmt import PreparedStatement
from asyncpg.transaction import Transaction
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import Department
from models.db import create_session_factory
from models.pg_lazy_begin import needs_no_transaction

ON_POSTGRESQL = pytest.mark.parametrize("db_backend", ["postgresql"])


@pytest.fixture
def logged(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> tuple[async_sessionmaker[AsyncSession], list[str]]:
    """A session factory, and what its connections send: BEGIN, COMMIT, ROLLBACK and each statement
    run (its first word)."""
    seen: list[str] = []
    for name in ("start", "commit", "rollback"):
        original = getattr(Transaction, name)

        async def recorded(self: Transaction, _original=original, _word=name) -> None:  # type: ignore[no-untyped-def]
            seen.append({"start": "BEGIN"}.get(_word, _word.upper()))
            await _original(self)

        monkeypatch.setattr(Transaction, name, recorded)
    fetch = PreparedStatement.fetch

    async def fetched(self: PreparedStatement, *args: object, **kwargs: object) -> object:
        seen.append(self.get_query().strip().split()[0].upper())
        return await fetch(self, *args, **kwargs)

    monkeypatch.setattr(PreparedStatement, "fetch", fetched)
    return create_session_factory(engine), seen


@ON_POSTGRESQL
async def test_a_session_that_only_reads_sends_no_begin_and_no_commit(
    logged: tuple[async_sessionmaker[AsyncSession], list[str]],
) -> None:
    factory, seen = logged
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(Department)) == 0
        assert await session.scalar(text("SELECT 40 + 2")) == 42
        await session.commit()
    assert seen == ["SELECT", "SELECT"]


@ON_POSTGRESQL
async def test_a_write_after_reads_is_one_transaction_and_rolls_back_whole(
    logged: tuple[async_sessionmaker[AsyncSession], list[str]],
) -> None:
    factory, seen = logged
    async with factory() as session:
        await session.scalar(select(func.count()).select_from(Department))
        session.add(Department(name="Отдел"))
        await session.flush()
        # After the write, reads are inside the transaction and see its own uncommitted row.
        assert await session.scalar(select(func.count()).select_from(Department)) == 1
        session.add(Department(name="Второй отдел"))
        await session.flush()
        await session.rollback()
    assert seen[:2] == ["SELECT", "BEGIN"]
    assert seen[-1] == "ROLLBACK"
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(Department)) == 0


@ON_POSTGRESQL
async def test_a_locking_read_holds_its_lock_until_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        session.add(Department(id=1, name="Отдел"))
        await session.commit()
    async with session_factory() as holder, session_factory() as other:
        locked = await holder.scalar(select(Department).where(Department.id == 1).with_for_update())
        assert locked is not None
        with pytest.raises(DBAPIError, match="could not obtain lock"):
            await other.scalar(select(Department).where(Department.id == 1).with_for_update(nowait=True))
        await other.rollback()
        await holder.commit()
        free = await other.scalar(select(Department).where(Department.id == 1).with_for_update(nowait=True))
        assert free is not None
        await other.commit()


def test_which_statements_wait_for_begin() -> None:
    assert needs_no_transaction("SELECT users.id FROM users WHERE users.id = $1")
    assert needs_no_transaction("  select 1")
    assert not needs_no_transaction("SELECT * FROM outbox ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED")
    assert not needs_no_transaction("SELECT * FROM t FOR NO KEY UPDATE")
    assert not needs_no_transaction("SELECT * FROM t\nFOR  SHARE")
    assert not needs_no_transaction("SELECT pg_advisory_xact_lock(hashtext($1))")
    assert not needs_no_transaction("SELECT set_config('search_path', 'x', true)")
    assert not needs_no_transaction("WITH moved AS (DELETE FROM t RETURNING id) SELECT count(*) FROM moved")
    assert not needs_no_transaction("INSERT INTO t (a) VALUES ($1)")
