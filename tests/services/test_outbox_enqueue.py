"""Queuing notices counts only the new ones: a notice whose dedup key is already queued is skipped,
on both backends (SQLite counts the rows its INSERT changed, PostgreSQL the ids it returned)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage
from services import outbox


def _notices(keys: list[str]) -> list[outbox.OutgoingMessage]:
    return [outbox.text_message(7000 + i, f"Уведомление {key}", dedup_key=key) for i, key in enumerate(keys)]


async def test_only_new_notices_are_queued_and_counted(session: AsyncSession) -> None:
    assert await outbox.enqueue_many(session, _notices(["a", "b", "c"])) == 3
    assert await outbox.enqueue_many(session, _notices(["a", "b", "c", "d", "e"])) == 2
    assert await outbox.enqueue_many(session, _notices(["a"])) == 0
    assert await outbox.enqueue(session, outbox.text_message(7100, "Без ключа"))
    # More than one batch of PostgreSQL's 500 rows, half of them already queued.
    many = [f"k{i}" for i in range(1200)]
    assert await outbox.enqueue_many(session, _notices(many[:600])) == 600
    assert await outbox.enqueue_many(session, _notices(many)) == 600
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 5 + 1 + 1200
