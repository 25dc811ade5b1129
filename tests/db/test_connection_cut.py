"""A PostgreSQL connection the server cut (a restart, ``pg_terminate_backend``) costs no request:
the pool checks each connection as it hands it out (``models/db.py``) and opens another. The server
closes the socket as it ends a connection and the event loop reads that at once; a connection idle
for long is probed with a query."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from models import db
from models.db import create_engine, create_session_factory
from tests.conftest import _pg_exec


@pytest.mark.parametrize("db_backend", ["postgresql"])  # SQLite has no server to cut the connection
async def test_a_connection_the_server_cut_costs_no_request(database_url: str) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:  # the pool now holds one connection
            first = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await session.commit()
        await _pg_exec(f"SELECT pg_terminate_backend({int(first)}, 5000)")  # returns once it has ended
        await asyncio.sleep(0.05)  # the moment the goodbye takes to arrive: the loop reads it meanwhile

        async with factory() as session:  # the next request, as the next update would make it
            second = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await session.commit()
        assert second != first
    finally:
        await engine.dispose()


@pytest.mark.parametrize("db_backend", ["postgresql"])
async def test_a_connection_idle_for_long_is_probed_first(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    seen: list[str] = []
    try:
        async with factory() as session:
            await session.execute(text("SELECT 1"))
            await session.commit()
        monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # every connection now counts as idle for long
        async with engine.connect() as conn:  # the pool's connection, probed on the way out
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            driver.add_query_logger(lambda record: seen.append(record.query))
        async with factory() as session:
            await session.execute(text("SELECT 2"))
            await session.commit()
        assert seen.count("SELECT 1") == 1  # probed as it was handed out again
    finally:
        await engine.dispose()
