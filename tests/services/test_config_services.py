"""Settings services: routing picks the most specific rule, staff-only topics stay with staff,
only admins configure, every change is audited, the outage catalogues feed their registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Building, Category
from models.enums import AppealChannel, CategoryAudience, Role
from services import staff
from services.addresses.importer import import_buildings
from services.appeals import categories as offered_categories
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.config import categories, org_card, outage_catalogs, routing
from services.errors import InvalidInput, PermissionDenied
from services.notify import Translator
from services.outages import resources

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def _registry() -> Iterator[None]:
    yield
    resources.reset_defaults()  # the registry is process-wide: leave the defaults to other tests


async def _admin(session: AsyncSession) -> Actor:
    user = await staff.create_user(session, SYSTEM, full_name="Админ", roles=[Role.ADMIN])
    return Actor(user_id=user.id)


async def test_routing_picks_the_most_specific_rule(session: AsyncSession) -> None:
    admin = await _admin(session)
    depts = {n: await staff.create_department(session, SYSTEM, n) for n in ("Общий", "ЖКХ", "Район", "Улица")}
    cat = await categories.save(
        session,
        admin,
        None,
        categories.CategoryInput(
            code="housing", name_ru="ЖКХ", name_en="", answer_days=30, department_id=depts["Общий"].id
        ),
    )
    lenina = Building(
        street="ул. Ленина", street_key="ленина", house="5", house_key="5", district="Центральный"
    )
    mira = Building(street="пр-т Мира", street_key="мира", house="1", house_key="1", district="Центральный")
    other = Building(
        street="ул. Садовая", street_key="садовая", house="2", house_key="2", district="Северный"
    )
    session.add_all([lenina, mira, other])
    await session.flush()

    # Only the category's default department so far.
    assert (
        await routing.route_department(session, cat.id, routing.Place(building_id=lenina.id))
        == depts["Общий"].id
    )
    rule = routing.RuleInput
    await routing.save(session, admin, None, rule(category_id=cat.id, department_id=depts["ЖКХ"].id))
    await routing.save(
        session,
        admin,
        None,
        rule(category_id=cat.id, department_id=depts["Район"].id, district="центральный "),
    )
    await routing.save(
        session, admin, None, rule(category_id=cat.id, department_id=depts["Улица"].id, street="Ленина ул.")
    )

    async def route(place: routing.Place) -> int | None:
        return await routing.route_department(session, cat.id, place)

    assert await route(routing.Place(building_id=lenina.id)) == depts["Улица"].id  # street beats district
    assert (
        await route(routing.Place(address="г. Энск, ул. Ленина, д. 9")) == depts["Улица"].id
    )  # typed address
    assert await route(routing.Place(building_id=mira.id)) == depts["Район"].id  # district beats topic only
    assert await route(routing.Place(building_id=other.id)) == depts["ЖКХ"].id  # topic only
    assert await route(routing.Place()) == depts["ЖКХ"].id
    assert await routing.route_department(session, None) is None
    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "routing_rule").order_by(AuditEvent.id)
        )
    ).all()
    assert list(actions) == ["created"] * 3

    with pytest.raises(InvalidInput):  # a street and a district at once is ambiguous
        await routing.save(
            session, admin, None, rule(cat.id, depts["ЖКХ"].id, street="Мира", district="Северный")
        )


async def test_non_admins_are_refused(session: AsyncSession) -> None:
    clerk = await staff.create_user(session, SYSTEM, full_name="Секретарь", roles=[Role.CLERK, Role.MANAGER])
    data = categories.CategoryInput(code="x", name_ru="Икс", name_en="", answer_days=30)
    for actor in (Actor(user_id=clerk.id), Actor(telegram_id=5), SYSTEM):
        with pytest.raises(PermissionDenied):
            await categories.save(session, actor, None, data)
        with pytest.raises(PermissionDenied):
            await org_card.save_card(session, actor, org_card.Letterhead(name="Администрация"))
        with pytest.raises(PermissionDenied):
            await outage_catalogs.save_resource(
                session,
                actor,
                None,
                outage_catalogs.CatalogInput(code="steam", name_ru="пар", name_en="steam"),
            )
    assert await session.scalar(select(Category)) is None


async def test_staff_only_topic_is_never_a_residents_choice(session: AsyncSession, tmp_path: Path) -> None:
    admin = await _admin(session)
    public = await categories.save(
        session,
        admin,
        None,
        categories.CategoryInput(code="roads", name_ru="Дороги", name_en="Roads", answer_days=30),
    )
    internal = await categories.save(
        session,
        admin,
        None,
        categories.CategoryInput(
            code="it", name_ru="ИТ", name_en="IT", answer_days=3, audience=CategoryAudience.STAFF.value
        ),
    )
    assert [c.code for c in await offered_categories.offered(session, staff=False)] == ["roads"]
    assert {c.code for c in await offered_categories.offered(session, staff=True)} == {"roads", "it"}

    def appeal(category_id: int) -> AppealInput:
        return AppealInput(
            channel=AppealChannel.TELEGRAM,
            text="Нужна помощь",
            contact=ContactInput(name="Иван", telegram_id=77),
            category_id=category_id,
        )

    with pytest.raises(InvalidInput):
        await register_appeal(session, appeal(internal.id), actor=Actor(telegram_id=77), files_dir=tmp_path)
    done = await register_appeal(session, appeal(public.id), actor=Actor(telegram_id=77), files_dir=tmp_path)
    assert done.appeal.category_id == public.id
    paper = AppealInput(
        channel=AppealChannel.PAPER,
        text="Служебная записка",
        contact=ContactInput(name="Отдел"),
        category_id=internal.id,
    )
    by_staff = await register_appeal(session, paper, actor=admin, files_dir=tmp_path)
    assert by_staff.appeal.category_id == internal.id

    await categories.set_active(session, admin, public.id, False)
    assert await offered_categories.offered(session, staff=False) == []
    audit = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "category").order_by(AuditEvent.id)
        )
    ).all()
    assert list(audit) == ["created", "created", "deactivated"]


async def test_org_card_and_time_zone(session: AsyncSession) -> None:
    admin = await _admin(session)
    assert await org_card.effective_timezone(session, "Europe/Moscow") == "Europe/Moscow"
    with pytest.raises(InvalidInput):
        await org_card.save_card(
            session, admin, org_card.Letterhead(name="Администрация", timezone="Mars/Olympus")
        )
    with pytest.raises(InvalidInput):
        await org_card.save_card(session, admin, org_card.Letterhead(name="Администрация", inn="12"))
    await org_card.save_card(
        session,
        admin,
        org_card.Letterhead(
            name="Администрация города Энска", short_name="Администрация", timezone="Asia/Yekaterinburg"
        ),
    )
    assert await org_card.org_name(session) == "Администрация"
    assert (await org_card.letterhead(session)).name == "Администрация города Энска"
    assert await org_card.effective_timezone(session, "Europe/Moscow") == "Asia/Yekaterinburg"
    await org_card.save_card(session, admin, org_card.Letterhead(name="Администрация города Энска"))
    events = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "org_card").order_by(AuditEvent.id)
        )
    ).all()
    assert list(events) == ["created", "updated"]


async def test_outage_catalogues_feed_the_registry(session: AsyncSession) -> None:
    admin = await _admin(session)
    steam = await outage_catalogs.save_resource(
        session,
        admin,
        None,
        outage_catalogs.CatalogInput(code="steam", name_ru="пар", name_en="steam", emoji="💨", position=70),
    )
    # The built-in list was written first: a first entry adds to it.
    assert [r.code for r in resources.enabled_resources()][-1] == "steam"
    assert len(resources.enabled_resources()) == 7
    assert resources.resource_name("steam", Translator("ru")) == "пар"
    assert resources.resource_name("steam", Translator("en")) == "steam"
    await outage_catalogs.save_resource(
        session,
        admin,
        steam.id,
        outage_catalogs.CatalogInput(
            code="steam", name_ru="пар", name_en="steam", emoji="💨", is_active=False
        ),
    )
    assert "steam" not in {r.code for r in resources.enabled_resources()}
    assert resources.resource_name("steam", Translator("ru")) == "пар"  # old outages keep the name
    with pytest.raises(InvalidInput):
        resources.offered_resource("steam")
    with pytest.raises(InvalidInput):  # outages store the code: it stays
        await outage_catalogs.save_resource(
            session,
            admin,
            steam.id,
            outage_catalogs.CatalogInput(code="vapour", name_ru="пар", name_en="steam"),
        )
    await outage_catalogs.save_social_type(
        session,
        admin,
        None,
        outage_catalogs.CatalogInput(code="library", name_ru="библиотеки", name_en="libraries"),
    )
    assert resources.social_key("library") == "library"
    assert resources.social_type_name("library", Translator("ru")) == "библиотеки"
    assert resources.social_key("school") == "school"
    assert resources.social_key("palace") == "other"


async def test_address_import_reads_the_district(session: AsyncSession) -> None:
    data = "Улица;Дом;Район\nул. Ленина;5;Центральный\nпр-т Мира;1;\n".encode()
    report = await import_buildings(session, data, actor=SYSTEM, filename="дома.csv")
    assert report.created == 2, report
    districts = dict((await session.execute(select(Building.street_key, Building.district))).all())
    assert districts == {"ленина": "Центральный", "мира": None}
