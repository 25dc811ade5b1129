"""The end of a notice's text: messenger notices finished (sent, failed or dropped) more than
``days`` ago lose their text and keep their delivery record (status, times, batch, dedup key), so
a mailing's or an outage's counts stay right and no notice is queued again.

Why: a notice quotes the person's appeal, address or name (152-FZ: kept no longer than needed),
and a delivered notice has no further use for its text. A notice still queued keeps it, however
old. Idempotent and bounded: each call reads only rows whose text is still kept, oldest first, a
batch at a time (``ix_outbox_uncleared``); a cleared row leaves that index.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage
from models.enums import OutboxStatus

BATCH = 1000


async def clear_batch(session: AsyncSession, now: datetime, days: int) -> int:
    """Drop the texts of up to ``BATCH`` finished notices created before ``now - days``; how many.
    ``days`` 0 keeps every text. The caller commits."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    ids = (
        await session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.cleared_at.is_(None),
                OutboxMessage.created_at < cutoff,
                OutboxMessage.status != OutboxStatus.PENDING,
            )
            .order_by(OutboxMessage.created_at)
            .limit(BATCH)
        )
    ).all()
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(payload={}, cleared_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(ids)
