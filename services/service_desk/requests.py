"""Filing and working service requests; every change audited, notices queued through the outbox.

    new ──take──▶ in_work ──wait──▶ waiting ──requester answers──▶ in_work
     │              │                  │
     │              └────resolve───────┴──▶ resolved ──confirm──▶ closed (rate 1–5)
     │                                         └──reopen──▶ in_work
    new / in_work / waiting ──cancel──▶ cancelled

This module files, takes, hands over, re-rates and cancels; ``resolution`` holds the conversation
(comments, questions, e-mail replies) and the ending (resolve, confirm, rate, reopen); ``changes`` what
both share. Each function reloads the request, re-checks the actor's rights, takes ``now`` (tests
pin time) and a ``NoticeContext`` (its zone is the calendar's). The caller commits. Refusals raise
DomainError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceRequest, ServiceTopic, StoredFile, User, utcnow
from models.enums import ServiceChannel, ServiceUrgency
from services.errors import InvalidInput
from services.notify import NoticeContext
from services.service_desk import access, sla
from services.service_desk.changes import (
    OPEN,
    TEXT_LIMIT,
    S,
    actor_of,
    changed,
    clean,
    expect,
    load,
    load_visible,
    require_agent,
)
from services.work_calendar import store as calendar_store

__all__ = [
    "OPEN",
    "TEXT_LIMIT",
    "NewRequest",
    "assign",
    "cancel",
    "change_urgency",
    "file_request",
    "load",
    "load_visible",
    "take",
    "topic_of",
]
SUBJECT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class NewRequest:
    topic_id: int
    subject: str
    text: str = ""
    urgency: str = ServiceUrgency.NORMAL
    channel: str = ServiceChannel.BOT
    # Files already stored (``services.files.store_file``); they are attached to the request.
    file_ids: Sequence[int] = field(default_factory=tuple)
    # A letter from an address no staff member has: who wrote it.
    requester_email: str | None = None
    requester_name: str | None = None
    mail_thread_id: str | None = None


async def _next_seq(session: AsyncSession, year: int) -> int:
    last = await session.scalar(select(func.max(ServiceRequest.seq)).where(ServiceRequest.year == year))
    return (last or 0) + 1


async def topic_of(session: AsyncSession, topic_id: int) -> ServiceTopic:
    topic = await session.get(ServiceTopic, topic_id)
    if topic is None or not topic.is_active:
        raise InvalidInput("Choose a topic from the list.", field="topic_id")
    return topic


async def file_request(
    session: AsyncSession,
    requester: User | None,
    data: NewRequest,
    *,
    ctx: NoticeContext,
    now: datetime | None = None,
) -> ServiceRequest:
    """File a request: numbered per local year, targets copied from its topic, clocks started."""
    now = now or utcnow()
    if requester is None and not data.requester_email:
        raise InvalidInput("A request needs a requester.")
    topic = await topic_of(session, data.topic_id)
    if data.urgency not in set(ServiceUrgency):
        raise InvalidInput("Choose the urgency from the list.", field="urgency")
    subject = clean(data.subject, required=True, limit=SUBJECT_LIMIT)
    text = clean(data.text, required=False)
    reaction, resolution = await sla.targets_for(session, topic.id, data.urgency)
    calendar = await calendar_store.load(session, ctx.tz)
    year = ctx.local(now).year
    for attempt in range(5):
        seq = await _next_seq(session, year)
        request = ServiceRequest(
            year=year,
            seq=seq,
            number=f"{year}-{seq:04d}",
            topic_id=topic.id,
            department_id=topic.department_id,
            urgency=data.urgency,
            subject=subject,
            text=text,
            channel=data.channel,
            status=S.NEW,
            requester_id=requester.id if requester is not None else None,
            requester_email=data.requester_email or (requester.email if requester is not None else None),
            requester_name=data.requester_name or (requester.full_name if requester is not None else None),
            created_at=now,
            updated_at=now,
            reaction_target_min=reaction,
            resolution_target_min=resolution,
            paused_minutes=0,
            mail_thread_id=data.mail_thread_id,
        )
        sla.plan(request, calendar)
        try:
            async with session.begin_nested():  # two at once: the second takes the next number
                session.add(request)
                await session.flush()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    if data.file_ids:
        files = (
            await session.scalars(select(StoredFile).where(StoredFile.id.in_(list(data.file_ids))))
        ).all()
        for stored in files:
            stored.service_request_id = request.id
    await changed(
        session,
        ctx,
        request,
        "filed",
        actor_of(requester),
        user=requester,
        new_state=S.NEW,
        data={"number": request.number, "topic": topic.id, "urgency": data.urgency, "channel": data.channel},
        at=now,
    )
    return request


async def take(
    session: AsyncSession,
    user: User,
    request_id: int,
    *,
    ctx: NoticeContext,
    expected_status: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """The agent takes the request (a new one, or one another agent had): the reaction clock stops."""
    now = now or utcnow()
    request = await load(session, request_id)
    await require_agent(session, user, request)
    expect(request, expected_status, frozenset({S.NEW, S.IN_WORK}))
    if request.status == S.IN_WORK and request.assignee_id == user.id:
        raise InvalidInput("You already work on this request.")
    old = request.status
    previous = request.assignee_id
    request.assignee_id = user.id
    request.status = S.IN_WORK
    request.updated_at = now
    sla.mark_response(request, now)
    await changed(
        session,
        ctx,
        request,
        "taken",
        actor_of(user),
        user=user,
        old_state=old,
        new_state=S.IN_WORK,
        data={"assignee_id": user.id, "previous_assignee_id": previous},
        at=now,
    )
    return request


async def assign(
    session: AsyncSession,
    user: User,
    request_id: int,
    assignee_id: int,
    *,
    ctx: NoticeContext,
    now: datetime | None = None,
) -> ServiceRequest:
    """Hand the request to another agent of the same service (the lead or a colleague does it)."""
    now = now or utcnow()
    request = await load(session, request_id)
    await require_agent(session, user, request)
    expect(request, None, frozenset({S.NEW, S.IN_WORK, S.WAITING}))
    assignee = await session.get(User, assignee_id)
    if assignee is None or not assignee.is_active or not await access.is_agent(session, assignee, request):
        raise InvalidInput("Choose someone of the service that handles this request.", field="assignee_id")
    old = request.status
    previous = request.assignee_id
    request.assignee_id = assignee.id
    if request.status == S.NEW:
        request.status = S.IN_WORK
        sla.mark_response(request, now)
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "assigned",
        actor_of(user),
        user=user,
        old_state=old,
        new_state=request.status,
        data={"assignee_id": assignee.id, "previous_assignee_id": previous},
        at=now,
    )
    return request


async def cancel(
    session: AsyncSession,
    user: User,
    request_id: int,
    reason: str,
    *,
    ctx: NoticeContext,
    now: datetime | None = None,
) -> ServiceRequest:
    """Withdrawn by the requester or cancelled by the service (with a reason)."""
    now = now or utcnow()
    request = await load(session, request_id)
    if not access.is_requester(user, request):
        await require_agent(session, user, request)
    expect(request, None, frozenset(OPEN))
    reason = clean(reason, required=True)
    old = request.status
    request.status = S.CANCELLED
    request.cancelled_at = now
    request.paused_at = None
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "cancelled",
        actor_of(user),
        user=user,
        old_state=old,
        new_state=S.CANCELLED,
        reason=reason,
        at=now,
    )
    return request


async def change_urgency(
    session: AsyncSession,
    user: User,
    request_id: int,
    urgency: str,
    *,
    ctx: NoticeContext,
    now: datetime | None = None,
) -> ServiceRequest:
    """The service re-rates the urgency: new targets, counted from filing as before."""
    now = now or utcnow()
    request = await load(session, request_id)
    await require_agent(session, user, request)
    expect(request, None, frozenset(OPEN))
    if urgency not in set(ServiceUrgency):
        raise InvalidInput("Choose the urgency from the list.", field="urgency")
    old = request.urgency
    request.urgency = urgency
    request.reaction_target_min, request.resolution_target_min = await sla.targets_for(
        session, request.topic_id, urgency
    )
    sla.plan(request, await calendar_store.load(session, ctx.tz))
    if request.first_response_at is not None and request.reaction_due_at is not None:
        request.reaction_met = request.first_response_at <= request.reaction_due_at
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "urgency_changed",
        actor_of(user),
        user=user,
        data={"from": old, "to": urgency},
        at=now,
    )
    return request
