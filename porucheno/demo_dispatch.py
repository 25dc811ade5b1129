"""The demo town's ЕДДС: outside organisations with their areas, a master of the management company
who works in the bot, and a day of the incident journal (one closed, one in work, one just logged)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building, Organisation, OrganisationArea, Outage, User
from models.enums import IncidentKind, InformantKind, OrganisationKind, OutageStatus, PublishMode, Role
from services import staff
from services.audit import Actor
from services.incidents import journal, updates
from services.partners import directory

DEMO_PARTNER_ID = 7000201  # the management company's master, a persona in the sandbox
# (name, short, kind, resources, publish mode, streets it is responsible for)
ORGANISATIONS = [
    (
        "ООО «УК Уютный дом»",
        "УК «Уютный дом»",
        OrganisationKind.MANAGEMENT,
        (),
        PublishMode.APPROVAL,
        ("ленина", "мира"),
    ),
    (
        "МУП «Энсктеплосеть»",
        "Теплосеть",
        OrganisationKind.SUPPLIER,
        ("hot_water", "heating"),
        PublishMode.DIRECT,
        ("ленина",),
    ),
    ("ООО «Зеленстрой»", "Зеленстрой", OrganisationKind.CONTRACTOR, (), PublishMode.APPROVAL, ()),
]
PARTNER_PERSON = ("Сидоров Пётр Ильич", "Мастер участка", "sidorov_uk")


async def seed_dispatch(
    session: AsyncSession, actor: Actor, admin: User, dispatcher: User, tz: ZoneInfo, now: datetime
) -> None:
    orgs: dict[str, Organisation] = {}
    for name, short, kind, resources, mode, streets in ORGANISATIONS:
        org = await directory.create_organisation(
            session,
            Actor(user_id=admin.id),
            directory.OrganisationInput(
                name=name,
                short_name=short,
                kind=kind,
                resources=resources,
                publish_mode=mode,
                phone="+7 (496) 555-01-0" + str(len(orgs) + 1),
            ),
        )
        for key in streets:
            street = await session.scalar(select(Building.street).where(Building.street_key == key).limit(1))
            session.add(OrganisationArea(organisation_id=org.id, street_key=key, street=street))
        orgs[short] = org
    uk = orgs["УК «Уютный дом»"]
    full_name, position, _username = PARTNER_PERSON
    master = await staff.create_user(
        session,
        actor,
        full_name=full_name,
        position=position,
        roles=[Role.EXECUTOR],
        department_id=uk.department_id,
        telegram_id=DEMO_PARTNER_ID,
    )
    await staff.set_department_head(session, actor, uk.department_id, master.id)
    await _seed_outage_record(session, orgs["Теплосеть"])
    await _seed_incidents(session, dispatcher, master, orgs, tz, now)


async def _seed_outage_record(session: AsyncSession, supplier: Organisation) -> None:
    outage = await session.scalar(select(Outage).where(Outage.status == OutageStatus.ACTIVE).limit(1))
    if outage is not None:
        outage.cause = "Порыв магистрали горячего водоснабжения Ø150 на ул. Ленина"
        outage.responsible_organisation_id = supplier.id
        outage.informant_kind = InformantKind.RESIDENT
        outage.informant_text = "Звонки жителей ул. Ленина, 5 и 7"


def _building(buildings: dict[tuple[str, str], Building], street: str, house: str) -> int:
    return buildings[(street, house)].id


async def _seed_incidents(
    session: AsyncSession,
    dispatcher: User,
    master: User,
    orgs: dict[str, Organisation],
    tz: ZoneInfo,
    now: datetime,
) -> None:
    buildings = {(b.street_key, b.house_key): b for b in (await session.scalars(select(Building))).all()}
    tree = await journal.log_incident(
        session,
        dispatcher,
        journal.NewIncident(
            kind=IncidentKind.FALLEN_TREE,
            received_at=now - timedelta(hours=20),
            informant_kind=InformantKind.RESIDENT,
            informant_name="Петрова А. С.",
            description="Упал тополь, перекрыт проезд во двор",
            building_id=_building(buildings, "советская", "3"),
            cause="Порыв ветра до 20 м/с",
            responsible_organisation_id=orgs["Зеленстрой"].id,
        ),
        tz=tz,
        now=now - timedelta(hours=20),
    )
    await journal.add_action(
        session,
        dispatcher,
        tree.id,
        journal.ActionInput("Бригада Зеленстроя выехала"),
        now=now - timedelta(hours=19, minutes=40),
    )
    await journal.add_action(
        session,
        dispatcher,
        tree.id,
        journal.ActionInput("Дерево распилено, проезд открыт"),
        now=now - timedelta(hours=17),
    )
    await journal.close_incident(
        session,
        dispatcher,
        tree.id,
        "Дерево убрано, проезд свободен",
        now=now - timedelta(hours=16, minutes=30),
    )

    sewer = await journal.log_incident(
        session,
        dispatcher,
        journal.NewIncident(
            kind=IncidentKind.SEWER,
            received_at=now - timedelta(hours=3),
            informant_kind=InformantKind.ORGANISATION,
            informant_organisation_id=orgs["УК «Уютный дом»"].id,
            description="Засор канализационного выпуска, подтопление подвала",
            building_id=_building(buildings, "мира", "10а"),
            responsible_organisation_id=orgs["УК «Уютный дом»"].id,
            expected_end_at=now + timedelta(hours=3),
        ),
        tz=tz,
        now=now - timedelta(hours=3),
    )
    target = updates.Target("incident", sewer.id)
    await updates.acknowledge(session, master, target, now=now - timedelta(hours=2, minutes=50))
    await updates.post_report(
        session,
        master,
        target,
        updates.FieldReport("Аварийная бригада откачивает воду из подвала"),
        now=now - timedelta(hours=2),
    )

    await journal.log_incident(
        session,
        dispatcher,
        journal.NewIncident(
            kind=IncidentKind.ROAD_ACCIDENT,
            received_at=now - timedelta(minutes=25),
            informant_kind=InformantKind.SERVICE,
            informant_name="Система-112",
            description="ДТП на перекрёстке, затруднено движение в сторону центра",
            address_text="Перекрёсток ул. Ленина и пр-та Мира",
            latitude=56.39650,
            longitude=38.71750,
        ),
        tz=tz,
        now=now - timedelta(minutes=25),
    )
