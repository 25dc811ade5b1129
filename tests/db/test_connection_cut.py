"""A PostgreSQL connection the server cut (a restart, ``pg_terminate_backend``) costs no request:
the pool proves each connection alive as it hands it out (``models/db.py``) and opens another."""

from __future__ import annotations

import pytest
from sqlalchemy import text

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
        await _pg_exec(f"SELECT pg_terminate_backend({int(first)})")

        async with factory() as session:  # the next request, as the next update would make it
            second = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await session.commit()
        assert second != first
    finally:
        await engine.dispose()
