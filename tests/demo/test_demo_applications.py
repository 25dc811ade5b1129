"""The demo's applications seed through the services: the type, three applications at three stages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import Application, ApplicationType, User, utcnow
from models.enums import ApplicationStatus, Role
from porucheno.demo_applications import seed_applications
from services import staff
from services.audit import Actor


async def test_seed_applications(session) -> None:  # type: ignore[no-untyped-def]
    sys = Actor.system("demo")
    await staff.create_user(session, sys, full_name="Смирнов Алексей Петрович", roles=[Role.MANAGER])
    await staff.create_user(session, sys, full_name="Васильева Анна Дмитриевна", roles=[Role.EXECUTOR])
    await staff.create_user(session, sys, full_name="Попов Игорь Сергеевич", roles=[Role.EXECUTOR])
    type_id = await seed_applications(session, sys, ZoneInfo("Europe/Moscow"), utcnow())
    kind = await session.get(ApplicationType, type_id)
    assert kind is not None and kind.needs_council and kind.to_registry and len(kind.criteria) == 3
    statuses = sorted(await session.scalars(select(Application.status)))
    assert statuses == sorted(
        [ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED, ApplicationStatus.REVIEWED]
    )
    assert await session.scalar(select(User).where(User.full_name == "Смирнов Алексей Петрович")) is not None
