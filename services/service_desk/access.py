"""Who works a request (the topic's service), who sees it, who may act as its requester.

Rights are decided on the reloaded request and user every time; nothing from a button or a form is
trusted. The service of a request is its topic's department: its members, its head, the topic's
lead and administrators are the service's agents.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, ServiceRequest, ServiceTopic, User
from models.enums import Role


async def agent_department_ids(session: AsyncSession, user: User) -> set[int]:
    """The services (department ids) ``user`` works in: own department, ones they head."""
    ids = {user.department_id} if user.department_id is not None else set()
    headed = await session.scalars(select(Department.id).where(Department.head_id == user.id))
    ids.update(headed.all())
    return ids


async def led_topic_ids(session: AsyncSession, user: User) -> set[int]:
    return set((await session.scalars(select(ServiceTopic.id).where(ServiceTopic.lead_id == user.id))).all())


async def is_agent(session: AsyncSession, user: User, request: ServiceRequest) -> bool:
    if not user.is_active:
        return False
    if Role.ADMIN in user.roles:
        return True
    if request.assignee_id == user.id:
        return True
    if request.department_id is not None and request.department_id in await agent_department_ids(
        session, user
    ):
        return True
    return request.topic_id is not None and request.topic_id in await led_topic_ids(session, user)


def is_requester(user: User, request: ServiceRequest) -> bool:
    return request.requester_id is not None and request.requester_id == user.id


async def can_view(session: AsyncSession, user: User, request: ServiceRequest) -> bool:
    if is_requester(user, request) or user.has_role(Role.MANAGER):
        return True
    return await is_agent(session, user, request)


async def is_agent_anywhere(session: AsyncSession, user: User) -> bool:
    """Works in some service: a topic's department member or head, a topic lead, an administrator."""
    if Role.ADMIN in user.roles:
        return True
    services = set(
        (await session.scalars(select(ServiceTopic.department_id).where(ServiceTopic.is_active))).all()
    )
    if services & await agent_department_ids(session, user):
        return True
    return bool(await led_topic_ids(session, user))
