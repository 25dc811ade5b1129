"""The demo town's staff service desk: the IT department (workplace, meeting-room multimedia) and the
facilities department (household matters), their SLA targets, and a handful of requests filed
through the real lifecycle at moments in the past, so the SLA clocks, the compliance page and the
bot show something: one closed and rated, one resolved awaiting confirmation, one in work, one
waiting for the requester, one breached that nobody took, one new.

Escalations reach the sandbox: the deputy head (a persona) leads the IT topics; a specialist of the
improvement department (a persona) files requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceTopic, SlaTarget, User
from models.enums import Role, ServiceUrgency
from services import staff
from services.audit import Actor
from services.notify import NoticeContext
from services.service_desk import requests, resolution

U = ServiceUrgency
# (short name, department name, head, engineers)
SERVICES = [
    ("ИТ", "Отдел информационных технологий", "Зайцев Кирилл Андреевич", ["Орлов Глеб Максимович"]),
    ("АХО", "Административно-хозяйственный отдел", "Фомина Татьяна Петровна", ["Киселёв Иван Ильич"]),
]
# (code, Russian, English, service, lead is the deputy head?, {urgency: (reaction, resolution)} in
# working minutes)
TOPICS = [
    ("workplace", "Рабочее место", "Workplace", "ИТ", True, {U.NORMAL: (120, 960), U.HIGH: (60, 480)}),
    (
        "av",
        "Мультимедиа в залах",
        "Meeting-room multimedia",
        "ИТ",
        True,
        {U.CRITICAL: (30, 240), U.NORMAL: (120, 480)},
    ),
    ("household", "Хозяйственные вопросы", "Household matters", "АХО", False, {U.NORMAL: (240, 1620)}),
]
DEPUTY = "Смирнов Алексей Петрович"  # the demo's manager persona
REQUESTER = "Васильева Анна Дмитриевна"  # an executor persona


async def seed_desk(session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime) -> None:
    people = {u.full_name: u for u in (await session.scalars(select(User))).all()}
    deputy, requester = people[DEPUTY], people[REQUESTER]
    services: dict[str, tuple[int, User, list[User]]] = {}
    for short, name, head_name, engineers in SERVICES:
        dept = await staff.create_department(session, actor, name, short_name=short)
        head = await staff.create_user(
            session, actor, full_name=head_name, position="Начальник отдела", department_id=dept.id
        )
        await staff.set_department_head(session, actor, dept.id, head.id)
        crew = [
            await staff.create_user(
                session,
                actor,
                full_name=n,
                position="Специалист",
                roles=[Role.EXECUTOR],
                department_id=dept.id,
            )
            for n in engineers
        ]
        services[short] = (dept.id, head, crew)
    topics: dict[str, ServiceTopic] = {}
    for position, (code, name_ru, name_en, short, deputy_leads, targets) in enumerate(TOPICS):
        dept_id, head, _crew = services[short]
        topic = ServiceTopic(
            code=code,
            name_ru=name_ru,
            name_en=name_en,
            department_id=dept_id,
            lead_id=deputy.id if deputy_leads else head.id,
            position=position,
        )
        session.add(topic)
        await session.flush()
        for urgency, (reaction, solved_in) in targets.items():
            session.add(
                SlaTarget(
                    topic_id=topic.id,
                    urgency=urgency,
                    reaction_minutes=reaction,
                    resolution_minutes=solved_in,
                )
            )
        topics[code] = topic
    await session.flush()
    await _seed_requests(session, NoticeContext(tz=tz), topics, services, requester, now)


async def _seed_requests(
    session: AsyncSession,
    ctx: NoticeContext,
    topics: dict[str, ServiceTopic],
    services: dict[str, tuple[int, User, list[User]]],
    requester: User,
    now: datetime,
) -> None:
    it, aho = services["ИТ"][2][0], services["АХО"][2][0]
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731

    async def file(code: str, subject: str, text: str, urgency: str, when: datetime) -> int:
        data = requests.NewRequest(topic_id=topics[code].id, subject=subject, text=text, urgency=urgency)
        return (await requests.file_request(session, requester, data, ctx=ctx, now=when)).id

    # Closed and rated: taken within the hour, fixed the same day.
    done = await file(
        "workplace", "Не печатает принтер", "HP в кабинете 214 пишет «замятие».", U.NORMAL, ago(days=9)
    )
    await requests.take(session, it, done, ctx=ctx, now=ago(days=9) + timedelta(minutes=20))
    await resolution.resolve(session, it, done, "Извлёк замятый лист, почистил ролик.", ctx=ctx,
                           now=ago(days=9) + timedelta(hours=2))  # fmt: skip
    await resolution.confirm(session, requester, done, ctx=ctx, rating=5, rating_comment="Спасибо!",
                           now=ago(days=8))  # fmt: skip
    # Resolved, awaiting the requester's confirmation.
    fixed = await file("workplace", "Установить 7-Zip", "Нужен архиватор для писем казначейства.",
                       U.NORMAL, ago(days=1, hours=3))  # fmt: skip
    await requests.take(session, it, fixed, ctx=ctx, now=ago(days=1, hours=2))
    await resolution.resolve(session, it, fixed, "Установлено.", ctx=ctx, now=ago(days=1))
    # Breached: a critical one nobody took.
    await file("av", "Не работает проектор в большом зале", "Совещание у главы в 15:00.", U.CRITICAL,
               ago(days=4))  # fmt: skip
    # Waiting for the requester: the clocks are paused.
    waiting = await file("workplace", "Нет доступа к общей папке", "Папка «Благоустройство» на сервере.",
                         U.HIGH, ago(hours=3))  # fmt: skip
    await requests.take(session, it, waiting, ctx=ctx, now=ago(hours=2, minutes=50))
    await resolution.wait_for_requester(session, it, waiting, "Какой у вас логин в домене?", ctx=ctx,
                                      now=ago(hours=2, minutes=40))  # fmt: skip
    # In work, within its targets.
    chairs = await file(
        "household", "Сломался стул", "Кабинет 108, отломилась ножка.", U.NORMAL, ago(hours=2)
    )
    await requests.take(session, aho, chairs, ctx=ctx, now=ago(hours=1))
    # New.
    await file(
        "household", "Заменить лампу в коридоре", "Второй этаж, у лестницы.", U.NORMAL, ago(minutes=30)
    )
