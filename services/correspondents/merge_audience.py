"""Merging two records of one person, the audience's side: form answers, tags, event registrations,
the consent to mailings, mailings received, applications and volunteering move to the kept record,
so the person's CRM card and segments (which never count merged records) keep all of it.

Where both records hold a row that may exist once per person, one is kept: the better registration
for the same event, the latest decision on mailings, the kept record's volunteer (the other's shifts
join it). Models only: the correspondents service imports none of those services.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Application,
    CorrespondentTag,
    EventRegistration,
    FormSubmission,
    MailingConsent,
    MailingRecipient,
    Volunteer,
    VolunteerShift,
)
from models.enums import RegistrationStatus

# A seat beats the waiting list, which beats a cancelled registration.
_RANK = {RegistrationStatus.REGISTERED: 0, RegistrationStatus.WAITLIST: 1, RegistrationStatus.CANCELLED: 2}


async def _move(session: AsyncSession, model: type, keep_id: int, other_id: int) -> None:
    await session.execute(
        update(model)
        .where(model.correspondent_id == other_id)  # type: ignore[attr-defined]
        .values(correspondent_id=keep_id)
        .execution_options(synchronize_session="fetch")
    )


async def _tags(session: AsyncSession, keep_id: int, other_id: int) -> None:
    have = set(
        await session.scalars(
            select(CorrespondentTag.tag).where(CorrespondentTag.correspondent_id == keep_id)
        )
    )
    await session.execute(
        delete(CorrespondentTag).where(
            CorrespondentTag.correspondent_id == other_id, CorrespondentTag.tag.in_(have)
        )
    )
    await _move(session, CorrespondentTag, keep_id, other_id)


async def _registrations(session: AsyncSession, keep_id: int, other_id: int) -> None:
    kept = {
        r.event_id: r
        for r in (
            await session.scalars(
                select(EventRegistration).where(EventRegistration.correspondent_id == keep_id)
            )
        )
    }
    for row in (
        await session.scalars(select(EventRegistration).where(EventRegistration.correspondent_id == other_id))
    ).all():
        mine = kept.get(row.event_id)
        if mine is None:
            continue
        worse = (
            row if _RANK[RegistrationStatus(row.status)] >= _RANK[RegistrationStatus(mine.status)] else mine
        )
        await session.delete(worse)
    await session.flush()
    await _move(session, EventRegistration, keep_id, other_id)


def _decided_at(consent: MailingConsent):  # type: ignore[no-untyped-def]
    return max(t for t in (consent.requested_at, consent.confirmed_at, consent.withdrawn_at) if t is not None)


async def _consent(session: AsyncSession, keep_id: int, other_id: int) -> None:
    mine = await session.scalar(select(MailingConsent).where(MailingConsent.correspondent_id == keep_id))
    theirs = await session.scalar(select(MailingConsent).where(MailingConsent.correspondent_id == other_id))
    if theirs is None:
        return
    if mine is not None:
        # The person's latest word on mailings stands (a later opt-out beats an earlier «yes»).
        if _decided_at(theirs) <= _decided_at(mine):
            await session.delete(theirs)
            await session.flush()
            return
        await session.delete(mine)
        await session.flush()
    theirs.correspondent_id = keep_id


async def _volunteer(session: AsyncSession, keep_id: int, other_id: int) -> None:
    mine = await session.scalar(select(Volunteer).where(Volunteer.correspondent_id == keep_id))
    theirs = await session.scalar(select(Volunteer).where(Volunteer.correspondent_id == other_id))
    if theirs is None:
        return
    if mine is None:
        theirs.correspondent_id = keep_id
        return
    booked = set(
        await session.scalars(select(VolunteerShift.event_id).where(VolunteerShift.volunteer_id == mine.id))
    )
    await session.execute(
        update(VolunteerShift)
        .where(VolunteerShift.volunteer_id == theirs.id, VolunteerShift.event_id.not_in(booked))
        .values(volunteer_id=mine.id)
        .execution_options(synchronize_session="fetch")
    )
    mine.skills = list(dict.fromkeys([*mine.skills, *theirs.skills]))
    await session.delete(theirs)  # a shift at an event both were booked for goes with it
    await session.flush()


async def move_audience(session: AsyncSession, keep_id: int, other_id: int) -> None:
    for model in (FormSubmission, MailingRecipient, Application):
        await _move(session, model, keep_id, other_id)
    await _tags(session, keep_id, other_id)
    await _registrations(session, keep_id, other_id)
    await _consent(session, keep_id, other_id)
    await _volunteer(session, keep_id, other_id)
