"""The volunteer base: a volunteer per CRM card, made or updated from the questionnaire; status
changes and the profile (skills, availability, notes) edited by staff.

Statuses: a questionnaire makes a *candidate*; staff accept (→ active), pause, resume or mark that
the person left. Only active volunteers are assigned to events (``services.volunteers.shifts``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Form, FormSubmission, User, Volunteer, VolunteerShift, utcnow
from models.enums import FormPurpose, VolunteerShiftStatus, VolunteerStatus
from services.audience import tags
from services.audience.access import can_manage
from services.audit import Actor, record
from services.correspondents.directory import own_record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.volunteers import notices
from services.volunteers.vocabulary import normalize, parse_availability, parse_skills

TAG = "волонтёр"
NOTES_MAX = 4000
SKILLS_KEY = "skills"
AVAILABILITY_KEY = "availability"
# Which statuses each status may be set from (a repeated press of the same action is refused).
TRANSITIONS: dict[str, frozenset[str]] = {
    VolunteerStatus.ACTIVE: frozenset(
        {VolunteerStatus.CANDIDATE, VolunteerStatus.PAUSED, VolunteerStatus.LEFT}
    ),
    VolunteerStatus.PAUSED: frozenset({VolunteerStatus.ACTIVE}),
    VolunteerStatus.LEFT: frozenset(
        {VolunteerStatus.CANDIDATE, VolunteerStatus.ACTIVE, VolunteerStatus.PAUSED}
    ),
}


def require_manager(user: User | None) -> User:
    if user is None or not can_manage(user):
        raise PermissionDenied("Only managers and clerks work with volunteers.")
    return user


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id)


def _state(volunteer: Volunteer) -> dict[str, Any]:
    return {
        "status": volunteer.status,
        "skills": list(volunteer.skills or []),
        "availability": volunteer.availability,
    }


async def from_questionnaire(
    session: AsyncSession,
    *,
    correspondent_id: int,
    submission_id: int,
    answers: dict[str, Any],
    actor: Actor,
) -> Volunteer:
    """Add a candidate (or update an existing volunteer) from a questionnaire answer.

    Contract used by ``services.forms`` for forms of purpose ``volunteer``; ``answers`` is the
    submission's {field key: value}. Skills and availability are read from fields whose keys are
    ``skills`` and ``availability`` (the vocabulary is in ``services.volunteers.vocabulary``); an
    answer without such a field leaves what the volunteer had. Someone who had left and answers again
    becomes a candidate again. The card is tagged «волонтёр».
    """
    volunteer = await of_correspondent(session, correspondent_id)
    created = volunteer is None
    if volunteer is None:
        volunteer = Volunteer(
            correspondent_id=correspondent_id, status=VolunteerStatus.CANDIDATE, skills=[], availability={}
        )
        session.add(volunteer)
    old = None if created else _state(volunteer)
    if SKILLS_KEY in answers:
        volunteer.skills = parse_skills(answers[SKILLS_KEY])
    if AVAILABILITY_KEY in answers:
        volunteer.availability = parse_availability(answers[AVAILABILITY_KEY])
    if volunteer.status == VolunteerStatus.LEFT:
        volunteer.status = VolunteerStatus.CANDIDATE
    volunteer.submission_id = submission_id
    volunteer.updated_at = utcnow()
    await session.flush()
    record(
        session,
        actor,
        "volunteer",
        volunteer.id,
        "created" if created else "updated_from_form",
        old_state=None if old is None else str(old["status"]),
        new_state=volunteer.status,
        data={
            "submission_id": submission_id,
            "skills": volunteer.skills,
            "availability": volunteer.availability,
        },
    )
    form_id = await session.scalar(select(FormSubmission.form_id).where(FormSubmission.id == submission_id))
    await tags.add(
        session, correspondent_id, [TAG], source=f"form:{form_id}" if form_id else "volunteers", actor=actor
    )
    return volunteer


async def of_correspondent(session: AsyncSession, correspondent_id: int) -> Volunteer | None:
    return await session.scalar(select(Volunteer).where(Volunteer.correspondent_id == correspondent_id))


async def of_telegram(session: AsyncSession, telegram_id: int) -> Volunteer | None:
    """The volunteer whose CRM card this Telegram account holds by proof (never by a typed contact)."""
    card = await own_record(session, telegram_id)
    return None if card is None else await of_correspondent(session, card.id)


async def load(session: AsyncSession, volunteer_id: int) -> Volunteer:
    volunteer = await session.get(Volunteer, volunteer_id) if 0 < volunteer_id < 2**63 else None
    if volunteer is None:
        raise NotFound("Volunteer not found.")
    return volunteer


async def card_of(session: AsyncSession, volunteer: Volunteer) -> Correspondent:
    card = await session.get(Correspondent, volunteer.correspondent_id)
    if card is None:  # the foreign key cascades: a volunteer never outlives the card
        raise NotFound("Volunteer not found.")
    return card


async def set_status(
    session: AsyncSession, user: User | None, volunteer_id: int, status: str, *, ctx: NoticeContext
) -> Volunteer:
    """Accept, pause, resume or mark as left; the person is told in the bot when they have a chat."""
    staff = require_manager(user)
    volunteer = await load(session, volunteer_id)
    allowed = TRANSITIONS.get(status)
    if allowed is None:
        raise InvalidInput("Unknown volunteer status.")
    if volunteer.status not in allowed:
        raise InvalidInput("The volunteer's status has already changed; reload the page.")
    old = volunteer.status
    volunteer.status = status
    volunteer.updated_at = utcnow()
    record(
        session, actor_of(staff), "volunteer", volunteer.id, "status_changed", old_state=old, new_state=status
    )
    if status in (VolunteerStatus.PAUSED, VolunteerStatus.LEFT):
        await _release_upcoming(session, staff, volunteer)
    await notices.status_changed(session, volunteer, old, ctx=ctx)
    await session.flush()
    return volunteer


async def _release_upcoming(session: AsyncSession, staff: User, volunteer: Volunteer) -> None:
    """A volunteer who pauses or leaves is not expected at the shifts still ahead: they are marked
    declined (audited), so the event's page shows the places to fill and hours never count them."""
    now = utcnow()
    ahead = await session.scalars(
        select(VolunteerShift).where(
            VolunteerShift.volunteer_id == volunteer.id,
            VolunteerShift.starts_at > now,
            VolunteerShift.status.in_([VolunteerShiftStatus.ASSIGNED, VolunteerShiftStatus.CONFIRMED]),
        )
    )
    for shift in ahead.all():
        old, shift.status, shift.updated_at = shift.status, VolunteerShiftStatus.DECLINED, now
        record(
            session,
            actor_of(staff),
            "volunteer_shift",
            shift.id,
            "released",
            old_state=old,
            new_state=shift.status,
            reason=volunteer.status,
        )


async def update_profile(
    session: AsyncSession,
    user: User | None,
    volunteer_id: int,
    *,
    skills: list[str],
    availability: set[tuple[str, str]],
    notes: str,
) -> Volunteer:
    """The panel's editor: skills (already split), availability slots, notes."""
    staff = require_manager(user)
    volunteer = await load(session, volunteer_id)
    if len(notes) > NOTES_MAX:
        raise InvalidInput("Notes are too long: at most %(n)s characters.", n=NOTES_MAX, field="notes")
    old = _state(volunteer)
    volunteer.skills = parse_skills(skills)
    volunteer.availability = normalize(availability)  # unknown days and parts fall away
    volunteer.notes = notes.strip()
    volunteer.updated_at = utcnow()
    record(
        session,
        actor_of(staff),
        "volunteer",
        volunteer.id,
        "profile_edited",
        data={
            "old": {"skills": old["skills"], "availability": old["availability"]},
            "new": {"skills": volunteer.skills, "availability": volunteer.availability},
        },
    )
    await session.flush()
    return volunteer


async def questionnaires(session: AsyncSession) -> list[Form]:
    """The active volunteer questionnaires, for telling someone how to apply."""
    rows = await session.scalars(
        select(Form).where(Form.purpose == FormPurpose.VOLUNTEER, Form.is_active).order_by(Form.id)
    )
    return list(rows)
