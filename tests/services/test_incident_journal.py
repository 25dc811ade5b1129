"""The ЕДДС journal's core: numbering per local year, rights, an organisation's report and its way
to residents (straight or through the dispatcher's approval)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, OutboxMessage, Subscription, TelegramAccount, User
from models.enums import IncidentKind, IncidentStatus, InformantKind, PublishMode, Role, UpdatePublish
from services import staff
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.incidents import journal, update_notices, updates
from services.notify import NoticeContext
from services.partners import directory, members

MSK = ZoneInfo("Europe/Moscow")
CTX = NoticeContext()
NOW = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)  # 01:00 on 1 January in Moscow


async def _world(session: AsyncSession, mode: PublishMode) -> tuple[User, User, int, int]:
    sys = Actor.system("t")
    admin = await staff.create_user(session, sys, full_name="Админ", roles=[Role.ADMIN])
    dispatcher = await staff.create_user(session, sys, full_name="Диспетчер", roles=[Role.DISPATCHER])
    org = await directory.create_organisation(
        session, Actor(user_id=admin.id), directory.OrganisationInput(name="УК «Уют»", publish_mode=mode)
    )
    worker = await staff.create_user(
        session, sys, full_name="Мастер Уюта", roles=[Role.EXECUTOR], department_id=org.department_id
    )
    house = Building(street="ул. Ленина", street_key="ленина", house="1", house_key="1", house_number=1)
    session.add(house)
    await session.flush()
    session.add(TelegramAccount(id=777, chat_id=777))
    await session.flush()
    session.add(Subscription(telegram_id=777, building_id=house.id))
    await session.flush()
    return dispatcher, worker, org.id, house.id


def _new(house_id: int, org_id: int | None = None) -> journal.NewIncident:
    return journal.NewIncident(
        kind=IncidentKind.FALLEN_TREE,
        received_at=NOW - timedelta(minutes=5),
        informant_kind=InformantKind.RESIDENT,
        description="Дерево упало на провода",
        building_id=house_id,
        responsible_organisation_id=org_id,
    )


async def test_numbers_count_per_local_year_and_only_dispatchers_log(session: AsyncSession) -> None:
    dispatcher, worker, _org_id, house_id = await _world(session, PublishMode.APPROVAL)
    first = await journal.log_incident(session, dispatcher, _new(house_id), tz=MSK, now=NOW)
    second = await journal.log_incident(session, dispatcher, _new(house_id), tz=MSK, now=NOW)
    assert (first.journal_number, second.journal_number) == ("2027-0001", "2027-0002")
    with pytest.raises(PermissionDenied):
        await journal.log_incident(session, worker, _new(house_id), tz=MSK, now=NOW)
    with pytest.raises(InvalidInput):
        await journal.close_incident(session, dispatcher, first.id, "  ", now=NOW)
    closed = await journal.close_incident(session, dispatcher, first.id, "Дерево убрано", now=NOW)
    assert closed.status == IncidentStatus.CLOSED


@pytest.mark.parametrize("mode", [PublishMode.APPROVAL, PublishMode.DIRECT])
async def test_an_organisation_report_reaches_residents_by_its_mode(
    session: AsyncSession, mode: PublishMode
) -> None:
    dispatcher, worker, org_id, house_id = await _world(session, mode)
    incident = await journal.log_incident(session, dispatcher, _new(house_id, org_id), tz=MSK, now=NOW)
    target = updates.Target("incident", incident.id)
    assert await updates.acknowledge(session, worker, target, now=NOW) is True
    assert await updates.acknowledge(session, worker, target, now=NOW) is False
    report = updates.FieldReport("Бригада на месте", expected_end_at=NOW + timedelta(hours=2))
    update = await updates.post_report(session, worker, target, report, now=NOW)
    if mode == PublishMode.APPROVAL:
        assert update.publish == UpdatePublish.PENDING
        assert (await update_notices.broadcast_update(session, CTX, update)).queued == 0
        await updates.decide(session, dispatcher, update.id, approve=True, now=NOW)
        with pytest.raises(InvalidInput):
            await updates.decide(session, dispatcher, update.id, approve=False, now=NOW)
    assert update.publish == UpdatePublish.PUBLISHED
    assert incident.expected_end_at == NOW + timedelta(hours=2)
    assert (await update_notices.broadcast_update(session, CTX, update)).queued == 1
    text = await session.scalar(select(OutboxMessage.payload).where(OutboxMessage.chat_id == 777))
    assert "Бригада на месте" in str(text) and "УК «Уют»" in str(text)
    await journal.set_responsible(session, dispatcher, incident.id, None, now=NOW)
    with pytest.raises(PermissionDenied):
        await updates.post_report(session, worker, target, report, now=NOW)


async def test_people_entered_in_the_panel_with_a_telegram_id_get_the_card(session: AsyncSession) -> None:
    """No invite was redeemed (no linked account row): the card still goes to their Telegram id,
    as assignment notices do; one who blocked the bot is left out."""
    dispatcher, _worker, org_id, house_id = await _world(session, PublishMode.APPROVAL)
    org = await members.get_organisation(session, org_id)
    sys = Actor.system("t")
    await staff.create_user(
        session,
        sys,
        full_name="Диспетчер 2",
        roles=[Role.EXECUTOR],
        department_id=org.department_id,
        telegram_id=4242,
    )
    await staff.create_user(
        session,
        sys,
        full_name="Ушедший",
        roles=[Role.EXECUTOR],
        department_id=org.department_id,
        telegram_id=4343,
    )
    session.add(TelegramAccount(id=4343, chat_id=4343, blocked_at=NOW))
    incident = await journal.log_incident(session, dispatcher, _new(house_id, org_id), tz=MSK, now=NOW)
    assert await update_notices.notify_assigned(session, CTX, updates.Target("incident", incident.id)) == 1
    chats = (await session.scalars(select(OutboxMessage.chat_id))).all()
    assert chats == [4242]


async def test_a_pending_report_is_not_published_once_the_incident_is_closed(session: AsyncSession) -> None:
    dispatcher, worker, org_id, house_id = await _world(session, PublishMode.APPROVAL)
    incident = await journal.log_incident(session, dispatcher, _new(house_id, org_id), tz=MSK, now=NOW)
    target = updates.Target("incident", incident.id)
    update = await updates.post_report(session, worker, target, updates.FieldReport("Завтра уберём"), now=NOW)
    await journal.close_incident(session, dispatcher, incident.id, "Убрали сами", now=NOW)
    with pytest.raises(InvalidInput):
        await updates.decide(session, dispatcher, update.id, approve=True, now=NOW)
    kept = await updates.decide(session, dispatcher, update.id, approve=False, now=NOW)
    assert kept.publish == UpdatePublish.REJECTED
