"""What the panel shows of the service desk: the list of requests a user may see (filters, paging)
and one request's card (files, the timeline of comments and audit events, the service's agents).

Visibility is decided here, in SQL, on the reloaded user: managers and administrators see every
request, an agent the requests of their services (and the ones assigned to them or of the topics
they lead), anyone else only their own. The card re-checks ``access.can_view`` on the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Department, ServiceComment, ServiceRequest, ServiceTopic, StoredFile, User
from models.enums import OPEN_SERVICE_STATUSES, Role, ServiceStatus, ServiceUrgency
from services.service_desk import access, requests
from services.text_search import contains, plan_with_values

NOBODY = "none"  # the assignee filter's value for «not assigned»


@dataclass(frozen=True, slots=True)
class RequestFilter:
    status: str | None = None
    topic_id: int | None = None
    urgency: str | None = None
    assignee: int | str | None = None  # a user id, or NOBODY
    overdue: bool = False
    text: str | None = None  # a fragment of the number or the subject
    mine: bool = False  # only the ones the user filed


@dataclass(frozen=True, slots=True)
class RequestPage:
    items: list[ServiceRequest]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)


async def sees_all(user: User) -> bool:
    return user.is_active and user.has_role(Role.MANAGER)


async def works_desk(session: AsyncSession, user: User) -> bool:
    """Agents, managers and administrators work the desk; everyone else sees «My requests»."""
    return await sees_all(user) or (user.is_active and await access.is_agent_anywhere(session, user))


async def visible_condition(session: AsyncSession, user: User) -> ColumnElement[bool]:
    """The requests ``user`` may see, as a WHERE clause (same rule as ``access.can_view``)."""
    if not user.is_active:
        return false()
    if await sees_all(user):
        return ServiceRequest.id.isnot(None)
    parts: list[ColumnElement[bool]] = [
        ServiceRequest.requester_id == user.id,
        ServiceRequest.assignee_id == user.id,
    ]
    departments = await access.agent_department_ids(session, user)
    if departments:
        parts.append(ServiceRequest.department_id.in_(departments))
    topics = await access.led_topic_ids(session, user)
    if topics:
        parts.append(ServiceRequest.topic_id.in_(topics))
    return or_(*parts)


def breached_condition(now: datetime) -> ColumnElement[bool]:
    """Past a target: a running clock over its due moment, or a stopped one that missed it."""
    running = and_(ServiceRequest.status.in_(list(OPEN_SERVICE_STATUSES)), ServiceRequest.paused_at.is_(None))
    return or_(
        and_(running, ServiceRequest.first_response_at.is_(None), ServiceRequest.reaction_due_at < now),
        and_(running, ServiceRequest.resolution_due_at < now),
        ServiceRequest.reaction_met.is_(False),
        ServiceRequest.resolution_met.is_(False),
    )


async def requests_page(
    session: AsyncSession,
    user: User,
    flt: RequestFilter,
    *,
    now: datetime,
    number: int = 1,
    size: int = 50,
) -> RequestPage:
    """One page of the requests ``user`` may see, newest first (offset paging: the list is short)."""
    where: list[ColumnElement[bool]] = [await visible_condition(session, user)]
    if flt.mine:
        where.append(ServiceRequest.requester_id == user.id)
    if flt.status in set(ServiceStatus):
        where.append(ServiceRequest.status == flt.status)
    elif flt.status == "open":
        where.append(ServiceRequest.status.in_(list(OPEN_SERVICE_STATUSES)))
    if flt.topic_id is not None:
        where.append(ServiceRequest.topic_id == flt.topic_id)
    if flt.urgency in set(ServiceUrgency):
        where.append(ServiceRequest.urgency == flt.urgency)
    if flt.assignee == NOBODY:
        where.append(ServiceRequest.assignee_id.is_(None))
    elif isinstance(flt.assignee, int):
        where.append(ServiceRequest.assignee_id == flt.assignee)
    if flt.overdue:
        where.append(breached_condition(now))
    if flt.text:
        where.append(
            or_(
                contains(session, ServiceRequest.number, flt.text),
                contains(session, ServiceRequest.subject, flt.text),
            )
        )
        await plan_with_values(session)
    total = await session.scalar(select(func.count(ServiceRequest.id)).where(*where)) or 0
    number = max(1, min(number, max((total + size - 1) // size, 1)))
    query = (
        select(ServiceRequest)
        .where(*where)
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .offset((number - 1) * size)
        .limit(size)
    )
    return RequestPage(list((await session.scalars(query)).all()), total, number, size)


async def users_by_id(session: AsyncSession, ids: list[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(wanted)))).all()}


async def topics(session: AsyncSession, *, active_only: bool = False) -> list[ServiceTopic]:
    query = select(ServiceTopic).order_by(ServiceTopic.position, ServiceTopic.name_ru, ServiceTopic.id)
    if active_only:
        query = query.where(ServiceTopic.is_active)
    return list((await session.scalars(query)).all())


async def assignee_choices(session: AsyncSession, user: User) -> list[User]:
    """People the list can be filtered by: the assignees of the requests this user may see."""
    ids = select(ServiceRequest.assignee_id).where(
        await visible_condition(session, user), ServiceRequest.assignee_id.isnot(None)
    )
    query = select(User).where(User.id.in_(ids)).order_by(User.full_name, User.id)
    return list((await session.scalars(query)).all())


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the card's timeline: a comment or an audit event."""

    at: datetime
    kind: str  # "comment" or "event"
    actor: str
    comment: ServiceComment | None = None
    event: AuditEvent | None = None
    files: list[StoredFile] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RequestCard:
    request: ServiceRequest
    topic: ServiceTopic | None
    requester: User | None
    assignee: User | None
    files: list[StoredFile]
    timeline: list[Entry]
    is_agent: bool
    is_requester: bool
    agents: list[User]  # whom the request can be assigned to


async def service_agents(session: AsyncSession, request: ServiceRequest) -> list[User]:
    """Active people who may work the request (its service's members and head, the topic lead)."""
    candidates: set[int] = set()
    if request.department_id is not None:
        members = select(User.id).where(User.department_id == request.department_id, User.is_active)
        candidates.update((await session.scalars(members)).all())
        head = await session.scalar(select(Department.head_id).where(Department.id == request.department_id))
        if head is not None:
            candidates.add(head)
    if request.topic_id is not None:
        lead = await session.scalar(select(ServiceTopic.lead_id).where(ServiceTopic.id == request.topic_id))
        if lead is not None:
            candidates.add(lead)
    if not candidates:
        return []
    people = (await session.scalars(select(User).where(User.id.in_(candidates), User.is_active))).all()
    return sorted(people, key=lambda u: (u.full_name.casefold(), u.id))


async def card(session: AsyncSession, user: User, request_id: int) -> RequestCard:
    """The card of a request ``user`` may see (NotFound otherwise); internal notes and their files
    are left out for anyone who is not an agent of its service."""
    request = await requests.load_visible(session, user, request_id)
    agent = await access.is_agent(session, user, request)
    comments = list(
        (
            await session.scalars(
                select(ServiceComment)
                .where(ServiceComment.request_id == request.id)
                .order_by(ServiceComment.created_at, ServiceComment.id)
            )
        ).all()
    )
    if not agent:
        comments = [c for c in comments if not c.internal]
    visible_comments = {c.id for c in comments}
    stored = list(
        (
            await session.scalars(
                select(StoredFile)
                .where(
                    or_(
                        StoredFile.service_request_id == request.id,
                        StoredFile.service_comment_id.in_(visible_comments or {0}),
                    )
                )
                .order_by(StoredFile.id)
            )
        ).all()
    )
    by_comment: dict[int, list[StoredFile]] = {}
    for f in stored:
        if f.service_comment_id is not None:
            by_comment.setdefault(f.service_comment_id, []).append(f)
    events = list(
        (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_type == "service_request", AuditEvent.entity_id == request.id)
                .order_by(AuditEvent.at, AuditEvent.id)
            )
        ).all()
    )
    if not agent:  # the event of an internal note would tell the requester it exists
        events = [e for e in events if not (e.data or {}).get("internal")]
    people = await users_by_id(
        session,
        [request.requester_id, request.assignee_id]
        + [c.author_id for c in comments]
        + [e.actor_user_id for e in events],
    )

    def who(user_id: int | None, fallback: str | None) -> str:
        person = people.get(user_id or 0)
        return person.full_name if person is not None else (fallback or "—")

    timeline = [
        Entry(
            c.created_at,
            "comment",
            who(c.author_id, c.author_email),
            comment=c,
            files=by_comment.get(c.id, []),
        )
        for c in comments
    ] + [Entry(e.at, "event", who(e.actor_user_id, e.actor_label), event=e) for e in events]
    timeline.sort(key=lambda e: (e.at, e.kind == "event"))
    topic = await session.get(ServiceTopic, request.topic_id) if request.topic_id is not None else None
    return RequestCard(
        request=request,
        topic=topic,
        requester=people.get(request.requester_id or 0),
        assignee=people.get(request.assignee_id or 0),
        files=[f for f in stored if f.service_comment_id is None],
        timeline=timeline,
        is_agent=agent,
        is_requester=access.is_requester(user, request),
        agents=await service_agents(session, request) if agent else [],
    )


async def file_for_viewer(session: AsyncSession, user: User, file_id: int) -> StoredFile | None:
    """A file of a request (or of one of its comments) ``user`` may see; None otherwise."""
    stored = await session.get(StoredFile, file_id)
    if stored is None:
        return None
    request_id = stored.service_request_id
    internal = False
    if stored.service_comment_id is not None:
        comment = await session.get(ServiceComment, stored.service_comment_id)
        if comment is None:
            return None
        request_id, internal = comment.request_id, comment.internal
    if request_id is None:
        return None
    request = await session.get(ServiceRequest, request_id)
    if request is None or not await access.can_view(session, user, request):
        return None
    if internal and not await access.is_agent(session, user, request):
        return None
    return stored


async def own_unattached_files(session: AsyncSession, user_id: int, ids: list[int]) -> list[StoredFile]:
    """The user's own uploads among ``ids`` that nothing has claimed yet (ids come from a page)."""
    if not ids:
        return []
    query = select(StoredFile).where(
        StoredFile.id.in_(ids),
        StoredFile.uploaded_by_user_id == user_id,
        StoredFile.assignment_id.is_(None),
        StoredFile.appeal_id.is_(None),
        StoredFile.report_id.is_(None),
        StoredFile.service_request_id.is_(None),
        StoredFile.service_comment_id.is_(None),
    )
    return list((await session.scalars(query.order_by(StoredFile.id))).all())
