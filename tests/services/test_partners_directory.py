"""The organisations' directory: areas of responsibility and who is offered for a house, invite
links (expiry, uses, revocation, staff accounts refused, the first joiner heads), KPI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Building, Department, TelegramAccount, User
from models.enums import IncidentKind, InformantKind, OrganisationKind, Role
from services import staff
from services.audit import Actor
from services.errors import DomainError, InvalidInput, InviteError, NotFound
from services.errors import PermissionDenied as AdminRequired
from services.incidents import journal, updates
from services.partners import areas, directory, invites, kpi, people

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _admin(session: AsyncSession) -> Actor:
    admin = await staff.create_user(session, Actor.system("t"), full_name="Админ", roles=[Role.ADMIN])
    return Actor(user_id=admin.id)


async def _org(session: AsyncSession, admin: Actor, name: str, **kw: object) -> int:
    org = await directory.create_organisation(session, admin, directory.OrganisationInput(name=name, **kw))  # type: ignore[arg-type]
    return org.id


async def _house(session: AsyncSession, street: str, key: str, house: str, district: str | None) -> Building:
    b = Building(
        street=street,
        street_key=key,
        house=house,
        house_key=house,
        house_number=int(house),
        district=district,
    )
    session.add(b)
    await session.flush()
    return b


async def _account(session: AsyncSession, telegram_id: int) -> TelegramAccount:
    account = TelegramAccount(id=telegram_id, chat_id=telegram_id, first_name="Пётр")
    session.add(account)
    await session.flush()
    return account


async def test_responsible_for_orders_house_street_district_and_resource(session: AsyncSession) -> None:
    admin = await _admin(session)
    uk = await _org(session, admin, "УК «Уют»", kind=OrganisationKind.MANAGEMENT)
    water = await _org(session, admin, "Водоканал", kind=OrganisationKind.SUPPLIER, resources=("cold_water",))
    roads = await _org(session, admin, "Дорожник", kind=OrganisationKind.CONTRACTOR)
    heat = await _org(session, admin, "Теплосеть", kind=OrganisationKind.SUPPLIER, resources=("heating",))
    house = await _house(session, "ул. Ленина", "ленина", "5", "Центральный")
    other = await _house(session, "ул. Мира", "мира", "1", "Заречный")

    await areas.add_district(session, admin, roads, "  центральный ")
    await areas.add_street(session, admin, water, "Ленина ул.")
    await areas.add_street(session, admin, heat, "улица Ленина")
    await areas.add_building(session, admin, uk, house.id)
    await areas.add_district(session, admin, uk, "Центральный", resource="cold_water")

    names = [o.name for o in await areas.responsible_for(session, house.id)]
    assert names == ["УК «Уют»", "Водоканал", "Теплосеть", "Дорожник"]
    # Cold water: the supplier of heating is not offered; the house's УК still first.
    names = [o.name for o in await areas.responsible_for(session, house.id, "cold_water")]
    assert names == ["УК «Уют»", "Водоканал", "Дорожник"]
    assert await areas.responsible_for(session, other.id) == []

    with pytest.raises(InvalidInput):
        await areas.add_district(session, admin, roads, "ЦЕНТРАЛЬНЫЙ")  # already there
    with pytest.raises(InvalidInput):
        await areas.add_street(session, admin, roads, "   ")
    with pytest.raises(InvalidInput):
        await areas.add_street(session, admin, roads, "Мира", resource="plutonium")
    with pytest.raises(NotFound):
        await areas.add_building(session, admin, roads, 999_999)

    rows = await areas.areas_of(session, uk)
    assert [r.level for r in rows] == [areas.BUILDING, areas.DISTRICT]
    # Removing needs the right organisation: a forged id for another one is refused.
    with pytest.raises(NotFound):
        await areas.remove_area(session, admin, roads, rows[0].area.id)
    await areas.remove_area(session, admin, uk, rows[0].area.id)
    names = [o.name for o in await areas.responsible_for(session, house.id)]
    assert names[0] == "Водоканал"

    await directory.set_active(session, admin, water, False)
    assert "Водоканал" not in [o.name for o in await areas.responsible_for(session, house.id)]


async def test_only_an_admin_changes_areas_and_links(session: AsyncSession) -> None:
    admin = await _admin(session)
    uk = await _org(session, admin, "УК «Уют»")
    manager = await staff.create_user(session, Actor.system(), full_name="Руководитель", roles=[Role.MANAGER])
    as_manager = Actor(user_id=manager.id)
    with pytest.raises(AdminRequired):
        await areas.add_district(session, as_manager, uk, "Центральный")
    with pytest.raises(AdminRequired):
        await invites.create_invite(session, as_manager, uk)


async def test_invite_joins_people_first_one_heads(session: AsyncSession) -> None:
    admin = await _admin(session)
    uk = await _org(session, admin, "УК «Уют»")
    invite, token = await invites.create_invite(session, admin, uk, max_uses=2, now=NOW)
    assert invite.token_hash != token and token not in invite.token_hash
    assert invite.expires_at == NOW + timedelta(days=7)

    first = await invites.redeem(session, token, await _account(session, 501), " Пётр   Иванов ", now=NOW)
    second = await invites.redeem(session, token, await _account(session, 502), "Анна Смирнова", now=NOW)
    assert first.full_name == "Пётр Иванов" and first.roles == {Role.EXECUTOR}
    org = await directory.get_organisation(session, uk)
    dept = await session.get(Department, org.department_id)
    assert dept is not None and dept.head_id == first.id
    assert second.department_id == org.department_id and second.telegram_id == 502
    account = await session.get(TelegramAccount, 502)
    assert account is not None and account.user_id == second.id

    # Used up after two people; the third is refused with a clear reason.
    with pytest.raises(InviteError) as used_up:
        await invites.redeem(session, token, await _account(session, 503), "Олег", now=NOW)
    assert used_up.value.message == invites.USED_UP
    assert await invites.active_invites(session, uk, now=NOW) == []

    joined = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "member_joined"))).all()
    assert len(joined) == 2
    assert [p.user.full_name for p in await people.people_of(session, uk)] == ["Пётр Иванов", "Анна Смирнова"]


async def test_expired_revoked_and_staff_accounts_are_refused(session: AsyncSession) -> None:
    admin = await _admin(session)
    uk = await _org(session, admin, "УК «Уют»")
    _inv, old = await invites.create_invite(
        session, admin, uk, ttl=timedelta(hours=1), now=NOW - timedelta(hours=2)
    )
    with pytest.raises(InviteError) as expired:
        await invites.redeem(session, old, await _account(session, 601), "Пётр Иванов", now=NOW)
    assert expired.value.message == invites.EXPIRED

    invite, token = await invites.create_invite(session, admin, uk, now=NOW)
    assert [i.id for i in await invites.active_invites(session, uk, now=NOW)] == [invite.id]
    # A staff member's account cannot join an organisation with it.
    await staff.create_user(
        session, Actor.system(), full_name="Сотрудник", roles=[Role.CLERK], telegram_id=602
    )
    with pytest.raises(InviteError) as bound:
        await invites.redeem(session, token, await _account(session, 602), "Сотрудник", now=NOW)
    assert bound.value.message == invites.STAFF_ACCOUNT

    member = await invites.redeem(session, token, await _account(session, 603), "Пётр Иванов", now=NOW)
    with pytest.raises(InviteError) as again:
        await invites.redeem(session, token, await session.get(TelegramAccount, 603), "Пётр", now=NOW)  # type: ignore[arg-type]
    assert again.value.message == invites.ALREADY_MEMBER

    other = await _org(session, admin, "Водоканал")
    with pytest.raises(NotFound):
        await invites.revoke_invite(session, admin, other, invite.id)
    await invites.revoke_invite(session, admin, uk, invite.id)
    with pytest.raises(InviteError) as revoked:
        await invites.redeem(session, token, await _account(session, 604), "Олег Петров", now=NOW)
    assert revoked.value.message == invites.NOT_VALID
    for bad in ("", "x" * 500, "не-токен"):
        with pytest.raises(InviteError):
            await invites.check_invite(session, bad, now=NOW)
    with pytest.raises(InvalidInput):
        await invites.create_invite(session, admin, uk, max_uses=0)
    with pytest.raises(InvalidInput):
        await invites.clean_name("\x00\n ")  # type: ignore[func-returns-value]

    # Removing the head: the next person to join heads the organisation.
    await people.deactivate_member(session, admin, uk, member.id)
    _inv, fresh = await invites.create_invite(session, admin, uk, now=NOW)
    newcomer = await invites.redeem(session, fresh, await _account(session, 605), "Олег Петров", now=NOW)
    org = await directory.get_organisation(session, uk)
    dept = await session.get(Department, org.department_id)
    assert dept is not None and dept.head_id == newcomer.id
    # The removed person comes back through a new link as the same user.
    back = await invites.redeem(
        session, fresh, await session.get(TelegramAccount, 603), "Пётр Иванов", now=NOW
    )  # type: ignore[arg-type]
    assert back.id == member.id and back.is_active


async def test_kpi_counts_addressed_acknowledged_closed_overdue(session: AsyncSession) -> None:
    admin = await _admin(session)
    uk = await _org(session, admin, "УК «Уют»")
    org = await directory.get_organisation(session, uk)
    dispatcher = await staff.create_user(
        session, Actor.system(), full_name="Диспетчер", roles=[Role.DISPATCHER]
    )
    worker = await staff.create_user(
        session, Actor.system(), full_name="Мастер", roles=[Role.EXECUTOR], department_id=org.department_id
    )
    house = await _house(session, "ул. Ленина", "ленина", "5", None)
    tz = ZoneInfo("Europe/Moscow")

    def new(**kw: object) -> journal.NewIncident:
        return journal.NewIncident(
            kind=IncidentKind.FALLEN_TREE,
            received_at=NOW - timedelta(minutes=5),
            informant_kind=InformantKind.RESIDENT,
            description="Дерево упало",
            building_id=house.id,
            responsible_organisation_id=uk,
            **kw,  # type: ignore[arg-type]
        )

    first = await journal.log_incident(
        session, dispatcher, new(expected_end_at=NOW + timedelta(hours=1)), tz=tz, now=NOW
    )
    await journal.log_incident(session, dispatcher, new(), tz=tz, now=NOW)
    await updates.acknowledge(
        session, worker, updates.Target("incident", first.id), now=NOW + timedelta(minutes=12)
    )
    await updates.post_report(
        session,
        worker,
        updates.Target("incident", first.id),
        updates.FieldReport("На месте"),
        now=NOW + timedelta(minutes=20),
    )
    await journal.close_incident(session, dispatcher, first.id, "Убрано", now=NOW + timedelta(hours=3))

    (row,) = await kpi.organisation_kpis(
        session, NOW - timedelta(days=1), NOW + timedelta(days=1), now=NOW + timedelta(hours=4)
    )
    assert (row.incidents, row.outages, row.acknowledged, row.closed, row.overdue, row.reports) == (
        2,
        0,
        1,
        1,
        1,
        1,
    )
    assert row.median_ack_minutes == pytest.approx(12.0)
    # Outside the period nothing counts.
    later = await kpi.organisation_kpi(session, org, NOW + timedelta(days=2), NOW + timedelta(days=3))
    assert later.addressed == 0 and later.assignments.received == 0


async def test_directory_refuses_bad_input(session: AsyncSession) -> None:
    admin = await _admin(session)
    with pytest.raises(DomainError):
        await directory.create_organisation(session, admin, directory.OrganisationInput(name="Х", inn="12ab"))
    assert (await session.scalars(select(User).where(User.full_name == "Х"))).first() is None


async def test_the_dispatcher_is_offered_the_responsible_organisations_first(session: AsyncSession) -> None:
    admin = await _admin(session)
    await _org(session, admin, "Аварийка")  # no areas: offered, but after the responsible ones
    water = await _org(session, admin, "Водоканал", kind=OrganisationKind.SUPPLIER, resources=("cold_water",))
    heat = await _org(session, admin, "Теплосеть", kind=OrganisationKind.SUPPLIER, resources=("heating",))
    a = await _house(session, "ул. Ленина", "ленина", "5", None)
    b = await _house(session, "ул. Мира", "мира", "1", None)
    await areas.add_street(session, admin, water, "Мира")
    await areas.add_street(session, admin, heat, "Ленина")

    orgs, marked = await areas.offered_organisations(session, [a.id, b.id], "cold_water")
    assert [o.name for o in orgs] == ["Водоканал", "Аварийка", "Теплосеть"] and marked == {water}
    orgs, marked = await areas.offered_organisations(session, [a.id, b.id])
    assert [o.name for o in orgs][:2] == ["Теплосеть", "Водоканал"] and marked == {water, heat}
    orgs, marked = await areas.offered_organisations(session, [])
    assert [o.name for o in orgs] == ["Аварийка", "Водоканал", "Теплосеть"] and marked == set()
