"""The demo's applications seed through the services: the type, three applications at three stages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import Application, ApplicationType, CouncilMeeting, RegistryEntry, User, utcnow
from models.enums import ApplicationStatus, MeetingStatus, Role
from porucheno.demo_applications import seed_application_type, seed_applications
from porucheno.demo_council import seed_council
from services import staff
from services.audit import Actor


async def test_seed_applications(session) -> None:  # type: ignore[no-untyped-def]
    sys = Actor.system("demo")
    await staff.create_user(session, sys, full_name="Смирнов Алексей Петрович", roles=[Role.MANAGER])
    await staff.create_user(session, sys, full_name="Васильева Анна Дмитриевна", roles=[Role.EXECUTOR])
    await staff.create_user(session, sys, full_name="Попов Игорь Сергеевич", roles=[Role.EXECUTOR])
    type_id = await seed_application_type(session, sys, ZoneInfo("Europe/Moscow"), utcnow())
    await seed_applications(session, sys, ZoneInfo("Europe/Moscow"), utcnow(), type_id=type_id)
    kind = await session.get(ApplicationType, type_id)
    assert kind is not None and kind.needs_council and kind.to_registry and len(kind.criteria) == 3
    statuses = sorted(await session.scalars(select(Application.status)))
    assert statuses == sorted(
        [ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED, ApplicationStatus.REVIEWED]
    )
    assert await session.scalar(select(User).where(User.full_name == "Смирнов Алексей Петрович")) is not None


async def test_the_museum_numbers_its_applications_in_the_order_they_came(session) -> None:  # type: ignore[no-untyped-def]
    """The council's applications came in weeks ago, this week's three after them: З-…-0001 is the
    oldest (the demo numbered this week's first once, so З-0001…0003 were dated after З-0004…)."""
    sys = Actor.system("demo")
    tz = ZoneInfo("Europe/Moscow")
    await staff.create_user(session, sys, full_name="Смирнов Алексей Петрович", roles=[Role.MANAGER])
    for name in ("Васильева Анна Дмитриевна", "Попов Игорь Сергеевич"):
        await staff.create_user(session, sys, full_name=name, roles=[Role.EXECUTOR])
    type_id = await seed_application_type(session, sys, tz, utcnow())
    await seed_council(session, sys, tz, utcnow(), type_id=type_id)
    await seed_applications(session, sys, tz, utcnow(), type_id=type_id)
    rows = (await session.execute(select(Application.number, Application.created_at))).all()
    by_number = [created for _number, created in sorted(rows)]
    assert len(rows) == 7 and by_number == sorted(by_number), sorted(rows)
    held = await session.scalar(select(CouncilMeeting).where(CouncilMeeting.status == MeetingStatus.HELD))
    assert held is not None
    dates = set(await session.scalars(select(RegistryEntry.approved_on)))
    assert dates == {held.held_at.astimezone(tz).date()}  # dated by the meeting, not by the seeding day
