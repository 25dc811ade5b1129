"""The demo town: departments, staff with roles and Telegram personas, categories, a few buildings.

Used by ``porucheno demo`` / ``seed-demo``; safe to run again (it seeds an empty database only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AnswerTemplate, Building, Category, Department, OrgCard, TelegramAccount, User, utcnow
from models.enums import AppealChannel, CategoryAudience, Role
from porucheno.demo_desk import seed_desk
from porucheno.demo_dispatch import DEMO_PARTNER_ID, PARTNER_PERSON, seed_dispatch
from porucheno.demo_history import seed_history
from porucheno.demo_museum import seed_museum
from services import staff
from services.appeals import classifier
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.appeals.workflow import AppealAssignment, create_assignment_from_appeal
from services.audit import Actor
from services.messengers import max_address
from services.notify import N_
from services.privacy import consent

DEMO_ADMIN_LOGIN = "admin"
DEMO_ADMIN_PASSWORD = "porucheno-demo"  # demo only; `porucheno create-admin` for real deployments
DEMO_RESIDENT_ID = 7000001
DEMO_DISPATCHER = "Морозов Денис Олегович"
DEMO_TZ = ZoneInfo("Europe/Moscow")


# Labels under the personas in the sandbox chat, translated into the demo's language.
PERSONA_LABELS = {
    "resident": N_("resident"),
    Role.MANAGER.value: N_("manager"),
    Role.CONTROLLER.value: N_("controller"),
    Role.EXECUTOR.value: N_("executor"),
    Role.DISPATCHER.value: N_("dispatcher"),
    Role.CLERK.value: N_("clerk"),
    "partner": N_("management company"),
}


@dataclass(frozen=True)
class DemoPersona:
    telegram_id: int
    name: str
    role: str  # a Role value or "resident"
    username: str


@dataclass(frozen=True)
class DemoMaxPersona:
    max_id: int  # the id MAX knows the person by (the product keeps its chat address)
    name: str
    role: str
    username: str
    staff_name: str | None = None  # bound to this staff member (STAFF's full name)
    preferred: bool = False  # notices go to MAX rather than Telegram


# People of the demo town in MAX: an executor in both messengers who prefers MAX, one who uses only
# MAX, and a resident.
MAX_PERSONAS = [
    DemoMaxPersona(
        9100104, "Васильева Анна", Role.EXECUTOR.value, "vasilyeva_ad", "Васильева Анна Дмитриевна", True
    ),
    DemoMaxPersona(9100107, "Новиков Павел", Role.EXECUTOR.value, "novikov_pa", "Новиков Павел Андреевич"),
    DemoMaxPersona(9100001, "Жительница Мария", "resident", "resident_maria"),
]


def demo_max_personas() -> list[DemoMaxPersona]:
    return list(MAX_PERSONAS)


async def _bind_max_personas(session: AsyncSession, staff_by_name: dict[str, User]) -> None:
    for persona in MAX_PERSONAS:
        user = staff_by_name.get(persona.staff_name or "")
        if user is None:
            continue
        address = max_address(persona.max_id)
        session.add(
            TelegramAccount(
                id=address,
                chat_id=address,
                messenger="max",
                first_name=persona.name.split()[-1],
                last_name=persona.name.split()[0],
                username=persona.username,
                user_id=user.id,
            )
        )
        if user.telegram_id is None:
            user.telegram_id = address
        if persona.preferred:
            user.preferred_messenger = "max"
    await session.flush()


DEPARTMENTS = [
    ("Общий отдел", "ОО"),
    ("Управление ЖКХ", "ЖКХ"),
    ("Отдел благоустройства", "ОБ"),
    ("Единая дежурно-диспетчерская служба", "ЕДДС"),
    ("Отдел архитектуры и градостроительства", "ОАГ"),
]

# (full name, position, department short name, roles, telegram id or None, username)
STAFF = [
    (
        "Смирнов Алексей Петрович",
        "Заместитель главы",
        "ОО",
        [Role.MANAGER, Role.CONTROLLER],
        7000101,
        "smirnov_ap",
    ),
    (
        "Кузнецова Ольга Викторовна",
        "Начальник управления",
        "ЖКХ",
        [Role.CONTROLLER],
        7000102,
        "kuznetsova_ov",
    ),
    ("Попов Игорь Сергеевич", "Инженер", "ЖКХ", [Role.EXECUTOR], 7000103, "popov_is"),
    ("Васильева Анна Дмитриевна", "Специалист", "ОБ", [Role.EXECUTOR], 7000104, "vasilyeva_ad"),
    ("Морозов Денис Олегович", "Оперативный дежурный", "ЕДДС", [Role.DISPATCHER], 7000105, "morozov_do"),
    ("Лебедева Мария Ивановна", "Делопроизводитель", "ОО", [Role.CLERK], None, None),
    ("Новиков Павел Андреевич", "Главный специалист", "ОАГ", [Role.EXECUTOR], None, None),
]

# (code, Russian name, English name, answer days, default department, who may choose it)
CATEGORIES = [
    ("housing", "ЖКХ и управляющие компании", "Housing and utilities", 30, "ЖКХ", CategoryAudience.BOTH),
    ("roads", "Дороги и тротуары", "Roads and pavements", 30, "ОБ", CategoryAudience.BOTH),
    ("improvement", "Благоустройство и озеленение", "Landscaping", 30, "ОБ", CategoryAudience.BOTH),
    ("transport", "Общественный транспорт", "Public transport", 30, None, CategoryAudience.BOTH),
    (
        "it_support",
        "ИТ-поддержка (заявки сотрудников)",
        "IT support (staff requests)",
        3,
        "ОО",
        CategoryAudience.STAFF,
    ),
    ("other", "Другое", "Other", 30, None, CategoryAudience.BOTH),
]
# The demo topics' default classifier questions (from porucheno/data/classifier_demo.csv, which is
# illustrative in shape: production loads the official classifier file from ССТУ.РФ).
CATEGORY_CODES = {
    "housing": "0005.0005.0055.1103",
    "roads": "0003.0009.0096.0511",
    "improvement": "0003.0011.0120.0602",
    "transport": "0003.0009.0095.0501",
}
DEMO_CLASSIFIER = Path(__file__).parent / "data" / "classifier_demo.csv"
# (topic code or None for every topic, title, text with placeholders) — see services.appeals.answer_templates
ANSWER_TEMPLATES = [
    (
        None,
        "Общий ответ: меры приняты",
        "Уважаемый(-ая) {applicant}!\n\n"
        "Ваше обращение № {number} от {date} рассмотрено. Сообщаем, что по изложенным в нём вопросам "
        "приняты следующие меры: …\n\n"
        "Благодарим за неравнодушное отношение к жизни города.",
    ),
    (
        "roads",
        "Дороги: ремонт покрытия запланирован",
        "Уважаемый(-ая) {applicant}!\n\n"
        "Ваше обращение № {number} от {date} о состоянии дорожного покрытия по адресу {address} "
        "рассмотрено. Ремонт включён в план работ отдела благоустройства; срок выполнения — …\n\n"
        "О выполнении работ вы можете узнать по телефону администрации.",
    ),
    (
        "housing",
        "ЖКХ: запрос направлен в управляющую компанию",
        "Уважаемый(-ая) {applicant}!\n\n"
        "По вашему обращению № {number} от {date} ({address}) управлением ЖКХ проведено обследование. "
        "Управляющей компании выдано предписание устранить нарушения до …\n\n"
        "Контроль исполнения возложен на управление ЖКХ.",
    ),
]
ORG_NAME = "Администрация города Энска"
ORG_SHORT_NAME = "Администрация г. Энска"

# (street, key, house, number, social, social type, name, latitude, longitude): a compact town
# centre, houses 60-150 m apart, so a location shared near one of them finds it (nearest.py).
BUILDINGS = [
    ("ул. Ленина", "ленина", "5", 5, False, None, None, 56.39710, 38.71520),
    ("ул. Ленина", "ленина", "7", 7, False, None, None, 56.39770, 38.71610),
    ("ул. Ленина", "ленина", "9к1", 9, False, None, None, 56.39830, 38.71700),
    ("ул. Ленина", "ленина", "12", 12, True, "school", "Школа № 3", 56.39800, 38.71480),
    ("пр-т Мира", "мира", "10а", 10, False, None, None, 56.39590, 38.71900),
    ("пр-т Мира", "мира", "14", 14, True, "kindergarten", "Детский сад «Солнышко»", 56.39560, 38.72030),
    ("ул. Советская", "советская", "1", 1, True, "hospital", "Районная больница", 56.39930, 38.71250),
    ("ул. Советская", "советская", "3", 3, False, None, None, 56.39960, 38.71340),
]


def demo_personas() -> list[DemoPersona]:
    personas = [DemoPersona(DEMO_RESIDENT_ID, "Житель Иван", "resident", "resident_ivan")]
    for full_name, _pos, _dept, roles, tg_id, username in STAFF:
        if tg_id is not None and username is not None:
            short = " ".join(full_name.split()[:2])
            personas.append(DemoPersona(tg_id, short, roles[0].value, username))
    full_name, _position, username = PARTNER_PERSON
    personas.append(DemoPersona(DEMO_PARTNER_ID, " ".join(full_name.split()[:2]), "partner", username))
    return personas


async def seed_demo(session: AsyncSession, tz: ZoneInfo = DEMO_TZ) -> bool:
    """Seed an empty database. Returns False (and changes nothing) if it already has departments."""
    if await session.scalar(select(func.count()).select_from(Department)):
        return False
    actor = Actor.system("demo-seed")
    depts: dict[str, Department] = {}
    for name, short in DEPARTMENTS:
        depts[short] = await staff.create_department(session, actor, name, short_name=short)
    admin = await staff.create_user(
        session,
        actor,
        full_name="Администратор системы",
        roles=[Role.ADMIN],
        login=DEMO_ADMIN_LOGIN,
        password=DEMO_ADMIN_PASSWORD,
        department_id=depts["ОО"].id,
    )
    heads: dict[str, User] = {}
    staff_by_name: dict[str, User] = {}
    for full_name, position, dept, roles, tg_id, _username in STAFF:
        user = await staff.create_user(
            session,
            actor,
            full_name=full_name,
            position=position,
            roles=roles,
            department_id=depts[dept].id,
            telegram_id=tg_id,
        )
        heads.setdefault(dept, user)
        staff_by_name[full_name] = user
    await _bind_max_personas(session, staff_by_name)
    for short, head in heads.items():
        await staff.set_department_head(session, actor, depts[short].id, head.id)
    for code, name_ru, name_en, days, dept_short, audience in CATEGORIES:
        session.add(
            Category(
                code=code,
                name_ru=name_ru,
                name_en=name_en,
                answer_days=days,
                department_id=depts[dept_short].id if dept_short else None,
                audience=audience.value,
                classifier_code=CATEGORY_CODES.get(code),
            )
        )
    session.add(
        OrgCard(
            id=1,
            name=ORG_NAME,
            short_name=ORG_SHORT_NAME,
            working_hours="Пн–Пт 9:00–18:00",
            # The answer letters' signer unless the clerk signs themselves.
            head_position="Глава города",
            head_name="С. В. Иванов",
        )
    )
    # The consent text (152-FZ), version 1: the built-in one, for administrators to edit in the panel.
    await consent.current(session)
    for street, street_key, house, number, social, social_type, name, lat, lon in BUILDINGS:
        session.add(
            Building(
                street=street,
                street_key=street_key,
                house=house,
                house_key=house.lower(),
                house_number=number,
                is_social=social,
                social_type=social_type,
                name=name,
                kind="social" if social else "residential",
                latitude=lat,
                longitude=lon,
            )
        )
    await session.flush()
    loaded = await classifier.load_trusted(
        session, DEMO_CLASSIFIER.read_bytes(), filename=DEMO_CLASSIFIER.name, actor=actor
    )
    if not loaded.loaded:  # the shipped file is checked by the tests; never seed half a demo
        raise RuntimeError(f"{DEMO_CLASSIFIER.name}: {loaded.errors[:3]}")
    await _seed_answer_templates(session)
    await _seed_appeals(session, actor, {u.full_name: u for u in heads.values()})
    await seed_history(session, actor, heads["ОО"])
    people = {u.full_name: u for u in (await session.scalars(select(User))).all()}
    await seed_dispatch(session, actor, admin, people[DEMO_DISPATCHER], tz, utcnow())
    await seed_desk(session, actor, tz, utcnow())
    await seed_museum(session, actor, tz, utcnow())
    return True


# (days ago, channel, contact, category, text, address), oldest first: numbers follow registration
APPEALS = [
    (
        35,
        AppealChannel.PAPER,
        ContactInput(name="ООО «Уют»", kind="organisation", organisation_inn="5001012345"),
        "improvement",
        "Просим опилить аварийные тополя у дома ул. Советская, 3.",
        "ул. Советская, 3",
    ),
    (
        10,
        AppealChannel.EMAIL,
        ContactInput(name="Петрова Анна Сергеевна", email="petrova.as@example.ru", phone="+7 916 555-12-34"),
        "housing",
        "Третью неделю протекает крыша над квартирой 12, управляющая компания не отвечает.",
        "пр-т Мира, 10а",
    ),
    (
        3,
        AppealChannel.TELEGRAM,
        ContactInput(name="Житель Иван", telegram_id=DEMO_RESIDENT_ID),
        "roads",
        "Во дворе дома ул. Ленина, 7 большая яма на проезде, машины объезжают по газону.",
        "ул. Ленина, 7",
    ),
]


async def _seed_appeals(session: AsyncSession, actor: Actor, heads: dict[str, User]) -> None:
    """A few appeals through the real intake: one overdue, one in work, one new."""
    now = utcnow()
    appeals = []
    for days_ago, channel, contact, category, text, address in APPEALS:
        data = AppealInput(
            channel=channel, text=text, contact=contact, category_code=category, address=address
        )
        # No files are seeded, so the files directory is never touched.
        result = await register_appeal(
            session, data, actor=actor, files_dir=Path("var/files"), now=now - timedelta(days=days_ago)
        )
        appeals.append(result.appeal)
    controller = heads["Кузнецова Ольга Викторовна"]
    executor = await session.scalar(select(User).where(User.full_name == "Попов Игорь Сергеевич"))
    await create_assignment_from_appeal(
        session,
        appeals[1].id,
        AppealAssignment(
            title="Обследовать кровлю пр-т Мира, 10а",
            deadline=now + timedelta(days=5),
            executor_id=executor.id if executor is not None else None,
        ),
        actor=controller,
    )


async def _seed_answer_templates(session: AsyncSession) -> None:
    topics = dict((await session.execute(select(Category.code, Category.id))).all())
    for code, title, body in ANSWER_TEMPLATES:
        session.add(AnswerTemplate(category_id=topics[code] if code else None, title=title, body=body))
    await session.flush()
