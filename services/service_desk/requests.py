"""Filing and working service requests; every change audited, notices queued through the outbox.

    new ──take──▶ in_work ──wait──▶ waiting ──requester answers──▶ in_work
     │              │                  │
     │              └────resolve───────┴──▶ resolved ──confirm──▶ closed (rate 1–5)
     │                                         └──reopen──▶ in_work
    new / in_work / waiting ──cancel──▶ cancelled

Each function reloads the request, re-checks the actor's rights, takes ``now`` (tests pin time) and
a ``NoticeContext`` (its zone is the calendar's). The caller commits. Refusals raise DomainError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from models import ChecklistItem, ServiceComment, ServiceRequest, ServiceTopic, StoredFile, User, utcnow
from models.enums import ServiceChannel, ServiceStatus, ServiceUrgency
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.service_desk import access, notices, sla
from services.work_calendar import store as calendar_store

S = ServiceStatus
SUBJECT_LIMIT = 200
TEXT_LIMIT = 10_000
OPEN = frozenset({S.NEW, S.IN_WORK, S.WAITING})


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


def _actor(user: User | None, label: str | None = None) -> Actor:
    if user is None:
        return Actor.system(label or "email")
    return Actor(user_id=user.id, telegram_id=user.telegram_id)


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError as exc:
        await session.rollback()
        raise InvalidInput("This request has already changed; here is its current state.") from exc


async def load(session: AsyncSession, request_id: int) -> ServiceRequest:
    request = await session.get(ServiceRequest, request_id, populate_existing=True)
    if request is None:
        raise NotFound("Request not found.")
    return request


async def load_visible(session: AsyncSession, user: User, request_id: int) -> ServiceRequest:
    request = await load(session, request_id)
    if not await access.can_view(session, user, request):
        raise NotFound("Request not found.")
    return request


async def _agent(session: AsyncSession, user: User, request: ServiceRequest) -> None:
    if not await access.is_agent(session, user, request):
        raise PermissionDenied("Only the service that handles this request can do this.")


def _expect(request: ServiceRequest, expected_status: str | None, allowed: frozenset[S]) -> None:
    if expected_status is not None and request.status != expected_status:
        raise InvalidInput("This request has already changed; here is its current state.")
    if S(request.status) not in allowed:
        raise InvalidInput("This action is not possible in the request's current state.")


def _clean(text: str | None, *, required: bool, limit: int = TEXT_LIMIT) -> str:
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput("Write a few words.")
    if len(value) > limit:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=limit)
    return value


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
    subject = _clean(data.subject, required=True, limit=SUBJECT_LIMIT)
    text = _clean(data.text, required=False)
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
    event = record(
        session,
        _actor(requester),
        "service_request",
        request.id,
        "filed",
        new_state=S.NEW,
        data={"number": request.number, "topic": topic.id, "urgency": data.urgency, "channel": data.channel},
    )
    await session.flush()
    await notices.notify(session, ctx, request, "filed", event.id, actor=requester)
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
    await _agent(session, user, request)
    _expect(request, expected_status, frozenset({S.NEW, S.IN_WORK}))
    if request.status == S.IN_WORK and request.assignee_id == user.id:
        raise InvalidInput("You already work on this request.")
    old = request.status
    previous = request.assignee_id
    request.assignee_id = user.id
    request.status = S.IN_WORK
    request.updated_at = now
    sla.mark_response(request, now)
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "taken",
        old_state=old,
        new_state=S.IN_WORK,
        data={"assignee_id": user.id, "previous_assignee_id": previous},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "taken", event.id, actor=user)
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
    await _agent(session, user, request)
    _expect(request, None, frozenset({S.NEW, S.IN_WORK, S.WAITING}))
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
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "assigned",
        old_state=old,
        new_state=request.status,
        data={"assignee_id": assignee.id, "previous_assignee_id": previous},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "assigned", event.id, actor=user)
    return request


async def _add_comment(
    session: AsyncSession,
    request: ServiceRequest,
    author: User | None,
    text: str,
    *,
    internal: bool,
    via: str,
    now: datetime,
    author_email: str | None = None,
    message_id: str | None = None,
    file_ids: Sequence[int] = (),
) -> ServiceComment:
    comment = ServiceComment(
        request_id=request.id,
        author_id=author.id if author is not None else None,
        author_email=author_email,
        text=text,
        internal=internal,
        via=via,
        message_id=message_id,
        created_at=now,
    )
    session.add(comment)
    await session.flush()
    if file_ids:
        files = (await session.scalars(select(StoredFile).where(StoredFile.id.in_(list(file_ids))))).all()
        for stored in files:
            stored.service_request_id = request.id
            stored.service_comment_id = comment.id
    return comment


async def comment(
    session: AsyncSession,
    user: User,
    request_id: int,
    text: str,
    *,
    ctx: NoticeContext,
    internal: bool = False,
    via: str = ServiceChannel.BOT,
    file_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> ServiceComment:
    """A message on the request. From the service: public ones count as the first response. From
    the requester: an answer while the request waits for them resumes the clocks."""
    now = now or utcnow()
    request = await load(session, request_id)
    text = _clean(text, required=not file_ids)
    agent = await access.is_agent(session, user, request)
    requester = access.is_requester(user, request)
    if not agent and not requester:
        raise NotFound("Request not found.")
    if internal and not agent:
        raise PermissionDenied("Only the service that handles this request can do this.")
    if S(request.status) in (S.CLOSED, S.CANCELLED):
        raise InvalidInput("The request is closed; file a new one.")
    note = await _add_comment(
        session, request, user, text, internal=internal, via=via, now=now, file_ids=file_ids
    )
    old = request.status
    if requester and not agent and request.status == S.WAITING:
        await _resume(session, request, ctx, now)
    elif agent and not internal and not requester:
        sla.mark_response(request, now)
    request.updated_at = now
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "commented",
        old_state=old,
        new_state=request.status,
        data={"comment_id": note.id, "internal": internal},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "commented", event.id, actor=user, comment=note)
    return note


async def _require_ticked(session: AsyncSession, request_id: int) -> None:
    """«Every checklist item ticked» before resolving; read here directly because
    ``services.checklists`` decides its rights with this package's ``access`` (no import cycle)."""
    left = await session.scalar(
        select(func.count())
        .select_from(ChecklistItem)
        .where(ChecklistItem.service_request_id == request_id, ChecklistItem.done_at.is_(None))
    )
    if left:
        raise InvalidInput("Tick every checklist item first: %(n)d left.", n=left)


async def _resume(session: AsyncSession, request: ServiceRequest, ctx: NoticeContext, now: datetime) -> None:
    calendar = await calendar_store.load(session, ctx.tz)
    sla.resume(request, calendar, now)
    request.status = S.IN_WORK


async def email_reply(
    session: AsyncSession,
    request_id: int,
    text: str,
    *,
    sender_email: str,
    ctx: NoticeContext,
    message_id: str | None,
    file_ids: Sequence[int] = (),
    author: User | None = None,
    now: datetime | None = None,
) -> ServiceComment:
    """A letter in the request's thread: the requester's answer (resumes a waiting request) or an
    agent's reply from their mail client. ``author`` is the staff member the address belongs to."""
    now = now or utcnow()
    request = await load(session, request_id)
    agent = author is not None and await access.is_agent(session, author, request)
    note = await _add_comment(
        session,
        request,
        author,
        _clean(text, required=not file_ids),
        internal=False,
        via=ServiceChannel.EMAIL,
        now=now,
        author_email=sender_email,
        message_id=message_id,
        file_ids=file_ids,
    )
    old = request.status
    if agent:
        sla.mark_response(request, now)
    elif request.status == S.WAITING:
        await _resume(session, request, ctx, now)
    elif request.status == S.RESOLVED:
        # An answer to «resolved» that is not a confirmation: the requester is still not helped.
        await _reopen(session, request, ctx, now)
    request.updated_at = now
    event = record(
        session,
        _actor(author, "email"),
        "service_request",
        request.id,
        "commented",
        old_state=old,
        new_state=request.status,
        data={"comment_id": note.id, "via": "email", "from": sender_email},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "commented", event.id, actor=author, comment=note)
    return note


async def wait_for_requester(
    session: AsyncSession,
    user: User,
    request_id: int,
    question: str,
    *,
    ctx: NoticeContext,
    via: str = ServiceChannel.BOT,
    expected_status: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Ask the requester something: the clocks pause until they answer."""
    now = now or utcnow()
    request = await load(session, request_id)
    await _agent(session, user, request)
    _expect(request, expected_status, frozenset({S.IN_WORK}))
    question = _clean(question, required=True)
    note = await _add_comment(session, request, user, question, internal=False, via=via, now=now)
    sla.mark_response(request, now)
    sla.pause(request, now)
    request.status = S.WAITING
    request.updated_at = now
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "waiting",
        old_state=S.IN_WORK,
        new_state=S.WAITING,
        reason=question,
        data={"comment_id": note.id},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "waiting", event.id, actor=user, comment=note)
    return request


async def resolve(
    session: AsyncSession,
    user: User,
    request_id: int,
    text: str,
    *,
    ctx: NoticeContext,
    via: str = ServiceChannel.BOT,
    expected_status: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """The service says what was done; the resolution clock stops (met or not) and the requester
    is asked to confirm or reopen."""
    now = now or utcnow()
    request = await load(session, request_id)
    await _agent(session, user, request)
    _expect(request, expected_status, frozenset({S.IN_WORK, S.WAITING}))
    text = _clean(text, required=True)
    if request.checklist_required:
        await _require_ticked(session, request.id)
    old = request.status
    if request.paused_at is not None:
        await _resume(session, request, ctx, now)
    note = await _add_comment(session, request, user, text, internal=False, via=via, now=now)
    sla.mark_response(request, now)
    sla.mark_resolution(request, now)
    request.status = S.RESOLVED
    request.resolved_at = now
    if request.assignee_id is None:
        request.assignee_id = user.id
    request.updated_at = now
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "resolved",
        old_state=old,
        new_state=S.RESOLVED,
        reason=text,
        data={"comment_id": note.id, "resolution_met": request.resolution_met},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "resolved", event.id, actor=user, comment=note)
    return request


async def confirm(
    session: AsyncSession,
    user: User | None,
    request_id: int,
    *,
    ctx: NoticeContext,
    rating: int | None = None,
    rating_comment: str | None = None,
    now: datetime | None = None,
    auto: bool = False,
) -> ServiceRequest:
    """The requester confirms the result (optionally rating it), or the scheduler closes a resolved
    request nobody answered within the confirmation term (``auto``, ``user`` None)."""
    now = now or utcnow()
    request = await load(session, request_id)
    if not auto and (user is None or not access.is_requester(user, request)):
        raise PermissionDenied("Only the requester can confirm the result.")
    _expect(request, None, frozenset({S.RESOLVED}))
    request.status = S.CLOSED
    request.closed_at = now
    request.updated_at = now
    if rating is not None:
        _rate(request, rating, rating_comment, now)
    event = record(
        session,
        _actor(user, "scheduler"),
        "service_request",
        request.id,
        "auto_closed" if auto else "confirmed",
        old_state=S.RESOLVED,
        new_state=S.CLOSED,
        data={"rating": rating},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "auto_closed" if auto else "confirmed", event.id, actor=user)
    return request


def _rate(request: ServiceRequest, rating: int, comment_text: str | None, now: datetime) -> None:
    if not 1 <= rating <= 5:
        raise InvalidInput("Rate from 1 to 5.")
    request.rating = rating
    request.rating_comment = _clean(comment_text, required=False, limit=2000) or None
    request.rated_at = now


async def rate(
    session: AsyncSession,
    user: User,
    request_id: int,
    rating: int,
    *,
    ctx: NoticeContext,
    comment_text: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """The requester rates a resolved or closed request (once; a second rating replaces the first
    only while the request is not closed for a week — the panel shows the latest)."""
    now = now or utcnow()
    request = await load(session, request_id)
    if not access.is_requester(user, request):
        raise PermissionDenied("Only the requester can rate the result.")
    _expect(request, None, frozenset({S.RESOLVED, S.CLOSED}))
    old_rating = request.rating
    _rate(request, rating, comment_text, now)
    request.updated_at = now
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "rated",
        data={"rating": rating, "previous": old_rating},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "rated", event.id, actor=user)
    return request


async def _reopen(session: AsyncSession, request: ServiceRequest, ctx: NoticeContext, now: datetime) -> None:
    """Back to work: the time it stood resolved counts as paused, the target is no longer met."""
    calendar = await calendar_store.load(session, ctx.tz)
    request.paused_at = request.resolved_at or now
    sla.resume(request, calendar, now)
    request.status = S.IN_WORK
    request.resolved_at = None
    request.resolution_met = None
    request.reopen_count += 1


async def reopen(
    session: AsyncSession,
    user: User,
    request_id: int,
    reason: str,
    *,
    ctx: NoticeContext,
    via: str = ServiceChannel.BOT,
    now: datetime | None = None,
) -> ServiceRequest:
    """The requester says it is not solved: back to the same assignee, the resolution clock runs on."""
    now = now or utcnow()
    request = await load(session, request_id)
    if not access.is_requester(user, request):
        raise PermissionDenied("Only the requester can reopen the request.")
    _expect(request, None, frozenset({S.RESOLVED}))
    reason = _clean(reason, required=True)
    note = await _add_comment(session, request, user, reason, internal=False, via=via, now=now)
    await _reopen(session, request, ctx, now)
    request.updated_at = now
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "reopened",
        old_state=S.RESOLVED,
        new_state=S.IN_WORK,
        reason=reason,
        data={"comment_id": note.id},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "reopened", event.id, actor=user, comment=note)
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
        await _agent(session, user, request)
    _expect(request, None, frozenset(OPEN))
    reason = _clean(reason, required=True)
    old = request.status
    request.status = S.CANCELLED
    request.cancelled_at = now
    request.paused_at = None
    request.updated_at = now
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "cancelled",
        old_state=old,
        new_state=S.CANCELLED,
        reason=reason,
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "cancelled", event.id, actor=user)
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
    await _agent(session, user, request)
    _expect(request, None, frozenset(OPEN))
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
    event = record(
        session,
        _actor(user),
        "service_request",
        request.id,
        "urgency_changed",
        data={"from": old, "to": urgency},
    )
    await _flush(session)
    await notices.notify(session, ctx, request, "urgency_changed", event.id, actor=user)
    return request
