"""Administrators' services re-check the role themselves: a clerk, a deactivated admin or a system
actor that reaches them (past the panel's guard) is refused and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiClient, Department, User
from models.enums import Role
from services import api_clients, org_admin, staff
from services.audit import Actor
from services.errors import PermissionDenied

SYS = Actor.system("test")


async def test_only_an_active_admin_manages_staff_departments_and_keys(session: AsyncSession) -> None:
    admin = await staff.create_user(session, SYS, full_name="Админ", roles=[Role.ADMIN])
    clerk = await staff.create_user(session, SYS, full_name="Делопроизводитель", roles=[Role.CLERK])
    await session.commit()
    admin_id, clerk_id = admin.id, clerk.id  # a rollback below expires the objects
    record = org_admin.StaffRecord(full_name="Новый сотрудник", roles=[Role.EXECUTOR.value])
    for actor in (Actor(user_id=clerk_id), SYS):
        with pytest.raises(PermissionDenied):
            await org_admin.create_staff(session, actor, record)
        with pytest.raises(PermissionDenied):
            await org_admin.update_staff(session, actor, clerk_id, record)
        with pytest.raises(PermissionDenied):
            await org_admin.save_department(
                session, actor, None, name="Отдел", short_name=None, parent_id=None, head_id=None
            )
        with pytest.raises(PermissionDenied):
            await api_clients.create_client(session, "Город-приложение", actor=actor)
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(ApiClient)) == 0
    assert await session.scalar(select(func.count()).select_from(Department)) == 0

    made = await org_admin.create_staff(session, Actor(user_id=admin_id), record)
    client, _key = await api_clients.create_client(session, "Город-приложение", actor=Actor(user_id=admin_id))
    await session.commit()
    assert made.full_name == "Новый сотрудник" and client.id is not None

    await staff.set_active(session, SYS, admin_id, False)  # a deactivated admin is no admin
    await session.commit()
    with pytest.raises(PermissionDenied):
        await api_clients.revoke_client(session, client.id, actor=Actor(user_id=admin_id))
    assert (await session.get(User, made.id)) is not None
