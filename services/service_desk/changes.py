"""What every change of a service request shares: loading, checks, comments, the pause clock, and
the ending (audit event, write, notices). ``requests`` and ``resolution`` hold the changes themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from models import ChecklistItem, ServiceComment, ServiceRequest, StoredFile, User
from models.enums import ServiceStatus
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext
from services.service_desk import access, notices, sla
from services.work_calendar import store as calendar_store

S = ServiceStatus
TEXT_LIMIT = 10_000
OPEN = frozenset({S.NEW, S.IN_WORK, S.WAITING})


def actor_of(user: User | None, label: str | None = None) -> Actor:
    if user is None:
        return Actor.system(label or "email")
    return Actor(user_id=user.id, telegram_id=user.telegram_id)


async def changed(
    session: AsyncSession,
    ctx: NoticeContext,
    request: ServiceRequest,
    action: str,
    actor: Actor,
    *,
    user: User | None,
    comment: ServiceComment | None = None,
    old_state: str | None = None,
    new_state: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Every change ends alike: the audit event, the write (refused if another press got there
    first), then the notices of the event (named as the audit action) through the outbox.
    ``at``: the moment of the change the caller worked with (its ``now``), so the history and the
    request's own times agree."""
    event = record(
        session,
        actor,
        "service_request",
        request.id,
        action,
        old_state=old_state,
        new_state=new_state,
        reason=reason,
        data=data,
        at=at,
    )
    await flush(session)
    await notices.notify(session, ctx, request, action, event.id, actor=user, comment=comment)


async def flush(session: AsyncSession) -> None:
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


async def require_agent(session: AsyncSession, user: User, request: ServiceRequest) -> None:
    if not await access.is_agent(session, user, request):
        raise PermissionDenied("Only the service that handles this request can do this.")


def expect(request: ServiceRequest, expected_status: str | None, allowed: frozenset[S]) -> None:
    if expected_status is not None and request.status != expected_status:
        raise InvalidInput("This request has already changed; here is its current state.")
    if S(request.status) not in allowed:
        raise InvalidInput("This action is not possible in the request's current state.")


def clean(text: str | None, *, required: bool, limit: int = TEXT_LIMIT) -> str:
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput("Write a few words.")
    if len(value) > limit:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=limit)
    return value


async def add_comment(
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


async def require_ticked(session: AsyncSession, request_id: int) -> None:
    """«Every checklist item ticked» before resolving; read here directly because
    ``services.checklists`` decides its rights with this package's ``access`` (no import cycle)."""
    left = await session.scalar(
        select(func.count())
        .select_from(ChecklistItem)
        .where(ChecklistItem.service_request_id == request_id, ChecklistItem.done_at.is_(None))
    )
    if left:
        raise InvalidInput("Tick every checklist item first: %(n)d left.", n=left)


async def resume(session: AsyncSession, request: ServiceRequest, ctx: NoticeContext, now: datetime) -> None:
    calendar = await calendar_store.load(session, ctx.tz)
    sla.resume(request, calendar, now)
    request.status = S.IN_WORK


async def reopen_clock(
    session: AsyncSession, request: ServiceRequest, ctx: NoticeContext, now: datetime
) -> None:
    """Back to work: the time it stood resolved counts as paused, the target is no longer met."""
    calendar = await calendar_store.load(session, ctx.tz)
    request.paused_at = request.resolved_at or now
    sla.resume(request, calendar, now)
    request.status = S.IN_WORK
    request.resolved_at = None
    request.resolution_met = None
    request.reopen_count += 1
