"""Changing assignments: create, move through the lifecycle, delegation, comments (extensions:
``extensions``).

Every function reloads the record, re-checks the actor's rights on it, writes an audit event and
queues notices through the outbox; the caller commits. Refusals raise DomainError with a msgid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from models import (
    Appeal,
    Assignment,
    AssignmentComment,
    AssignmentMember,
    User,
    utcnow,
)
from models.enums import AssignmentStatus, MemberRole, Priority, ReportStatus, Role
from services import directory
from services.assignments import access, checklist_gate, notices, parent_state
from services.assignments.lifecycle import REASON_REQUIRED, TRANSITIONS, Action, target_state
from services.assignments.queries import latest_report
from services.audit import Actor, record
from services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext

TITLE_LIMIT = 500
TEXT_LIMIT = 10_000
REASON_LIMIT = 2_000


async def _flush_or_changed(session: AsyncSession) -> None:
    """Write the change. Another process that changed the row since we read it (the version check)
    makes this press moot: undo our half of it and refuse the way a stale button is refused."""
    try:
        await session.flush()
    except StaleDataError as exc:
        await session.rollback()
        raise InvalidInput("This assignment has already changed; here is its current state.") from exc


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, telegram_id=user.telegram_id)


async def load(session: AsyncSession, assignment_id: int, *, for_update: bool = False) -> Assignment:
    query = select(Assignment).where(Assignment.id == assignment_id)
    if for_update and session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    assignment = await session.scalar(query)
    if assignment is None:
        raise NotFound("Assignment not found.")
    return assignment


async def load_visible(session: AsyncSession, assignment_id: int, user: User) -> Assignment:
    assignment = await load(session, assignment_id)
    if not await access.can_view(session, assignment, user):
        # The same answer as for a missing record: do not reveal what exists.
        raise NotFound("Assignment not found.")
    return assignment


def _clean_reason(reason: str | None, *, required: bool) -> str | None:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput("Please give a reason.")
    if len(reason) > REASON_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=REASON_LIMIT)
    return reason or None


@dataclass(frozen=True, slots=True)
class NewAssignment:
    """What a new assignment is made of, as the panel, the bot and an appeal give it."""

    title: str
    deadline: datetime
    text: str = ""
    executor_id: int | None = None
    department_id: int | None = None  # without an executor: the department's head distributes it
    controller_id: int | None = None  # the author when not given
    priority: str = Priority.NORMAL
    appeal_id: int | None = None
    project_id: int | None = None
    stage_id: int | None = None
    co_executor_ids: tuple[int, ...] = ()
    observer_ids: tuple[int, ...] = ()
    parent_id: int | None = None  # a point of a multi-point assignment (services.assignments.points)
    point_no: int | None = None


async def receiver(
    session: AsyncSession, *, executor_id: int | None, department_id: int | None
) -> int | None:
    """Who receives the new assignment: the active executor, else the active head of the active
    department; None when neither can receive work any more."""
    if executor_id is not None:
        return executor_id if await directory.active_user(session, executor_id) is not None else None
    if department_id is None:
        return None
    dept = await directory.active_department(session, department_id)
    head = await directory.department_head(session, dept) if dept is not None else None
    return head.id if head is not None else None


async def problems(
    session: AsyncSession, data: NewAssignment, *, now: datetime | None = None
) -> list[DomainError]:
    """Every reason ``data`` cannot become an assignment, each naming its form field: the panel
    shows them all next to their fields, ``create`` refuses with the first one."""
    found: list[DomainError] = []
    title = data.title.strip()
    if not title:
        found.append(InvalidInput("The assignment needs a title.", field="title"))
    if len(title) > TITLE_LIMIT or len(data.text) > TEXT_LIMIT:
        field = "title" if len(title) > TITLE_LIMIT else "text"
        found.append(
            InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field=field)
        )
    if data.deadline <= (now or utcnow()):
        found.append(InvalidInput("The deadline must be in the future.", field="deadline"))
    if data.priority not in set(Priority):
        found.append(InvalidInput("Unknown priority.", field="priority"))
    if data.executor_id is not None and await directory.active_user(session, data.executor_id) is None:
        found.append(NotFound("User not found.", field="executor_id"))
    elif (
        data.department_id is not None
        and await directory.active_department(session, data.department_id) is None
    ):
        found.append(NotFound("Department not found.", field="department_id"))
    elif data.executor_id is None and data.department_id is None:
        found.append(InvalidInput("Choose an executor or a department.", field="executor_id"))
    elif await receiver(session, executor_id=data.executor_id, department_id=data.department_id) is None:
        found.append(
            InvalidInput(
                "The department has no head to receive the assignment; choose an executor.",
                field="department_id",
            )
        )
    if data.appeal_id is not None and await session.get(Appeal, data.appeal_id) is None:
        found.append(NotFound("There is no appeal with this number.", field="appeal_id"))
    return found


async def create(
    session: AsyncSession,
    author: User,
    data: NewAssignment,
    *,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    if not author.has_role(Role.CONTROLLER, Role.MANAGER, Role.CLERK):
        raise PermissionDenied("You are not allowed to create assignments.")
    now = now or utcnow()
    refused = await problems(session, data, now=now)
    if refused:
        raise refused[0]
    executor_id = await receiver(session, executor_id=data.executor_id, department_id=data.department_id)
    department_id = data.department_id
    if department_id is None and data.executor_id is not None:
        executor = await session.get(User, data.executor_id)
        department_id = executor.department_id if executor is not None else None
    co_executor_ids, observer_ids, deadline = data.co_executor_ids, data.observer_ids, data.deadline
    assignment = Assignment(
        title=data.title.strip(),
        text=data.text.strip(),
        priority=Priority(data.priority).value,
        author_id=author.id,
        controller_id=data.controller_id or author.id,
        executor_id=executor_id,
        department_id=department_id,
        deadline=deadline,
        appeal_id=data.appeal_id,
        project_id=data.project_id,
        stage_id=data.stage_id,
        parent_id=data.parent_id,
        point_no=data.point_no,
        status=AssignmentStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    session.add(assignment)
    await session.flush()
    for uid in dict.fromkeys(co_executor_ids):
        if uid != executor_id:
            session.add(
                AssignmentMember(assignment_id=assignment.id, user_id=uid, role=MemberRole.CO_EXECUTOR)
            )
    for uid in dict.fromkeys(observer_ids):
        if uid != executor_id and uid not in co_executor_ids:
            session.add(AssignmentMember(assignment_id=assignment.id, user_id=uid, role=MemberRole.OBSERVER))
    event = record(
        session,
        _actor(author),
        "assignment",
        assignment.id,
        "created",
        new_state=AssignmentStatus.NEW,
        data={"executor_id": executor_id, "department_id": department_id, "deadline": deadline.isoformat()},
    )
    if notify is not None:
        await session.flush()
        await notices.notify_created(session, notify, assignment, event.id)
    return assignment


async def transition(
    session: AsyncSession,
    user: User,
    assignment_id: int,
    action: Action,
    *,
    reason: str | None = None,
    expected_status: str | None = None,
    now: datetime | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    """Apply ``action``. ``expected_status`` (from the button the user pressed) turns a stale or
    repeated press into a clear refusal instead of a second transition."""
    assignment = await load(session, assignment_id, for_update=True)
    _sources, _target, party = TRANSITIONS[action]
    if not await access.can_act(session, assignment, user, party):
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    if expected_status is not None and assignment.status != expected_status:
        raise InvalidInput("This assignment has already changed; here is its current state.")
    await parent_state.refuse_direct(session, assignment, action.value)
    new_state = target_state(action, assignment.status)
    if new_state is None:
        raise InvalidInput("This action is not possible in the assignment's current state.")
    reason = _clean_reason(reason, required=action in REASON_REQUIRED)
    if action is Action.SUBMIT:
        await checklist_gate.require_ticked(session, assignment)
    now = now or utcnow()
    old_state = assignment.status
    assignment.status = new_state
    assignment.updated_at = now
    if action is Action.ACKNOWLEDGE:
        assignment.acknowledged_at = now
    elif action is Action.SUBMIT:
        assignment.submitted_at = now
    elif action is Action.ACCEPT:
        assignment.done_at = now
    elif action is Action.RETURN:
        assignment.returns_count += 1
    elif action is Action.CANCEL:
        assignment.cancelled_at = now
    if action in (Action.ACCEPT, Action.RETURN):
        report = await latest_report(session, assignment.id, status=ReportStatus.SUBMITTED)
        if report is not None:
            report.status = ReportStatus.ACCEPTED if action is Action.ACCEPT else ReportStatus.RETURNED
            report.reviewed_by_id = user.id
            report.reviewed_at = now
            report.review_comment = reason
    event = record(
        session,
        _actor(user),
        "assignment",
        assignment.id,
        action.value,
        old_state=old_state,
        new_state=new_state,
        reason=reason,
    )
    await _flush_or_changed(session)
    if notify is not None:
        await notices.notify_transition(
            session, notify, assignment, action.value, event.id, actor=user, reason=reason
        )
    await _follow_points(session, assignment, action, user, reason, now=now, notify=notify)
    return assignment


async def _follow_points(
    session: AsyncSession,
    assignment: Assignment,
    action: Action,
    user: User,
    reason: str | None,
    *,
    now: datetime,
    notify: NoticeContext | None,
) -> None:
    """A point's move may change its parent; a cancelled parent takes its open points along."""
    if assignment.parent_id is not None:
        await parent_state.sync(session, assignment, now=now, notify=notify)
    elif action is Action.CANCEL:
        await parent_state.cascade_cancel(session, assignment, user, reason, now=now, notify=notify)


async def precheck(
    session: AsyncSession, user: User, assignment_id: int, action: Action, *, for_update: bool = False
) -> Assignment:
    """Refuse now, with the same errors the action itself would raise, before a conversation asks
    for a reason or an executor. Changes nothing."""
    assignment = await load(session, assignment_id, for_update=for_update)
    if action is Action.REASSIGN:
        allowed = await access.can_delegate(session, assignment, user)
    else:
        allowed = await access.can_act(session, assignment, user, TRANSITIONS[action][2])
    if not allowed:
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    await parent_state.refuse_direct(session, assignment, action.value)
    if target_state(action, assignment.status) is None:
        raise InvalidInput("This action is not possible in the assignment's current state.")
    return assignment


async def reassign(
    session: AsyncSession,
    user: User,
    assignment_id: int,
    executor_id: int,
    *,
    reason: str | None = None,
    notify: NoticeContext | None = None,
) -> Assignment:
    """Control hands a (declined or stuck) assignment to another executor; it starts again as new."""
    assignment = await precheck(session, user, assignment_id, Action.REASSIGN, for_update=True)
    executor = await session.get(User, executor_id)
    if executor is None or not executor.is_active:
        raise NotFound("User not found.")
    if not (await access.reassign_scope(session, assignment, user)).admits(executor.department_id):
        raise PermissionDenied("A department head may hand the work only to staff of the department.")
    old_state, old_executor = assignment.status, assignment.executor_id
    assignment.executor_id = executor.id
    if executor.department_id is not None:
        assignment.department_id = executor.department_id
    assignment.status = AssignmentStatus.NEW
    assignment.acknowledged_at = None
    event = record(
        session,
        _actor(user),
        "assignment",
        assignment.id,
        "reassign",
        old_state=old_state,
        new_state=AssignmentStatus.NEW,
        reason=_clean_reason(reason, required=False),
        data={"old_executor_id": old_executor, "new_executor_id": executor.id},
    )
    await _flush_or_changed(session)
    if notify is not None:
        await notices.notify_transition(session, notify, assignment, "reassign", event.id, actor=user)
    return assignment


async def add_comment(
    session: AsyncSession,
    user: User,
    assignment_id: int,
    text: str,
    *,
    parent_id: int | None = None,
    notify: NoticeContext | None = None,
) -> AssignmentComment:
    assignment = await load_visible(session, assignment_id, user)
    text = text.strip()
    if not text:
        raise InvalidInput("The comment is empty.")
    if len(text) > TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT)
    comment = AssignmentComment(
        assignment_id=assignment.id, author_id=user.id, text=text, parent_id=parent_id
    )
    session.add(comment)
    await session.flush()
    record(session, _actor(user), "assignment", assignment.id, "commented", data={"comment_id": comment.id})
    if notify is not None:
        await notices.notify_comment(session, notify, comment, assignment, actor=user)
    return comment
