"""The demo museum's volunteers: a few people who answered the volunteer questionnaire, with skills
and availability, most of them accepted; past events of the demo get done shifts with hours (one
no-show), upcoming ones an invitation or two. Everything goes through ``services.volunteers``, so the
audit, the tag «волонтёр» and the hours are as in real use. The lead wires it in ``demo_seed``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Form, FormSubmission, MuseumEvent, User, UserRole
from models.enums import FormPurpose, Role, SubmissionChannel, VolunteerStatus
from porucheno.demo_forms import volunteer_fields, volunteer_form
from services.audit import Actor
from services.correspondents.contact import ContactInput
from services.correspondents.directory import find_or_create
from services.errors import DomainError
from services.forms import definitions as d
from services.forms.hooks import volunteer_answers
from services.notify import NoticeContext
from services.volunteers import base, shifts

# (name, e-mail, skills, availability, notes, status), answered as the questionnaire of demo_forms
# stores them: skills a list of option codes (a multichoice), availability one option code (a choice).
PEOPLE = [
    ("Орлова Дарья Сергеевна", "d.orlova@example.ru", ["guide", "cloakroom"], "weekends", "", "active"),
    ("Ким Алина Викторовна", "alina.kim@example.ru", ["photo", "social"], "evenings", "", "active"),
    (
        "Белов Борис Андреевич",
        "b.belov@example.ru",
        ["workshops", "kids"],
        "weekdays",
        "В августе в отъезде",
        "active",
    ),
    ("Лебедева Нина Павловна", "n.lebedeva@example.ru", ["reception"], "any", "", "paused"),
    ("Смирнов Егор Ильич", "egor.smirnov@example.ru", ["sound"], "evenings", "", "candidate"),
]
ROLES = ["Гардероб", "Встреча гостей", "Фотограф", "Помощь на мастер-классе"]
HOURS = [None, 2.5, None, 3.0]  # None: the shift's length


async def _manager(session: AsyncSession, actor: Actor) -> User | None:
    """The acting user if they work with volunteers, else any active manager."""
    if actor.user_id is not None:
        user = await session.get(User, actor.user_id)
        if user is not None and user.is_active and user.has_role(Role.MANAGER, Role.CLERK):
            return user
    return await session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.is_active, UserRole.role.in_([Role.MANAGER, Role.ADMIN]))
        .order_by(User.id)
        .limit(1)
    )


async def _questionnaire(session: AsyncSession, actor: Actor) -> Form:
    """The demo's volunteer questionnaire (demo_forms makes it), or one with the same fields."""
    form = await session.scalar(select(Form).where(Form.purpose == FormPurpose.VOLUNTEER).order_by(Form.id))
    if form is None:
        form = await d.create_form(session, volunteer_form("demo-volunteer"), actor=actor)
        for field in volunteer_fields():
            await d.add_field(session, form.id, field, actor=actor)
    return form


async def seed_volunteers(
    session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime, *, event_ids: list[int]
) -> None:
    manager = await _manager(session, actor)
    ctx = NoticeContext(tz=tz)
    form = await _questionnaire(session, actor)
    fields = list(await d.fields_of(session, form.id))
    volunteers = []
    for name, email, skills, availability, notes, status in PEOPLE:
        card = await find_or_create(session, ContactInput(name=name, email=email), actor=actor)
        answers = {"name": name, "skills": skills, "availability": availability}
        submission = FormSubmission(
            form_id=form.id, correspondent_id=card.id, channel=SubmissionChannel.WEB, answers=answers,
            contact_email=email, locale="ru",
        )  # fmt: skip
        session.add(submission)
        await session.flush()
        volunteer = await base.from_questionnaire(
            session,
            correspondent_id=card.id,
            submission_id=submission.id,
            answers=volunteer_answers(fields, answers),  # as services.forms hands them over
            actor=actor,
        )
        volunteer.notes = notes
        if manager is not None and status != VolunteerStatus.CANDIDATE:
            await base.set_status(session, manager, volunteer.id, VolunteerStatus.ACTIVE, ctx=ctx)
        volunteers.append((volunteer, status))
    if manager is None:
        return
    events = list(
        await session.scalars(
            select(MuseumEvent).where(MuseumEvent.id.in_(event_ids)).order_by(MuseumEvent.starts_at)
        )
    )
    active = [v for v, status in volunteers if status == VolunteerStatus.ACTIVE]
    n = 0
    for event in events:
        past = event.starts_at < now
        for volunteer in active[: 3 if past else 2]:
            try:
                shift = await shifts.assign(
                    session,
                    manager,
                    volunteer_id=volunteer.id,
                    event_id=event.id,
                    role=ROLES[n % len(ROLES)],
                    ctx=ctx,
                )
                if past and n % 7 == 5:
                    await shifts.mark_no_show(session, manager, shift.id, now=now)
                elif past:
                    await shifts.mark_done(session, manager, shift.id, hours=HOURS[n % len(HOURS)], now=now)
            except DomainError:  # overlapping demo events: that volunteer sits this one out
                continue
            finally:
                n += 1
    # Paused after their shifts, so the base shows every status.
    for volunteer, status in volunteers:
        if status == VolunteerStatus.PAUSED:
            await base.set_status(session, manager, volunteer.id, VolunteerStatus.PAUSED, ctx=ctx)
