"""Who may see and act on an assignment. Always evaluated on the freshly loaded record."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AssignmentMember, Department, User
from models.enums import MemberRole, Role
from services.assignments.lifecycle import Party


async def member_role(session: AsyncSession, assignment: Assignment, user: User) -> str | None:
    return await session.scalar(
        select(AssignmentMember.role).where(
            AssignmentMember.assignment_id == assignment.id, AssignmentMember.user_id == user.id
        )
    )


async def heads_department(session: AsyncSession, user: User, department_id: int | None) -> bool:
    if department_id is None:
        return False
    return await session.scalar(select(Department.head_id).where(Department.id == department_id)) == user.id


def is_control(assignment: Assignment, user: User) -> bool:
    return user.id in (assignment.author_id, assignment.controller_id) or Role.ADMIN in user.roles


async def can_view(session: AsyncSession, assignment: Assignment, user: User) -> bool:
    """Managers, clerks (who register and distribute the work) and admins see all; others see what
    they author, control, execute or are attached to, plus everything of the department they head."""
    if user.has_role(Role.MANAGER, Role.CLERK):
        return True
    if user.id in (assignment.author_id, assignment.controller_id, assignment.executor_id):
        return True
    if await member_role(session, assignment, user) is not None:
        return True
    return await heads_department(session, user, assignment.department_id)


async def can_act(session: AsyncSession, assignment: Assignment, user: User, party: Party) -> bool:
    if party is Party.CONTROL:
        return is_control(assignment, user)
    if assignment.executor_id == user.id:
        return True
    return await member_role(session, assignment, user) == MemberRole.CO_EXECUTOR


@dataclass(frozen=True, slots=True)
class ReassignScope:
    """Whom a user may hand an assignment to: the control anyone, a department head only the staff
    of the assignment's department (the head delegates within it, never out of it)."""

    allowed: bool
    department_id: int | None = None  # set: only staff of this department

    def admits(self, executor_department_id: int | None) -> bool:
        return self.allowed and (self.department_id is None or executor_department_id == self.department_id)


async def reassign_scope(session: AsyncSession, assignment: Assignment, user: User) -> ReassignScope:
    if is_control(assignment, user):
        return ReassignScope(True)
    if await heads_department(session, user, assignment.department_id):
        return ReassignScope(True, assignment.department_id)
    return ReassignScope(False)


async def can_delegate(session: AsyncSession, assignment: Assignment, user: User) -> bool:
    """The department head (or control) may hand the work on (see :class:`ReassignScope` to whom)."""
    return (await reassign_scope(session, assignment, user)).allowed
