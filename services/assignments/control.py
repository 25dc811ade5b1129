"""The control's own changes to an assignment besides the lifecycle: moving its deadline.

One function for the bot and the panel: it reloads the record, re-checks that the user is the
assignment's control, refuses a deadline in the past, audits the change and tells the executor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, User, utcnow
from models.enums import AssignmentStatus
from services.assignments import access, notices, parent_state
from services.assignments.commands import _actor, _clean_reason, _flush_or_changed, load
from services.assignments.deadline_rules import check_new_deadline
from services.audit import record
from services.errors import InvalidInput, PermissionDenied
from services.notify import NoticeContext

CLOSED = frozenset({AssignmentStatus.DONE, AssignmentStatus.CANCELLED})


async def deadline_precheck(
    session: AsyncSession, user: User, assignment_id: int, *, for_update: bool = False
) -> Assignment:
    """Refuse before a conversation asks for the date: only the control, only an open assignment."""
    assignment = await load(session, assignment_id, for_update=for_update)
    if not access.is_control(assignment, user):
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    if AssignmentStatus(assignment.status) in CLOSED:
        raise InvalidInput("This action is not possible in the assignment's current state.")
    return assignment


async def change_deadline(
    session: AsyncSession,
    user: User,
    assignment_id: int,
    new_deadline: datetime,
    *,
    reason: str | None = None,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    assignment = await deadline_precheck(session, user, assignment_id, for_update=True)
    now = now or utcnow()
    check_new_deadline(new_deadline, current=None, now=now)
    await parent_state.change_deadline_check(session, assignment, new_deadline)
    if new_deadline == assignment.deadline:
        raise InvalidInput("This is already the deadline.")
    old_deadline = assignment.deadline
    assignment.deadline = new_deadline
    assignment.updated_at = now
    reason = _clean_reason(reason, required=False)
    event = record(
        session,
        _actor(user),
        "assignment",
        assignment.id,
        "deadline_changed",
        reason=reason,
        data={"old_deadline": old_deadline.isoformat(), "new_deadline": new_deadline.isoformat()},
    )
    await _flush_or_changed(session)
    if notify is not None:
        await notices.notify_transition(
            session, notify, assignment, "deadline_changed", event.id, actor=user, reason=reason
        )
    return assignment
