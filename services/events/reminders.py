"""Reminders ``remind_hours`` before an event starts: exactly once per registration.

``reminded_at`` marks a registration reminded and the outbox dedup key ``ev:<event>:<reg>:reminder:…``
stops a second copy even if two runs overlap; cancelled registrations and events are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration, MuseumEvent
from models.enums import RegistrationStatus
from services.events import notices
from services.events.events import REMIND_HOURS_MAX
from services.notify import NoticeContext


@dataclass(frozen=True, slots=True)
class ReminderResult:
    reminded: int = 0  # registrations marked reminded
    queued: int = 0  # messages queued (a person without chat or e-mail gets none)


async def send_due(session: AsyncSession, ctx: NoticeContext, now: datetime) -> ReminderResult:
    events = await session.scalars(
        select(MuseumEvent).where(
            MuseumEvent.cancelled_at.is_(None),
            MuseumEvent.remind_hours > 0,
            MuseumEvent.starts_at > now,
            MuseumEvent.starts_at <= now + timedelta(hours=REMIND_HOURS_MAX),
        )
    )
    reminded = queued = 0
    for event in events.all():
        if event.starts_at - timedelta(hours=event.remind_hours) > now:
            continue
        rows = await session.scalars(
            select(EventRegistration).where(
                EventRegistration.event_id == event.id,
                EventRegistration.status == RegistrationStatus.REGISTERED,
                EventRegistration.reminded_at.is_(None),
            )
        )
        for row in rows.all():
            row.reminded_at = now
            reminded += 1
            queued += int(await notices.send(session, event, row, notices.REMINDER, ctx=ctx))
        await session.flush()
    return ReminderResult(reminded, queued)
