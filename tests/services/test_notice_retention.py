"""Notices outlive their text by PORUCHENO_NOTICE_KEEP_DAYS at most: the nightly job drops the text of
finished notices and keeps their delivery record, so none is queued again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage, utcnow
from scheduler.privacy_jobs import notice_retention_job
from services import outbox
from services.privacy import notice_retention

QUOTE = "Ваше обращение А-17: «Прошу отремонтировать крыльцо», ул. Садовая, 1"


async def _notices(session: AsyncSession, ages: dict[str, int]) -> dict[str, int]:
    """One notice per key, created ``ages[key]`` days ago; their ids by key."""
    await outbox.enqueue_many(
        session, [outbox.text_message(5005, f"{QUOTE} ({key})", dedup_key=f"keep:{key}") for key in ages]
    )
    ids = {}
    for key, age in ages.items():
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == f"keep:{key}"))
        assert row is not None
        ids[key] = row.id
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(created_at=utcnow() - timedelta(days=age))
        )
    await session.commit()
    return ids


async def _rows(session: AsyncSession, ids: dict[str, int]) -> dict[str, OutboxMessage]:
    session.expire_all()
    found = (await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids.values())))).all()
    by_id = {m.id: m for m in found}
    return {key: by_id[i] for key, i in ids.items()}


async def test_old_finished_notices_lose_their_text_and_keep_their_record(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _notices(session, {"sent": 120, "failed": 200, "queued": 150, "recent": 10})
    await outbox.mark_sent(session, ids["sent"], 42)
    await outbox.mark_sent(session, ids["recent"], 43)
    await outbox.mark_failed(session, ids["failed"], "Bad Request: chat not found")
    await session.commit()

    assert await notice_retention_job(session_factory, 0) == 0  # 0 keeps every text
    assert await notice_retention_job(session_factory, 90) == 2

    rows = await _rows(session, ids)
    for key, status in (("sent", "sent"), ("failed", "failed")):
        assert rows[key].payload == {} and rows[key].status == status and rows[key].cleared_at is not None
    assert rows["sent"].telegram_message_id == 42 and rows["sent"].sent_at is not None
    # A notice still queued keeps its text however old it is; a recent one keeps it too.
    assert QUOTE in rows["queued"].payload["text"] and rows["queued"].cleared_at is None
    assert QUOTE in rows["recent"].payload["text"] and rows["recent"].cleared_at is None

    # The record keeps the notice from being queued again; a second night finds nothing to do.
    await outbox.enqueue_many(session, [outbox.text_message(5005, QUOTE, dedup_key="keep:sent")])
    await session.commit()
    assert (
        await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == "keep:sent"))
        == ids["sent"]
    )
    assert await notice_retention_job(session_factory, 90) == 0


async def test_a_long_backlog_is_cleared_a_batch_at_a_time(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notice_retention, "BATCH", 2)
    ids = await _notices(session, {f"n{i}": 100 + i for i in range(5)})
    for i in ids.values():
        await outbox.mark_sent(session, i, None)
    await session.commit()

    assert await notice_retention_job(session_factory, 90) == 5
    assert all(row.payload == {} for row in (await _rows(session, ids)).values())
