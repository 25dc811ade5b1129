"""Who reads which digest sections, by role (``services/analytics/readers.py``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from services import staff
from services.analytics.digest_sections import ALL_SECTIONS, APPEALS, ASSIGNMENTS, OUTAGES
from services.analytics.kpi import ORGANISATION, Scope
from services.analytics.readers import reader_of
from services.audit import Actor

SYS = Actor.system("test")


async def test_sections_follow_roles(session: AsyncSession) -> None:
    dept = await staff.create_department(session, SYS, "Отдел ЖКХ")

    async def user(name: str, roles: list[Role], department_id: int | None = None):  # type: ignore[no-untyped-def]
        return await staff.create_user(session, SYS, full_name=name, roles=roles, department_id=department_id)

    manager = await user("Глава", [Role.MANAGER])
    head = await user("Начальник", [Role.EXECUTOR], dept.id)
    await staff.set_department_head(session, SYS, dept.id, head.id)
    controller = await user("Контролёр", [Role.CONTROLLER])
    executor = await user("Исполнитель", [Role.EXECUTOR], dept.id)
    dispatcher = await user("Диспетчер", [Role.DISPATCHER])
    clerk = await user("Делопроизводитель", [Role.CLERK], dept.id)
    both = await user("Диспетчер-делопроизводитель", [Role.DISPATCHER, Role.CLERK])
    nobody = await user("Без ролей", [])
    await session.commit()

    readers = {
        u.full_name: await reader_of(session, u)
        for u in (manager, head, controller, executor, dispatcher, clerk, both, nobody)
    }
    assert readers["Глава"] is not None and readers["Глава"].sections == ALL_SECTIONS
    assert readers["Глава"].scope == ORGANISATION and readers["Глава"].clerk_department_id is None
    head_reader = readers["Начальник"]
    assert head_reader is not None and head_reader.sections == {ASSIGNMENTS}
    assert head_reader.scope == Scope(department_id=dept.id) and head_reader.heading == "Отдел ЖКХ"
    assert readers["Контролёр"] is not None and readers["Контролёр"].scope == ORGANISATION
    assert readers["Исполнитель"] is not None and readers["Исполнитель"].scope == Scope(user_id=executor.id)
    assert readers["Диспетчер"] is not None and readers["Диспетчер"].sections == {OUTAGES}
    clerk_reader = readers["Делопроизводитель"]
    assert clerk_reader is not None and clerk_reader.sections == {APPEALS}
    assert clerk_reader.clerk_department_id == dept.id and clerk_reader.heading == "Отдел ЖКХ"
    assert readers["Диспетчер-делопроизводитель"] is not None
    assert readers["Диспетчер-делопроизводитель"].sections == {OUTAGES, APPEALS}
    assert readers["Без ролей"] is None
