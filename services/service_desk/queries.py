"""What the bot lists about service requests: a requester's own, an agent's queue, a card's history.

Lists only read; every action reloads the request and re-checks rights in ``requests``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ChecklistItem, ServiceComment, ServiceRequest, ServiceTopic, StoredFile, User
from models.enums import Role, ServiceStatus
from services.service_desk import access

S = ServiceStatus
LIST_LIMIT = 20  # rows on one list; the oldest open ones matter most to the service


@dataclass(frozen=True, slots=True)
class Queue:
    new: Sequence[ServiceRequest]  # nobody took them yet, in the agent's services
    in_work: Sequence[ServiceRequest]  # the agent's own, being worked
    waiting: Sequence[ServiceRequest]  # the agent's own, waiting for the requester's answer


async def active_topics(session: AsyncSession) -> Sequence[ServiceTopic]:
    query = (
        select(ServiceTopic).where(ServiceTopic.is_active).order_by(ServiceTopic.position, ServiceTopic.id)
    )
    return (await session.scalars(query)).all()


async def topic(session: AsyncSession, topic_id: int | None) -> ServiceTopic | None:
    return await session.get(ServiceTopic, topic_id) if topic_id is not None else None


async def mine(session: AsyncSession, user: User, *, limit: int = LIST_LIMIT) -> Sequence[ServiceRequest]:
    """The user's own requests: the open and resolved ones first, then the latest finished ones."""
    finished = ServiceRequest.status.in_([S.CLOSED, S.CANCELLED])
    query = (
        select(ServiceRequest)
        .where(ServiceRequest.requester_id == user.id)
        .order_by(finished, ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def queue(session: AsyncSession, user: User, *, limit: int = LIST_LIMIT) -> Queue:
    """An agent's queue: new requests of the services they work in, their own in work and waiting."""
    if Role.ADMIN in user.roles:
        scope = ServiceRequest.id.is_not(None)
    else:
        departments = await access.agent_department_ids(session, user)
        topics = await access.led_topic_ids(session, user)
        scope = or_(ServiceRequest.department_id.in_(departments), ServiceRequest.topic_id.in_(topics))
    new = select(ServiceRequest).where(ServiceRequest.status == S.NEW, scope)
    own = select(ServiceRequest).where(ServiceRequest.assignee_id == user.id)
    order = (ServiceRequest.created_at, ServiceRequest.id)
    return Queue(
        new=(await session.scalars(new.order_by(*order).limit(limit))).all(),
        in_work=(
            await session.scalars(own.where(ServiceRequest.status == S.IN_WORK).order_by(*order).limit(limit))
        ).all(),
        waiting=(
            await session.scalars(own.where(ServiceRequest.status == S.WAITING).order_by(*order).limit(limit))
        ).all(),
    )


async def comments(session: AsyncSession, request_id: int, *, internal: bool) -> Sequence[ServiceComment]:
    """The request's messages in order; internal notes only for the service (``internal``)."""
    query = select(ServiceComment).where(ServiceComment.request_id == request_id)
    if not internal:
        query = query.where(ServiceComment.internal.is_(False))
    return (await session.scalars(query.order_by(ServiceComment.created_at, ServiceComment.id))).all()


def _files_seen(request_id: int, *, agent: bool) -> list[Any]:
    """The request's files a person sees: all for the service, without those of internal notes for
    anyone else."""
    where: list[Any] = [StoredFile.service_request_id == request_id]
    if not agent:
        internal = select(ServiceComment.id).where(
            ServiceComment.request_id == request_id, ServiceComment.internal
        )
        where.append(
            (StoredFile.service_comment_id.is_(None)) | StoredFile.service_comment_id.not_in(internal)
        )
    return where


async def file_count(session: AsyncSession, request_id: int, *, agent: bool) -> int:
    query = select(func.count()).select_from(StoredFile).where(*_files_seen(request_id, agent=agent))
    return int(await session.scalar(query) or 0)


async def files_seen(session: AsyncSession, request_id: int, *, agent: bool) -> list[StoredFile]:
    query = select(StoredFile).where(*_files_seen(request_id, agent=agent)).order_by(StoredFile.id)
    return list((await session.scalars(query)).all())


async def checklist_progress(session: AsyncSession, request_id: int) -> tuple[int, int]:
    """(done, total) items of the request's checklist."""
    row = (
        await session.execute(
            select(func.count(ChecklistItem.done_at), func.count()).where(
                ChecklistItem.service_request_id == request_id
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def people(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(wanted)))).all()}
