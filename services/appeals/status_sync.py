"""An appeal's status follows the assignments working on it.

Called when an assignment is linked to an appeal (``workflow.create_linked_assignment``) and when
imported assignments are (``services.imports``); the assignment services never call it, so the
imports between appeals and assignments stay one-way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Assignment, User
from models.enums import AppealStatus
from services.appeals import notices
from services.audit import Actor, record
from services.errors import NotFound
from services.notify import NoticeContext


def as_actor(actor: Actor | User) -> Actor:
    return Actor(user_id=actor.id, telegram_id=actor.telegram_id) if isinstance(actor, User) else actor


async def load(session: AsyncSession, appeal_id: int, *, for_update: bool = False) -> Appeal:
    query = select(Appeal).where(Appeal.id == appeal_id).execution_options(populate_existing=True)
    if for_update and session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    appeal = await session.scalar(query)
    if appeal is None:
        raise NotFound("Appeal not found.")
    return appeal


async def sync_status_from_assignments(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: Actor | User,
    notify: NoticeContext | None = None,
) -> Appeal:
    """Registered → in_work as soon as an assignment works on the appeal. An appeal stays in_work
    while assignments are open and after they finish (then it is ready to answer); final states are
    only set by a person."""
    appeal = await load(session, appeal_id)
    if appeal.status != AppealStatus.REGISTERED:
        return appeal
    linked = await session.scalar(select(Assignment.id).where(Assignment.appeal_id == appeal.id).limit(1))
    if linked is None:
        return appeal
    appeal.status = AppealStatus.IN_WORK
    record(
        session,
        as_actor(actor),
        "appeal",
        appeal.id,
        "status_changed",
        old_state=AppealStatus.REGISTERED,
        new_state=AppealStatus.IN_WORK,
        data={"assignment_id": linked},
    )
    await session.flush()
    if notify is not None:
        await notices.notify_correspondent(session, notify, appeal, notices.IN_WORK)
    return appeal
