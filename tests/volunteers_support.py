"""Shared pieces of the volunteers tests: staff, people with CRM cards (and a Telegram account when
they talk to the bot), museum events and questionnaire answers — made through the models and the
services as the forms feature and the panel would."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Form, FormSubmission, MuseumEvent, TelegramAccount, User, Volunteer
from models.enums import FormPurpose, Role, SubmissionChannel, VolunteerStatus
from services import staff
from services.audit import Actor
from services.notify import NoticeContext
from services.volunteers import base

CTX = NoticeContext()


async def make_staff(
    session: AsyncSession, name: str = "Кураторова Ольга", role: str = Role.MANAGER, **kw
) -> User:  # type: ignore[no-untyped-def]
    return await staff.create_user(session, Actor.system("test"), full_name=name, roles=(role,), **kw)


async def make_person(session: AsyncSession, name: str, *, telegram_id: int | None = None) -> Correspondent:
    """A CRM card; with ``telegram_id`` also the Telegram account that holds it (a proven link)."""
    card = Correspondent(name=name, name_search=name.casefold(), telegram_id=telegram_id)
    session.add(card)
    await session.flush()
    if telegram_id is not None:
        session.add(
            TelegramAccount(
                id=telegram_id, chat_id=telegram_id, first_name=name.split()[0], correspondent_id=card.id
            )
        )
        await session.flush()
    return card


async def make_event(
    session: AsyncSession, title: str, starts_at: datetime, hours: float = 2, *, place: str = "Главный зал"
) -> MuseumEvent:
    event = MuseumEvent(
        title=title, place=place, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours)
    )
    session.add(event)
    await session.flush()
    return event


async def questionnaire(session: AsyncSession, card: Correspondent, answers: dict) -> Volunteer:  # type: ignore[type-arg]
    """The forms feature's call for a volunteer questionnaire answer."""
    form = await session.scalar(select(Form).where(Form.slug == "volunteer"))
    if form is None:
        form = Form(slug="volunteer", title_ru="Анкета волонтёра", purpose=FormPurpose.VOLUNTEER)
        session.add(form)
        await session.flush()
    submission = FormSubmission(
        form_id=form.id, correspondent_id=card.id, channel=SubmissionChannel.WEB, answers=answers
    )
    session.add(submission)
    await session.flush()
    return await base.from_questionnaire(
        session,
        correspondent_id=card.id,
        submission_id=submission.id,
        answers=answers,
        actor=Actor.system("forms"),
    )


async def active_volunteer(
    session: AsyncSession,
    manager: User,
    card: Correspondent,
    availability: object = "any",
    skills: object = "",
) -> Volunteer:
    volunteer = await questionnaire(session, card, {"skills": skills, "availability": availability})
    return await base.set_status(session, manager, volunteer.id, VolunteerStatus.ACTIVE, ctx=CTX)
