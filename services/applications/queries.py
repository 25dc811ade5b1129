"""Lists of applications: the panel's (a reviewer sees only the ones they review), the applicant's
own in the bot, and an application's history from the audit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Application,
    ApplicationReview,
    AuditEvent,
    FormSubmission,
    StoredFile,
    User,
)
from services.applications.access import can_manage
from services.applications.decisions import council_ready

LIST_LIMIT = 200
MINE_LIMIT = 20


async def panel_list(
    session: AsyncSession, user: User, *, type_id: int | None = None, status: str | None = None
) -> list[Application]:
    query = (
        select(Application).order_by(Application.created_at.desc(), Application.id.desc()).limit(LIST_LIMIT)
    )
    if not can_manage(user):
        mine = select(ApplicationReview.application_id).where(ApplicationReview.reviewer_id == user.id)
        query = query.where(Application.id.in_(mine))
    if type_id:
        query = query.where(Application.type_id == type_id)
    if status:
        query = query.where(Application.status == status)
    return list(await session.scalars(query))


async def to_review(session: AsyncSession, user: User) -> list[tuple[Application, ApplicationReview]]:
    """The applications a reviewer is appointed to, newest first, with their review rows."""
    rows = await session.execute(
        select(Application, ApplicationReview)
        .join(ApplicationReview, ApplicationReview.application_id == Application.id)
        .where(ApplicationReview.reviewer_id == user.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(MINE_LIMIT)
    )
    return [(a, r) for a, r in rows.all()]


async def of_applicant(session: AsyncSession, telegram_id: int) -> list[Application]:
    """A Telegram applicant's own applications (by the chat they came from), newest first."""
    rows = await session.scalars(
        select(Application)
        .where(Application.telegram_id == telegram_id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(MINE_LIMIT)
    )
    return list(rows)


async def of_correspondent(session: AsyncSession, correspondent_id: int) -> list[Application]:
    rows = await session.scalars(
        select(Application)
        .where(Application.correspondent_id == correspondent_id)
        .order_by(Application.created_at.desc())
        .limit(MINE_LIMIT)
    )
    return list(rows)


async def submission_of(
    session: AsyncSession, application: Application
) -> tuple[FormSubmission | None, list[StoredFile]]:
    if application.submission_id is None:
        return None, []
    submission = await session.get(FormSubmission, application.submission_id)
    files = await session.scalars(
        select(StoredFile)
        .where(StoredFile.form_submission_id == application.submission_id)
        .order_by(StoredFile.id)
    )
    return submission, list(files)


async def history(session: AsyncSession, application_id: int) -> list[tuple[AuditEvent, User | None]]:
    rows = await session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.entity_type == "application", AuditEvent.entity_id == application_id)
        .order_by(AuditEvent.id)
    )
    return [(e, u) for e, u in rows.all()]


async def ready_for_council(session: AsyncSession, type_id: int | None = None) -> list[Application]:
    """What a council meeting's agenda may take now (``decisions.council_ready``), oldest first (the
    council helper then calls ``decisions.mark_on_council``)."""
    query = select(Application).where(council_ready()).order_by(Application.created_at, Application.id)
    if type_id is not None:
        query = query.where(Application.type_id == type_id)
    return list(await session.scalars(query))
