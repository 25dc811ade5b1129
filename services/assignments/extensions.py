"""Extensions of an assignment's deadline: the executor asks (with a reason), the control approves
(the new deadline; a point's stays within its multi-point assignment's) or refuses (with a reason
the executor reads). The state does not change; every decision is audited and notified.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, ExtensionRequest, User, utcnow
from models.enums import AssignmentStatus, ExtensionStatus
from services.assignments import access, notices, parent_state
from services.assignments.commands import _actor, _clean_reason, _flush_or_changed, load
from services.assignments.deadline_rules import check_new_deadline
from services.assignments.lifecycle import Party
from services.audit import record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext


async def extension_precheck(
    session: AsyncSession, user: User, assignment_id: int, *, for_update: bool = False
) -> Assignment:
    """What :func:`request_extension` checks before it looks at the new deadline."""
    assignment = await load(session, assignment_id, for_update=for_update)
    if not await access.can_act(session, assignment, user, Party.EXECUTOR):
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    if AssignmentStatus(assignment.status) in (
        AssignmentStatus.DONE,
        AssignmentStatus.CANCELLED,
        AssignmentStatus.DECLINED,
    ):
        raise InvalidInput("This action is not possible in the assignment's current state.")
    pending = await session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.assignment_id == assignment.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    )
    if pending is not None:
        raise InvalidInput("An extension request is already waiting for a decision.")
    return assignment


async def request_extension(
    session: AsyncSession,
    user: User,
    assignment_id: int,
    new_deadline: datetime,
    reason: str,
    *,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> ExtensionRequest:

    assignment = await extension_precheck(session, user, assignment_id, for_update=True)
    check_new_deadline(new_deadline, current=assignment.deadline, now=now or utcnow())
    request = ExtensionRequest(
        assignment_id=assignment.id,
        requested_by_id=user.id,
        old_deadline=assignment.deadline,
        new_deadline=new_deadline,
        reason=_clean_reason(reason, required=True) or "",
        created_at=now or utcnow(),
    )
    session.add(request)
    await session.flush()
    event = record(
        session,
        _actor(user),
        "assignment",
        assignment.id,
        "extension_requested",
        reason=request.reason,
        data={"request_id": request.id, "new_deadline": new_deadline.isoformat()},
    )
    if notify is not None:
        await session.flush()
        await notices.notify_extension(session, notify, request, assignment, event.id)
    return request


async def decide_extension(
    session: AsyncSession,
    user: User,
    request_id: int,
    *,
    approve: bool,
    reason: str | None = None,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> ExtensionRequest:
    request, assignment = await extension_decision_precheck(session, user, request_id, for_update=True)
    # A refusal is explained: the executor reads the reason with the kept deadline.
    reason = _clean_reason(reason, required=not approve)
    now = now or utcnow()
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by_id = user.id
    request.decided_at = now
    old_deadline = assignment.deadline
    if approve:
        # A point's extension stays within its multi-point assignment's deadline (move that first).
        await parent_state.change_deadline_check(session, assignment, request.new_deadline)
        assignment.deadline = request.new_deadline
        assignment.updated_at = now
    event = record(
        session,
        _actor(user),
        "assignment",
        assignment.id,
        "extension_approved" if approve else "extension_rejected",
        reason=reason,
        data={
            "request_id": request.id,
            "old_deadline": old_deadline.isoformat(),
            "new_deadline": assignment.deadline.isoformat(),
        },
    )
    await _flush_or_changed(session)
    if notify is not None:
        await notices.notify_extension(session, notify, request, assignment, event.id, reason=reason)
    return request


async def extension_decision_precheck(
    session: AsyncSession, user: User, request_id: int, *, for_update: bool = False
) -> tuple[ExtensionRequest, Assignment]:
    """What :func:`decide_extension` checks, before the bot asks the control for a reason."""
    request = await session.get(ExtensionRequest, request_id)
    if request is None:
        raise NotFound("Extension request not found.")
    assignment = await load(session, request.assignment_id, for_update=for_update)
    if not access.is_control(assignment, user):
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    if request.status != ExtensionStatus.PENDING:
        raise InvalidInput("This extension request has already been decided.")
    return request, assignment
