"""The demo's applications: the type «Памятник науки и техники» (three criteria, decided by the expert
council, approved objects enter the registry) reviewed by two of the demo's staff, and three museums'
applications at different stages — one waiting for its second review, two reviewed (ready for the
council's agenda: the planned meeting of ``demo_council`` offers them) — entered as paper applications
through the real services, so the panel's list, pages and the reviewers' bot cards show something.
None is put «on the council» here: an application is ON_COUNCIL only while it is on a meeting's
agenda, and the council's demo puts its own application on the planned meeting."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from models.enums import Role
from services.applications import intake, reviews, types
from services.audit import Actor
from services.notify import NoticeContext

MANAGER = "Смирнов Алексей Петрович"  # the demo's manager persona
REVIEWERS = ("Васильева Анна Дмитриевна", "Попов Игорь Сергеевич")  # executor personas with chats
CRITERIA = [("Историческая значимость", 10), ("Техническая значимость", 10), ("Сохранность", 5)]
# (object, museum, description, reviews given: [(scores, comment, recommendation)])
APPLICATIONS = [
    (
        "Паровоз серии Эу № 684-37",
        "Музей истории железной дороги",
        "Паровоз 1912 года постройки Коломенского завода, на ходу до 1974 года; сохранены котёл и будка.",
        [({"c1": 9, "c2": 8, "c3": 4}, "Редкий сохранившийся экземпляр серии.", "approved")],
    ),
    (
        "Токарно-винторезный станок ДИП-200",
        "Краеведческий музей",
        "Станок 1936 года из цеха местного механического завода, один из первых серийных.",
        [
            ({"c1": 7, "c2": 9, "c3": 3}, "Значим для истории отрасли; нужна реставрация.", "approved"),
            ({"c1": 6, "c2": 8, "c3": 3}, "", "approved"),
        ],
    ),
    (
        "Радиоприёмник «Рекорд» 1944 года",
        "Музей связи",
        "Ламповый приёмник военного выпуска в рабочем состоянии, с заводской документацией.",
        [
            ({"c1": 8, "c2": 7, "c3": 5}, "Полная комплектность.", "approved"),
            ({"c1": 7, "c2": 6, "c3": 5}, "Рекомендую включить в реестр.", "approved"),
        ],
    ),
]


def _pick(people: dict[str, User], name: str, fallback_role: Role, taken: set[int]) -> User:
    user = people.get(name)
    if user is None:  # the staff list changed: any active one of the role not yet used
        user = next(u for u in people.values() if u.has_role(fallback_role) and u.id not in taken)
    taken.add(user.id)
    return user


async def seed_application_type(session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime) -> int:
    """The «памятник науки и техники» type with its reviewers; returns its id. The council's demo
    (older applications, numbered first) and :func:`seed_applications` (this week's) use it."""
    del tz, now
    people = {u.full_name: u for u in await session.scalars(select(User).where(User.is_active.is_(True)))}
    taken: set[int] = set()
    manager = _pick(people, MANAGER, Role.MANAGER, taken)
    reviewers = [_pick(people, name, Role.EXECUTOR, taken) for name in REVIEWERS]
    kind = await types.create_type(
        session,
        types.TypeInput(
            name_ru="Памятник науки и техники",
            name_en="Monument of science and technology",
            criteria=CRITERIA,
            needs_council=True,
            to_registry=True,
            reviewer_ids=[r.id for r in reviewers],
        ),
        actor=manager,
    )
    del actor  # recorded as its real author, the manager
    return kind.id


async def seed_applications(
    session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime, *, type_id: int
) -> None:
    """This week's three applications of the type, reviewed (their moments are «now»: the stages
    come from the real services, each recorded as its real author)."""
    del actor, now
    people = {u.full_name: u for u in await session.scalars(select(User).where(User.is_active.is_(True)))}
    taken: set[int] = set()
    manager = _pick(people, MANAGER, Role.MANAGER, taken)
    reviewers = [_pick(people, name, Role.EXECUTOR, taken) for name in REVIEWERS]
    ctx = NoticeContext(tz=tz)
    for title, museum, summary, given in APPLICATIONS:
        application = await intake.enter_in_panel(
            session, intake.PanelEntry(type_id, title, museum, summary), actor=manager, ctx=ctx
        )
        for reviewer, (scores, comment, recommendation) in zip(reviewers, given, strict=False):
            await reviews.submit_review(
                session,
                application.id,
                reviews.ReviewInput(scores, comment, recommendation),
                reviewer=reviewer,
                ctx=ctx,
            )
    await session.flush()
