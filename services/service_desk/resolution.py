"""The conversation of a request and how it ends: comments (bot, panel, e-mail), questions that
pause the clocks, resolving, the requester's confirmation, rating and reopening.

Same conventions as ``requests``: reload, re-check rights, ``now`` for tests, the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceComment, ServiceRequest, User, utcnow
from models.enums import ServiceChannel
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.service_desk import access, sla
from services.service_desk.changes import (
    S,
    actor_of,
    add_comment,
    changed,
    clean,
    expect,
    load,
    reopen_clock,
    require_agent,
    require_ticked,
    resume,
)


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
    text = clean(text, required=not file_ids)
    agent = await access.is_agent(session, user, request)
    requester = access.is_requester(user, request)
    if not agent and not requester:
        raise NotFound("Request not found.")
    if internal and not agent:
        raise PermissionDenied("Only the service that handles this request can do this.")
    if S(request.status) in (S.CLOSED, S.CANCELLED):
        raise InvalidInput("The request is closed; file a new one.")
    note = await add_comment(
        session, request, user, text, internal=internal, via=via, now=now, file_ids=file_ids
    )
    old = request.status
    if requester and not agent and request.status == S.WAITING:
        await resume(session, request, ctx, now)
    elif agent and not internal and not requester:
        sla.mark_response(request, now)
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "commented",
        actor_of(user),
        user=user,
        comment=note,
        old_state=old,
        new_state=request.status,
        data={"comment_id": note.id, "internal": internal},
        at=now,
    )
    return note


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
    note = await add_comment(
        session,
        request,
        author,
        clean(text, required=not file_ids),
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
        await resume(session, request, ctx, now)
    elif request.status == S.RESOLVED:
        # An answer to «resolved» that is not a confirmation: the requester is still not helped.
        await reopen_clock(session, request, ctx, now)
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "commented",
        actor_of(author, "email"),
        user=author,
        comment=note,
        old_state=old,
        new_state=request.status,
        data={"comment_id": note.id, "via": "email", "from": sender_email},
        at=now,
    )
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
    await require_agent(session, user, request)
    expect(request, expected_status, frozenset({S.IN_WORK}))
    question = clean(question, required=True)
    note = await add_comment(session, request, user, question, internal=False, via=via, now=now)
    sla.mark_response(request, now)
    sla.pause(request, now)
    request.status = S.WAITING
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "waiting",
        actor_of(user),
        user=user,
        comment=note,
        old_state=S.IN_WORK,
        new_state=S.WAITING,
        reason=question,
        data={"comment_id": note.id},
        at=now,
    )
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
    await require_agent(session, user, request)
    expect(request, expected_status, frozenset({S.IN_WORK, S.WAITING}))
    text = clean(text, required=True)
    if request.checklist_required:
        await require_ticked(session, request.id)
    old = request.status
    if request.paused_at is not None:
        await resume(session, request, ctx, now)
    note = await add_comment(session, request, user, text, internal=False, via=via, now=now)
    sla.mark_response(request, now)
    sla.mark_resolution(request, now)
    request.status = S.RESOLVED
    request.resolved_at = now
    if request.assignee_id is None:
        request.assignee_id = user.id
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "resolved",
        actor_of(user),
        user=user,
        comment=note,
        old_state=old,
        new_state=S.RESOLVED,
        reason=text,
        data={"comment_id": note.id, "resolution_met": request.resolution_met},
        at=now,
    )
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
    expect(request, None, frozenset({S.RESOLVED}))
    request.status = S.CLOSED
    request.closed_at = now
    request.updated_at = now
    if rating is not None:
        _rate(request, rating, rating_comment, now)
    await changed(
        session,
        ctx,
        request,
        "auto_closed" if auto else "confirmed",
        actor_of(user, "scheduler"),
        user=user,
        old_state=S.RESOLVED,
        new_state=S.CLOSED,
        data={"rating": rating},
        at=now,
    )
    return request


def _rate(request: ServiceRequest, rating: int, comment_text: str | None, now: datetime) -> None:
    if not 1 <= rating <= 5:
        raise InvalidInput("Rate from 1 to 5.")
    request.rating = rating
    request.rating_comment = clean(comment_text, required=False, limit=2000) or None
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
    expect(request, None, frozenset({S.RESOLVED, S.CLOSED}))
    old_rating = request.rating
    _rate(request, rating, comment_text, now)
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "rated",
        actor_of(user),
        user=user,
        data={"rating": rating, "previous": old_rating},
        at=now,
    )
    return request


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
    expect(request, None, frozenset({S.RESOLVED}))
    reason = clean(reason, required=True)
    note = await add_comment(session, request, user, reason, internal=False, via=via, now=now)
    await reopen_clock(session, request, ctx, now)
    request.updated_at = now
    await changed(
        session,
        ctx,
        request,
        "reopened",
        actor_of(user),
        user=user,
        comment=note,
        old_state=S.RESOLVED,
        new_state=S.IN_WORK,
        reason=reason,
        data={"comment_id": note.id},
        at=now,
    )
    return request
