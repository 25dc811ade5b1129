"""The town and the month that ``bench/dispatch_month.py`` times the dispatcher's screens on.

The register (5,000 houses), the residents (20,000 Telegram accounts) and their subscriptions are
bulk-inserted; everything a dispatcher does in a month goes through the services as in the bot and
the panel: 30 outages of 1–200 houses created, published, extended, resolved, with updates and
residents' signals; 300 incidents logged, handed to organisations, acted on and mostly closed;
~200 residents' signals (about a resource or an incident), some still waiting in the queue.

Subscriptions are skewed (a few big houses have many subscribers, most have a handful); the 200
houses of the "notice" outage, left as a draft for the benchmark to publish, have exactly
``notice_subscribers`` distinct subscribers, so the drain knows whom to expect.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import models
from models import Building, OutageSignal, OutboxMessage, Subscription, TelegramAccount, User, utcnow
from models.enums import (
    IncidentKind,
    InformantKind,
    OrganisationKind,
    OutageKind,
    OutboxStatus,
    PublishMode,
    Role,
)
from services import staff
from services.addresses.normalize import normalize_street
from services.audit import Actor
from services.incidents import journal, updates
from services.notify import NoticeContext
from services.outages import lifecycle, signals
from services.partners import directory

TZ = ZoneInfo("Europe/Moscow")
CTX = NoticeContext(tz=TZ)
LOGIN, PASSWORD = "dispatcher", "correct-horse-battery"
ACCOUNT_BASE = 700_000_000  # Telegram ids of the residents (chat id = account id)
STREETS = [
    "Ленина", "Мира", "Советская", "Гагарина", "Садовая", "Школьная", "Молодёжная", "Лесная",
    "Строителей", "Набережная", "Пушкина", "Кирова", "Чапаева", "Энергетиков", "Заводская",
    "Октябрьская", "Первомайская", "Комсомольская", "Победы", "Суворова", "Некрасова", "Горького",
    "Лермонтова", "Чехова", "Жукова",
]  # fmt: skip
STREET_PREFIXES = ["", "Малая ", "Большая ", "Новая "]  # 100 streets of 50 houses
SOCIAL = ["school", "kindergarten", "hospital", "clinic", "boiler_house", "care_home"]
SOCIAL_NAMES = {
    "school": "Школа № {n}",
    "kindergarten": "Детский сад № {n}",
    "hospital": "Городская больница № {n}",
    "clinic": "Поликлиника № {n}",
    "boiler_house": "Котельная № {n}",
    "care_home": "Дом-интернат № {n}",
}
RESOURCES = ["cold_water", "hot_water", "heating", "electricity", "gas", "sewerage"]
ORGANISATIONS = [
    ("УК «Уютный дом»", OrganisationKind.MANAGEMENT, ("cold_water", "hot_water", "sewerage")),
    ("УК «Жилсервис»", OrganisationKind.MANAGEMENT, ()),
    ("ТСЖ «Набережная, 12»", OrganisationKind.MANAGEMENT, ()),
    ("МУП «Водоканал»", OrganisationKind.SUPPLIER, ("cold_water", "sewerage")),
    ("АО «Теплосеть»", OrganisationKind.SUPPLIER, ("heating", "hot_water")),
    ("Городские электросети", OrganisationKind.SUPPLIER, ("electricity",)),
    ("Газпром газораспределение, филиал", OrganisationKind.SUPPLIER, ("gas",)),
    ("ООО «Дорстрой»", OrganisationKind.CONTRACTOR, ()),
    ("МКУ «Служба благоустройства»", OrganisationKind.SERVICE, ()),
    ("Пожарно-спасательная часть № 3", OrganisationKind.SERVICE, ()),
]
SIGNAL_TEXT = {
    "cold_water": "Нет холодной воды с утра",
    "hot_water": "Нет горячей воды",
    "heating": "Батареи холодные",
    "electricity": "Нет света в подъезде",
    "gas": "Нет газа",
    "sewerage": "Засор, вода не уходит",
}
PLACES = ["км 12 трассы Р-22", "парк у пруда", "остановка «Рынок»", "перекрёсток у моста", "двор за ДК"]
ACTIONS = [
    "Бригада выехала на место",
    "Место ограждено",
    "Перекрыта задвижка, идёт откачка воды",
    "Дерево распилено и убрано",
    "Ведутся аварийно-восстановительные работы",
    "Подвезена техника",
    "Жители оповещены через старших по домам",
]
DESCRIPTIONS = {
    IncidentKind.ROAD_ACCIDENT: "ДТП, затруднено движение",
    IncidentKind.FALLEN_TREE: "Упало дерево, перекрыт проезд",
    IncidentKind.HEATING_NETWORK: "Порыв теплотрассы, парит из-под земли",
    IncidentKind.WATER_MAIN: "Порыв водовода, вода на проезжей части",
    IncidentKind.SEWER: "Излив канализации во дворе",
    IncidentKind.POWER_LINE: "Обрыв провода ЛЭП",
    IncidentKind.GAS: "Запах газа в подъезде",
    IncidentKind.FIRE: "Возгорание мусора у дома",
    IncidentKind.FLOODING: "Подтопление подвала",
    IncidentKind.WEATHER: "Штормовое предупреждение: усиление ветра до 25 м/с",
    IncidentKind.ROAD: "Гололёд на спуске, нужна подсыпка",
    IncidentKind.OTHER: "Открыт канализационный люк",
}


@dataclass
class Town:
    """What the benchmark needs to find again after seeding."""

    dispatcher_id: int = 0
    buildings: int = 0
    accounts: int = 0
    subscriptions: int = 0
    organisations: int = 0
    outages: int = 0
    incidents: int = 0
    signals: int = 0
    waiting_signals: int = 0
    dispatch_updates: int = 0
    outbox_history: int = 0
    big_outage_id: int = 0  # a published 200-house outage with signals and updates: the card
    notice_outage_id: int = 0  # a 200-house draft, published by the benchmark
    notice_chat_ids: list[int] = field(default_factory=list)
    busiest_incident_id: int = 0  # the incident with the longest journal
    open_incident_id: int = 0


def _skewed(rnd: random.Random, n: int) -> list[float]:
    """House weights: a Pareto tail, so some houses have many subscribers and most have few."""
    return [rnd.paretovariate(1.2) for _ in range(n)]


async def _register(engine: AsyncEngine, rnd: random.Random, town: Town) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    social_no = dict.fromkeys(SOCIAL, 0)
    per_street = 50
    streets = [f"ул. {p}{name}" for p in STREET_PREFIXES for name in STREETS]
    for i in range(5_000):
        street = streets[i // per_street % len(streets)]
        number = i % per_street + 1
        row: dict[str, object] = {
            "id": i + 1,
            "street": street,
            "street_key": normalize_street(street),
            "house": str(number),
            "house_key": str(number),
            "house_number": number,
            "latitude": 55.70 + rnd.random() * 0.1,
            "longitude": 37.55 + rnd.random() * 0.15,
            "kind": "residential",
            "is_social": False,
            "social_type": None,
            "name": None,
            "district": f"Район {i % 5 + 1}",
            "created_at": utcnow(),
        }
        if rnd.random() < 0.025:
            social = rnd.choice(SOCIAL)
            social_no[social] += 1
            row |= {
                "is_social": True,
                "social_type": social,
                "kind": "social",
                "name": SOCIAL_NAMES[social].format(n=social_no[social]),
            }
        rows.append(row)
    async with engine.begin() as conn:
        await conn.execute(insert(Building), rows)
    town.buildings = len(rows)
    return rows


async def _residents(
    engine: AsyncEngine,
    rnd: random.Random,
    town: Town,
    accounts: int,
    notice_houses: list[int],
    notice_n: int,
) -> None:
    """Accounts and subscriptions: ``notice_n`` of them live in the notice houses, the rest elsewhere;
    some of the rest also follow a second house (never a notice house, to keep that count exact)."""
    now = utcnow()
    notice_set = set(notice_houses)
    others = [i for i in range(1, town.buildings + 1) if i not in notice_set]
    notice_w, other_w = _skewed(rnd, len(notice_houses)), _skewed(rnd, len(others))
    notice_home = rnd.choices(notice_houses, notice_w, k=notice_n)
    other_home = rnd.choices(others, other_w, k=accounts - notice_n)
    people, subs = [], []
    for n, home in enumerate(notice_home + other_home):
        tg = ACCOUNT_BASE + n
        people.append(
            {
                "id": tg,
                "chat_id": tg,
                "first_name": f"Житель {n}",
                "language_code": "ru",
                "locale": "en" if rnd.random() < 0.03 else None,
                # A few residents blocked the bot long ago (never among the notice houses' ones).
                "blocked_at": now - timedelta(days=40) if n >= notice_n and rnd.random() < 0.01 else None,
                "created_at": now - timedelta(days=60),
                "last_seen_at": now - timedelta(days=rnd.randint(0, 60)),
            }
        )
        subs.append({"telegram_id": tg, "building_id": home, "created_at": now - timedelta(days=50)})
        if n >= notice_n and rnd.random() < 0.15:
            second = rnd.choice(others)
            if second != home:
                subs.append(
                    {"telegram_id": tg, "building_id": second, "created_at": now - timedelta(days=45)}
                )
    async with engine.begin() as conn:
        for start in range(0, len(people), 5_000):
            await conn.execute(insert(TelegramAccount), people[start : start + 5_000])
        for start in range(0, len(subs), 5_000):
            await conn.execute(insert(Subscription), subs[start : start + 5_000])
    town.accounts, town.subscriptions = len(people), len(subs)
    town.notice_chat_ids = [ACCOUNT_BASE + n for n in range(notice_n)]


async def _people(session: AsyncSession, town: Town) -> tuple[User, list[int], dict[int, User]]:
    """The dispatcher (who also signs in to the panel), the admin, 10 organisations with one member each."""
    system = Actor.system("bench")
    admin = await staff.create_user(session, system, full_name="Анна Админова", roles=[Role.ADMIN])
    dispatcher = await staff.create_user(
        session,
        system,
        full_name="Ольга Дежурная",
        roles=[Role.DISPATCHER],
        login=LOGIN,
        password=PASSWORD,
    )
    org_ids: list[int] = []
    members: dict[int, User] = {}
    for n, (name, kind, resources) in enumerate(ORGANISATIONS):
        org = await directory.create_organisation(
            session,
            Actor(user_id=admin.id),
            directory.OrganisationInput(
                name=name,
                kind=kind,
                resources=resources,
                phone=f"+7 900 000-00-{n:02d}",
                publish_mode=PublishMode.DIRECT if n % 3 == 0 else PublishMode.APPROVAL,
            ),
        )
        org_ids.append(org.id)
        members[org.id] = await staff.create_user(
            session, system, full_name=f"Мастер {n}", roles=[Role.EXECUTOR], department_id=org.department_id
        )
    await session.commit()
    town.dispatcher_id, town.organisations = dispatcher.id, len(org_ids)
    return dispatcher, org_ids, members


async def _residents_of(
    session: AsyncSession, houses: list[int], k: int, rnd: random.Random
) -> list[tuple[int, int]]:
    """Up to ``k`` (account, house) pairs of subscribers of ``houses``."""
    rows = (
        await session.execute(
            select(Subscription.telegram_id, Subscription.building_id)
            .where(Subscription.building_id.in_(houses))
            .limit(200)
        )
    ).all()
    return rnd.sample([(tg, b) for tg, b in rows], min(k, len(rows)))


async def _outages(
    session: AsyncSession,
    rnd: random.Random,
    town: Town,
    dispatcher: User,
    org_ids: list[int],
    start: datetime,
    now: datetime,
    notice_houses: list[int],
) -> int:
    """30 outages over the month; returns the signals made for them (linked to them)."""
    made = 0
    sizes = [200] + [max(1, int(200 * rnd.random() ** 3)) for _ in range(29)]
    span = (now - start).total_seconds()
    for n, size in enumerate(sizes):
        big = n == 0
        planned = not big and rnd.random() < 0.4
        began = now - timedelta(hours=6) if big else start + timedelta(seconds=span * (n + rnd.random()) / 30)
        future = planned and n >= 28  # the last two are announced works still ahead
        starts_at = now + timedelta(days=2 + n - 28) if future else began
        created = min(began, now - timedelta(hours=1)) - timedelta(minutes=30 if not planned else 60 * 24)
        houses = rnd.sample(range(1, town.buildings + 1), size)
        resource = rnd.choice(RESOURCES)
        outage = await lifecycle.create_outage(
            session,
            dispatcher,
            lifecycle.NewOutage(
                kind=OutageKind.PLANNED if planned else OutageKind.ACCIDENT,
                resource=resource,
                building_ids=houses,
                starts_at=starts_at,
                expected_end_at=starts_at + timedelta(hours=rnd.choice([4, 8, 12, 24])),
                description="Замена участка трубопровода"
                if planned
                else "Аварийное отключение, причина выясняется",
            ),
            now=created,
        )
        outage.cause = "Порыв на магистральной сети" if not planned else "Плановый ремонт"
        outage.responsible_organisation_id = rnd.choice(org_ids)
        outage.informant_kind = InformantKind.ORGANISATION
        published = starts_at if not future else created
        await lifecycle.publish(session, CTX, dispatcher, outage.id, now=min(published, now))
        # Residents who wrote about it; the dispatcher links their reports.
        authors = await _residents_of(session, houses, rnd.randint(0, 4) + (8 if big else 0), rnd)
        ids = []
        for tg, home in authors:
            signal = await signals.report_signal(
                session,
                tg,
                home,
                None,
                resource,
                SIGNAL_TEXT[resource],
                now=min(began + timedelta(minutes=20), now),
            )
            ids.append(signal.id)
        if ids and not future:
            await signals.link_signals(session, dispatcher, ids, outage.id)
        made += len(ids)
        for k in range(rnd.randint(1, 3) if not future else 0):
            await updates.post_dispatcher_update(
                session,
                dispatcher,
                updates.Target("outage", outage.id),
                updates.FieldReport(f"Ход работ: этап {k + 1} завершён", for_residents=k % 2 == 0),
                now=min(began + timedelta(hours=k + 1), now - timedelta(minutes=5)),
            )
        if rnd.random() < 0.35 and not future:
            await lifecycle.extend(
                session, CTX, dispatcher, outage.id, starts_at + timedelta(hours=rnd.choice([30, 36, 48]))
            )
        if big:
            town.big_outage_id = outage.id
        elif not future and n < 26:
            ended = min(began + timedelta(hours=rnd.randint(2, 30)), now - timedelta(minutes=10))
            await lifecycle.resolve(session, CTX, dispatcher, outage.id, ended, now=now)
        await session.commit()
    draft = await lifecycle.create_outage(
        session,
        dispatcher,
        lifecycle.NewOutage(
            kind=OutageKind.ACCIDENT,
            resource="hot_water",
            building_ids=notice_houses,
            starts_at=now - timedelta(minutes=20),
            expected_end_at=now + timedelta(hours=8),
            description="Порыв на тепломагистрали, горячая вода отключена",
        ),
        now=now - timedelta(minutes=5),
    )
    await session.commit()
    town.notice_outage_id = draft.id
    town.outages = len(sizes) + 1
    return made


async def _waiting_signals(
    session: AsyncSession, rnd: random.Random, town: Town, dispatcher: User, now: datetime, n: int
) -> int:
    """Resource reports not (yet) about a known outage: some dismissed, the rest wait in the queue."""
    dismissed: list[int] = []
    for _ in range(n):
        tg = ACCOUNT_BASE + rnd.randrange(town.accounts)
        home = await session.scalar(select(Subscription.building_id).where(Subscription.telegram_id == tg))
        unknown = rnd.random() < 0.1
        resource = rnd.choice(RESOURCES)
        signal = await signals.report_signal(
            session,
            tg,
            None if unknown else home,
            "Садовое товарищество «Ромашка», 14" if unknown else None,
            resource,
            SIGNAL_TEXT[resource],
            now=now - timedelta(minutes=rnd.randint(5, 30 * 24 * 60)),
        )
        if rnd.random() < 0.45:
            dismissed.append(signal.id)
    if dismissed:
        await signals.dismiss_signals(session, dispatcher, dismissed, "Проблема внутри квартиры")
    await session.commit()
    return n


async def _incidents(
    session: AsyncSession,
    rnd: random.Random,
    town: Town,
    dispatcher: User,
    org_ids: list[int],
    members: dict[int, User],
    start: datetime,
    now: datetime,
    count: int,
    incident_signals: int,
) -> None:
    """``count`` incidents over the month; ``incident_signals`` residents' reports of incidents, most
    of them answered by one (linked), a few still waiting."""
    span = (now - start).total_seconds()
    kinds = list(IncidentKind)
    received_all = sorted(start + timedelta(seconds=rnd.random() * span * 0.995) for _ in range(count))
    pending_signals: list[int] = []
    for k in range(incident_signals):
        tg = ACCOUNT_BASE + rnd.randrange(town.accounts)
        at = start + timedelta(seconds=rnd.random() * span * 0.99)
        row = OutageSignal(
            telegram_id=tg,
            building_id=rnd.randint(1, town.buildings),
            resource=journal.INCIDENT_SIGNAL,
            incident_kind=rnd.choice(kinds),
            text="Во дворе упало дерево, не проехать",
            created_at=at,
        )
        session.add(row)
        await session.flush()
        if k % 6:  # one in six still waits for the dispatcher
            pending_signals.append(row.id)
    longest = (0, 0)
    for n, received in enumerate(received_all):
        kind = rnd.choice(kinds)
        place = rnd.random()
        informant = rnd.choice(list(InformantKind))
        org = rnd.choice(org_ids) if rnd.random() < 0.75 else None
        logged = min(received + timedelta(minutes=rnd.randint(2, 15)), now)
        linked = [pending_signals.pop()] if informant == InformantKind.RESIDENT and pending_signals else []
        incident = await journal.log_incident(
            session,
            dispatcher,
            journal.NewIncident(
                kind=kind,
                received_at=received,
                informant_kind=informant,
                description=DESCRIPTIONS[kind],
                informant_name="Иванова Мария Петровна" if informant == InformantKind.RESIDENT else None,
                informant_phone="+7 912 345-67-89" if informant == InformantKind.RESIDENT else None,
                informant_organisation_id=rnd.choice(org_ids)
                if informant == InformantKind.ORGANISATION
                else None,
                building_id=rnd.randint(1, town.buildings) if place < 0.65 else None,
                address_text=rnd.choice(PLACES) if 0.65 <= place < 0.9 else None,
                latitude=55.7 + rnd.random() * 0.1 if place >= 0.9 else None,
                longitude=37.55 + rnd.random() * 0.15 if place >= 0.9 else None,
                cause="Износ сетей" if rnd.random() < 0.5 else "",
                responsible_organisation_id=org,
                expected_end_at=received + timedelta(hours=rnd.choice([2, 4, 8])),
                signal_ids=linked,
            ),
            tz=TZ,
            now=logged,
        )
        at = logged
        actions = rnd.randint(1, 5)
        for a in range(actions):
            at = min(at + timedelta(minutes=rnd.randint(10, 90)), now)
            await journal.add_action(
                session,
                dispatcher,
                incident.id,
                journal.ActionInput(
                    rnd.choice(ACTIONS), occurred_at=at, public=a == 0 and rnd.random() < 0.3
                ),
                now=at,
            )
        if org is not None and rnd.random() < 0.3:
            at = min(at + timedelta(minutes=30), now)
            await updates.post_report(
                session,
                members[org],
                updates.Target("incident", incident.id),
                updates.FieldReport("Работы ведутся, окончание по плану"),
                now=at,
            )
        if actions > longest[0]:
            longest = (actions, incident.id)
        recent = received > now - timedelta(hours=12)
        if not recent and rnd.random() < 0.9:
            closed = min(at + timedelta(hours=rnd.randint(1, 6)), now)
            await journal.close_incident(
                session, dispatcher, incident.id, "Последствия устранены", closed_at=closed, now=closed
            )
        else:
            town.open_incident_id = incident.id
        if n % 20 == 19:
            await session.commit()
    await session.commit()
    town.incidents, town.busiest_incident_id = count, longest[1]


async def seed(
    engine: AsyncEngine,
    factory: async_sessionmaker[AsyncSession],
    *,
    accounts: int = 20_000,
    notice_subscribers: int = 5_000,
    incidents: int = 300,
    signals_total: int = 200,
    seed_value: int = 14,
) -> Town:
    rnd = random.Random(seed_value)
    town = Town()
    now = utcnow()
    start = now - timedelta(days=30)
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    buildings = await _register(engine, rnd, town)
    plain = [int(b["id"]) for b in buildings if not b["is_social"]]  # type: ignore[call-overload]
    social = [int(b["id"]) for b in buildings if b["is_social"]]  # type: ignore[call-overload]
    notice_houses = sorted(rnd.sample(plain, 195) + rnd.sample(social, 5))
    await _residents(engine, rnd, town, accounts, notice_houses, notice_subscribers)
    async with factory() as session:
        dispatcher, org_ids, members = await _people(session, town)
        linked = await _outages(session, rnd, town, dispatcher, org_ids, start, now, notice_houses)
        incident_signals = signals_total // 4
        waiting = await _waiting_signals(
            session, rnd, town, dispatcher, now, max(0, signals_total - linked - incident_signals)
        )
        await _incidents(
            session, rnd, town, dispatcher, org_ids, members, start, now, incidents, incident_signals
        )
        town.signals = linked + waiting + incident_signals
        town.waiting_signals = len(await signals.signal_queue(session))
        town.dispatch_updates = await session.scalar(text("select count(*) from dispatch_updates")) or 0
        # The month's notices went out long ago: only the benchmark's own broadcast is pending.
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENT, sent_at=now)
        )
        town.outbox_history = result.rowcount or 0  # type: ignore[attr-defined]
        await session.commit()
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return town
