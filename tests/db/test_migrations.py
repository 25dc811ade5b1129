"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

import models
from models.db import create_engine
from models.search_indexes import include_object
from porucheno.migrate import alembic_config, upgrade_async


def _diff(connection: Connection) -> list[object]:
    ctx = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return compare_metadata(ctx, models.Base.metadata)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_upgrade_from_empty_matches_models(database_url: str) -> None:
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(_tables)
            diff = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert tables == set(models.Base.metadata.tables)
    assert diff == [], f"models and migrations differ: {diff}"


async def test_upgrade_is_repeatable(database_url: str) -> None:
    await upgrade_async(database_url)
    await upgrade_async(database_url)  # already at head: a no-op, not an error
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            version = (await conn.exec_driver_sql("select version_num from alembic_version")).scalar_one()
    finally:
        await engine.dispose()
    assert version


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    await upgrade_async(database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "base")
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
    finally:
        await engine.dispose()
    await upgrade_async(database_url)
