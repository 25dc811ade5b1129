"""What the panel lists: mailings with their segment, and the mailings one person received."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Mailing, MailingRecipient, OutboxMessage, Segment
from models.enums import OutboxStatus
from services.mailings.sending import batch_of

LIST_LIMIT = 200


async def mailings(session: AsyncSession) -> Sequence[tuple[Mailing, str | None]]:
    rows = await session.execute(
        select(Mailing, Segment.name)
        .outerjoin(Segment, Segment.id == Mailing.segment_id)
        .order_by(Mailing.id.desc())
        .limit(LIST_LIMIT)
    )
    return [(m, name) for m, name in rows.all()]


async def segments(session: AsyncSession) -> Sequence[Segment]:
    return (
        await session.scalars(select(Segment).where(Segment.archived_at.is_(None)).order_by(Segment.name))
    ).all()


@dataclass(frozen=True, slots=True)
class Received:
    mailing_id: int
    title: str
    queued_at: datetime
    delivery: str  # the outbox status of its message: pending | sent | dropped | failed
    opted_out_at: datetime | None


async def received_by(session: AsyncSession, correspondent_id: int, *, limit: int = 20) -> list[Received]:
    rows = (
        await session.execute(
            select(MailingRecipient, Mailing.title)
            .join(Mailing, Mailing.id == MailingRecipient.mailing_id)
            .where(MailingRecipient.correspondent_id == correspondent_id)
            .order_by(MailingRecipient.id.desc())
            .limit(limit)
        )
    ).all()
    result = []
    for recipient, title in rows:
        status = await session.scalar(
            select(OutboxMessage.status).where(
                OutboxMessage.dedup_key == f"mailing:{recipient.mailing_id}:{recipient.chat_id}",
                OutboxMessage.batch == batch_of(recipient.mailing_id),
            )
        )
        result.append(
            Received(
                recipient.mailing_id,
                title,
                recipient.queued_at,
                status or OutboxStatus.PENDING,
                recipient.opted_out_at,
            )
        )
    return result
