"""The scheduler's nudges on the ЕДДС's open work: a silent organisation is reminded and the
dispatchers told, once; a passed expected restoration asks the organisation for news, once per time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Building, OutboxMessage, TelegramAccount
from models.enums import IncidentKind, InformantKind, Role
from scheduler.dispatch_jobs import dispatch_nudges
from services import staff
from services.audit import Actor
from services.incidents import journal, updates
from services.notify import NoticeContext
from services.partners import directory

CTX = NoticeContext()
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
WORKER_CHAT, DISPATCHER_CHAT = 9101, 9102


async def _texts(session: AsyncSession, chat_id: int) -> list[str]:
    rows = await session.scalars(
        select(OutboxMessage.payload).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
    )
    return [str(p.get("text", "")) for p in rows.all()]


async def test_silent_organisation_and_passed_restoration_are_nudged_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        sys = Actor.system("t")
        admin = await staff.create_user(session, sys, full_name="Админ", roles=[Role.ADMIN])
        dispatcher = await staff.create_user(
            session, sys, full_name="Диспетчер", roles=[Role.DISPATCHER], telegram_id=DISPATCHER_CHAT
        )
        org = await directory.create_organisation(
            session, Actor(user_id=admin.id), directory.OrganisationInput(name="Водоканал")
        )
        worker = await staff.create_user(
            session,
            sys,
            full_name="Мастер",
            roles=[Role.EXECUTOR],
            department_id=org.department_id,
            telegram_id=WORKER_CHAT,
        )
        for uid, chat in ((dispatcher.id, DISPATCHER_CHAT), (worker.id, WORKER_CHAT)):
            session.add(TelegramAccount(id=chat, chat_id=chat, user_id=uid))
        house = Building(street="ул. Ленина", street_key="ленина", house="5", house_key="5", house_number=5)
        session.add(house)
        await session.flush()
        incident = await journal.log_incident(
            session,
            dispatcher,
            journal.NewIncident(
                kind=IncidentKind.WATER_MAIN,
                received_at=NOW - timedelta(minutes=1),
                informant_kind=InformantKind.RESIDENT,
                description="Порыв водопровода",
                building_id=house.id,
                responsible_organisation_id=org.id,
                expected_end_at=NOW + timedelta(hours=1),
            ),
            tz=ZoneInfo("Europe/Moscow"),
            now=NOW,
        )
        await session.commit()

    quiet = await dispatch_nudges(session_factory, CTX, NOW + timedelta(minutes=5))
    assert (quiet.unacknowledged, quiet.queued) == (0, 0)

    late = await dispatch_nudges(session_factory, CTX, NOW + timedelta(minutes=20))
    again = await dispatch_nudges(session_factory, CTX, NOW + timedelta(minutes=25))
    assert late.unacknowledged == 1 and late.queued == 2 and again.queued == 0
    async with session_factory() as session:
        (reminder,) = await _texts(session, WORKER_CHAT)
        assert "Напоминание" in reminder and "Порыв водопровода" in reminder
        (told,) = await _texts(session, DISPATCHER_CHAT)
        assert "Водоканал" in told and "2026-0001" in told

        await updates.acknowledge(
            session, worker, updates.Target("incident", incident.id), now=NOW + timedelta(minutes=30)
        )
        await session.commit()

    overdue = await dispatch_nudges(session_factory, CTX, NOW + timedelta(hours=2))
    assert (overdue.unacknowledged, overdue.overdue, overdue.queued) == (0, 1, 2)
    assert (await dispatch_nudges(session_factory, CTX, NOW + timedelta(hours=3))).queued == 0
    async with session_factory() as session:
        asked = (await _texts(session, WORKER_CHAT))[-1]
        assert "прошло" in asked and "13:00" in asked  # 10:00 UTC expected, shown in Moscow time
