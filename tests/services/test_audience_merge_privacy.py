"""One person, two CRM records, and the museum's audience: merging moves every answer, tag,
registration, consent, application and the volunteering to the kept record (so its card and the
segments keep them); the person's data export lists them; erasure blanks their contacts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Application,
    ApplicationType,
    Correspondent,
    CorrespondentTag,
    EventRegistration,
    Form,
    FormSubmission,
    MailingConsent,
    MuseumEvent,
    Volunteer,
    VolunteerShift,
    utcnow,
)
from models.enums import MailingConsentStatus, RegistrationStatus
from services import correspondents
from services.correspondents.normalize import name_key
from services.privacy import erasure, export
from services.segments import query
from services.segments.filters import parse
from tests.services.appeals_helpers import SYSTEM
from tests.services.test_privacy import READER, clerk, read_zip


async def _card(session: AsyncSession, name: str, email: str | None = None) -> Correspondent:
    card = Correspondent(name=name, name_search=name_key(name), email=email)
    session.add(card)
    await session.flush()
    return card


async def _people(session: AsyncSession) -> tuple[int, int, int, int]:
    """Анна's two records: the bot's (kept) and the web's; two events."""
    now = utcnow()
    keep = await _card(session, "Анна Смирнова")
    other = await _card(session, "Анна С.", "anna@example.ru")
    night = MuseumEvent(title="Ночь музеев", starts_at=now + timedelta(days=5), capacity=10)
    tour = MuseumEvent(title="Экскурсия", starts_at=now + timedelta(days=9))
    form = Form(slug="kids", title_ru="Университет детей", tags=[])
    kind = ApplicationType(code="pnt", name_ru="Памятник науки и техники")
    session.add_all([night, tour, form, kind])
    await session.flush()
    session.add_all(
        [
            CorrespondentTag(correspondent_id=keep.id, tag="дети"),
            CorrespondentTag(correspondent_id=other.id, tag="дети"),
            CorrespondentTag(correspondent_id=other.id, tag="волонтёр"),
            # The kept record waits; the other one holds a seat at the same event: the seat stays.
            EventRegistration(
                event_id=night.id, correspondent_id=keep.id, status=RegistrationStatus.WAITLIST
            ),
            EventRegistration(
                event_id=night.id, correspondent_id=other.id, email="anna@example.ru", telegram_id=None
            ),
            # «Yes» on the bot's record, a later opt-out on the web's: the later word stands.
            MailingConsent(
                correspondent_id=keep.id,
                channel="telegram",
                status=MailingConsentStatus.CONFIRMED,
                requested_at=now - timedelta(days=3),
                confirmed_at=now - timedelta(days=3),
            ),
            MailingConsent(
                correspondent_id=other.id,
                channel="web",
                status=MailingConsentStatus.WITHDRAWN,
                requested_at=now - timedelta(days=2),
                withdrawn_at=now - timedelta(days=1),
                ip="203.0.113.9",
            ),
            FormSubmission(form_id=form.id, correspondent_id=keep.id, channel="telegram", answers={"a": 1}),
            FormSubmission(form_id=form.id, correspondent_id=other.id, channel="web", answers={"a": 2}),
            Application(
                number="З-2026-0001",
                type_id=kind.id,
                correspondent_id=other.id,
                title="Паровоз",
                channel="web",
                email="anna@example.ru",
            ),
        ]
    )
    mine = Volunteer(correspondent_id=keep.id, skills=["экскурсии"])
    theirs = Volunteer(correspondent_id=other.id, skills=["фото"], notes="по субботам")
    session.add_all([mine, theirs])
    await session.flush()
    session.add(
        VolunteerShift(
            volunteer_id=theirs.id, event_id=tour.id, starts_at=tour.starts_at, ends_at=tour.starts_at
        )
    )
    await session.commit()
    return keep.id, other.id, night.id, tour.id


async def test_merging_moves_the_audience_and_erasure_blanks_it(
    session: AsyncSession, tmp_path: Path
) -> None:
    keep, other, night, tour = await _people(session)
    await correspondents.merge(session, keep, other, actor=SYSTEM)
    await session.commit()

    tags = set(
        await session.scalars(select(CorrespondentTag.tag).where(CorrespondentTag.correspondent_id == keep))
    )
    assert tags == {"дети", "волонтёр"}
    [seat] = (
        await session.scalars(select(EventRegistration).where(EventRegistration.event_id == night))
    ).all()
    assert (seat.correspondent_id, seat.status) == (keep, RegistrationStatus.REGISTERED)
    [consent] = (await session.scalars(select(MailingConsent))).all()
    assert (consent.correspondent_id, consent.status) == (keep, MailingConsentStatus.WITHDRAWN)
    answers = (await session.scalars(select(FormSubmission.correspondent_id))).all()
    assert answers == [keep, keep]
    assert await session.scalar(select(Application.correspondent_id)) == keep
    [volunteer] = (await session.scalars(select(Volunteer))).all()
    assert volunteer.correspondent_id == keep and set(volunteer.skills) == {"экскурсии", "фото"}
    assert await session.scalar(
        select(VolunteerShift.volunteer_id).where(VolunteerShift.event_id == tour)
    ) == (volunteer.id)
    # Segments count the kept record (merged ones are never members): Анна is still a volunteer.
    members = await query.members(session, parse({"tags": {"any": ["волонтёр"]}, "consent": "any"}))
    assert [m.correspondent_id for m in members] == [keep]

    user = await clerk(session)
    _c, content = await export.export_zip(session, user, keep, tmp_path, READER)
    data, *_rest = read_zip(content)
    assert [r["event"] for r in data["event_registrations"]] == ["Ночь музеев"]
    assert [a["number"] for a in data["applications"]] == ["З-2026-0001"]
    assert data["volunteer"]["notes"] == "" and set(data["volunteer"]["skills"]) == {"экскурсии", "фото"}
    assert [c["status"] for c in data["mailing_consent"]] == ["withdrawn"]

    await erasure.erase_on_request(session, user, keep, "Заявление № 7 от 04.12.2026")
    await session.commit()
    seat = await session.get(EventRegistration, seat.id)
    assert seat is not None and seat.email is None and seat.status == RegistrationStatus.REGISTERED
    application = await session.scalar(select(Application))
    assert application is not None and application.email is None and application.number == "З-2026-0001"
    volunteer = await session.scalar(select(Volunteer))
    assert volunteer is not None and volunteer.skills == [] and volunteer.notes == ""
    assert await session.scalar(select(MailingConsent)) is None
