"""Who may see and act on an assignment. Always evaluated on the freshly loaded record."""

from __future__ import annotations

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


async def can_delegate(session: AsyncSession, assignment: Assignment, user: User) -> bool:
    """The department head (or control) may hand the work to a subordinate."""
    return is_control(assignment, user) or await heads_department(session, user, assignment.department_id)
