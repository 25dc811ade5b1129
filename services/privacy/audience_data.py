"""152-FZ for the museum's audience: what a person left in events, applications, volunteering and
the consent to mailings, in their data export and blanked when they are erased. Models only, so the
privacy service imports none of those services.

Erasing keeps what counts and dates rely on (a registration's event and status, an application's
number, object and decision, a volunteer's hours), and drops the contacts, the Telegram id, the IP
address and what the person wrote about themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Application,
    EventRegistration,
    MailingConsent,
    MuseumEvent,
    Volunteer,
)


async def erase_audience(session: AsyncSession, correspondent_ids: Sequence[int]) -> None:
    ids = list(correspondent_ids)
    await session.execute(
        update(EventRegistration)
        .where(EventRegistration.correspondent_id.in_(ids))
        .values(email=None, telegram_id=None)
    )
    await session.execute(
        update(Application).where(Application.correspondent_id.in_(ids)).values(email=None, telegram_id=None)
    )
    await session.execute(
        update(Volunteer)
        .where(Volunteer.correspondent_id.in_(ids))
        .values(skills=[], availability={}, notes="")
    )
    # Nobody erased is written to again: the consent goes, its history stays in the audit.
    await session.execute(delete(MailingConsent).where(MailingConsent.correspondent_id.in_(ids)))


async def export_audience(session: AsyncSession, correspondent_ids: Sequence[int]) -> dict[str, Any]:
    """Registrations, applications, volunteering and the consent to mailings, as the export's JSON."""
    ids = list(correspondent_ids)
    registrations = await session.execute(
        select(EventRegistration, MuseumEvent.title, MuseumEvent.starts_at)
        .join(MuseumEvent, MuseumEvent.id == EventRegistration.event_id)
        .where(EventRegistration.correspondent_id.in_(ids))
        .order_by(EventRegistration.created_at, EventRegistration.id)
    )
    applications = await session.scalars(
        select(Application).where(Application.correspondent_id.in_(ids)).order_by(Application.id)
    )
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.correspondent_id.in_(ids)))
    consents = await session.scalars(select(MailingConsent).where(MailingConsent.correspondent_id.in_(ids)))
    return {
        "event_registrations": [
            {
                "event": title,
                "starts_at": starts_at.isoformat(),
                "status": r.status,
                "registered_at": r.created_at.isoformat(),
                "email": r.email,
                "attended": r.attended,
            }
            for r, title, starts_at in registrations
        ],
        "applications": [
            {
                "number": a.number,
                "title": a.title,
                "organisation": a.applicant_org,
                "status": a.status,
                "decision": a.decision,
                "decision_text": a.decision_text,
                "email": a.email,
                "created_at": a.created_at.isoformat(),
            }
            for a in applications
        ],
        "volunteer": None
        if volunteer is None
        else {
            "status": volunteer.status,
            "skills": volunteer.skills,
            "availability": volunteer.availability,
            "notes": volunteer.notes,
        },
        "mailing_consent": [
            {
                "status": c.status,
                "channel": c.channel,
                "requested_at": c.requested_at.isoformat(),
                "confirmed_at": c.confirmed_at.isoformat() if c.confirmed_at else None,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
                "ip": c.ip,
            }
            for c in consents
        ],
    }
