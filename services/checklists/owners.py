"""Whose checklist it is and who may do what with it, decided on the freshly loaded owner.

Assignments: the control (author, controller, administrator) writes the items and the «all ticked»
rule, the executor and co-executors tick; whoever sees the assignment sees the list.
Service requests: the service's agents write and tick; the requester and managers see the list.

The agent rule is the service desk's own (:func:`services.service_desk.access.is_agent`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, ServiceRequest, User
from models.enums import OPEN_SERVICE_STATUSES, AssignmentStatus, Role
from services.assignments import access
from services.assignments.lifecycle import Party
from services.checklists import ASSIGNMENT, REQUEST
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.service_desk import access as desk_access

Owner = Assignment | ServiceRequest
CLOSED_ASSIGNMENT = (AssignmentStatus.DONE, AssignmentStatus.CANCELLED, AssignmentStatus.DECLINED)


@dataclass(frozen=True, slots=True)
class Rights:
    view: bool
    edit: bool  # write items, the «all ticked» rule
    tick: bool


async def load(session: AsyncSession, kind: str, owner_id: int) -> Owner:
    model: type[Assignment] | type[ServiceRequest]
    if kind == ASSIGNMENT:
        model = Assignment
    elif kind == REQUEST:
        model = ServiceRequest
    else:
        raise NotFound("Checklist not found.")
    owner = await session.get(model, owner_id, populate_existing=True)
    if owner is None:
        raise NotFound("Checklist not found.")
    return owner


def kind_of(owner: Owner) -> str:
    return ASSIGNMENT if isinstance(owner, Assignment) else REQUEST


def is_open(owner: Owner) -> bool:
    if isinstance(owner, Assignment):
        return AssignmentStatus(owner.status) not in CLOSED_ASSIGNMENT
    return owner.status in OPEN_SERVICE_STATUSES


async def _is_agent(session: AsyncSession, user: User, request: ServiceRequest) -> bool:
    return await desk_access.is_agent(session, user, request)


async def rights(session: AsyncSession, user: User, owner: Owner) -> Rights:
    """What ``user`` may do now; closed work keeps its list read-only."""
    if not user.is_active:
        return Rights(False, False, False)
    if isinstance(owner, Assignment):
        view = await access.can_view(session, owner, user)
        edit = access.is_control(owner, user)
        tick = await access.can_act(session, owner, user, Party.EXECUTOR)
    else:
        agent = await _is_agent(session, user, owner)
        edit = tick = agent
        requester = owner.requester_id is not None and owner.requester_id == user.id
        view = agent or requester or user.has_role(Role.MANAGER)
    view = view or edit or tick
    if not is_open(owner):
        return Rights(view, False, False)
    return Rights(view, edit, tick)


async def checked(session: AsyncSession, user: User, kind: str, owner_id: int, need: str) -> Owner:
    """The owner, after refusing a user who may not ``need`` ("view", "edit" or "tick") it."""
    owner = await load(session, kind, owner_id)
    allowed = await rights(session, user, owner)
    if not allowed.view:
        raise NotFound("Checklist not found.")  # the same answer as for a missing one
    if need != "view" and not getattr(allowed, need):
        if not is_open(owner):
            raise InvalidInput("The work is closed: its checklist can no longer change.")
        if need == "tick":
            raise PermissionDenied("You are not allowed to tick this checklist.")
        raise PermissionDenied("You are not allowed to change this checklist.")
    return owner
