"""The council's demo: a held meeting whose protocol is made, two objects in the registry, and a
planned meeting with an application on its agenda."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CouncilMeeting, RegistryEntry, utcnow
from models.enums import MeetingStatus
from porucheno.demo_council import seed_council
from services.audit import Actor
from services.council import agenda, protocol
from tests.services.council_support import make_type

TZ = ZoneInfo("Europe/Moscow")


async def test_the_demo_council_has_a_held_and_a_planned_meeting(session: AsyncSession) -> None:
    kind = await make_type(session)
    await seed_council(session, Actor.system("demo"), TZ, utcnow(), type_id=kind.id)
    await session.commit()
    held, planned = (await session.scalars(select(CouncilMeeting).order_by(CouncilMeeting.held_at))).all()
    assert (held.status, planned.status) == (MeetingStatus.HELD, MeetingStatus.PLANNED)
    data = await protocol.build(session, held.id, locale="ru", tz=TZ)
    text = "\n".join(line for part in data.sections for line in part.lines)
    assert "Отсутствовали (1): Соколов Георгий Ильич" in text
    assert text.count("Решение: одобрено.") == 2 and text.count("Решение: отклонено.") == 1
    titles = sorted(e.title for e in await session.scalars(select(RegistryEntry)))
    assert titles == ["Паровоз серии Ов № 324", "Телескоп-рефлектор АЗТ-7"]
    assert [r.application.title for r in await agenda.agenda_rows(session, planned.id)] == [
        "Радиоприёмник «Родина-47»"
    ]
