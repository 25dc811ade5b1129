"""The consent purposes migration: the one document stored before becomes the appeals purpose's
version 1 and the consent log's rows stay linked to it (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import text

from models.db import create_engine
from porucheno.migrate import alembic_config, upgrade_async

BEFORE = "d0e5f8a2b6c4"


async def test_existing_consent_becomes_the_appeals_version_1(database_url: str) -> None:
    await upgrade_async(database_url, BEFORE)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO consent_texts (id, version, text_ru, text_en, published_at, is_current) "
                    "VALUES (1, 1, 'Текст 59-ФЗ', '', CURRENT_TIMESTAMP, true)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO consent_records (id, given_at, channel, consent_version, telegram_id, "
                    "decision) "
                    "VALUES (1, CURRENT_TIMESTAMP, 'telegram', 1, 5001, 'given')"
                )
            )
        await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
        async with engine.connect() as conn:
            texts = (await conn.execute(text("SELECT purpose, version, is_current FROM consent_texts"))).all()
            rows = (await conn.execute(text("SELECT purpose, consent_version FROM consent_records"))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in texts] == [("appeals", 1, True)]
    assert [tuple(r) for r in rows] == [("appeals", 1)]
