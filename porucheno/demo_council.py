"""Demo data for the expert council: a held meeting on «памятники науки и техники» (three
applications: two approved into the registry, one rejected) and a planned one with an application
on its agenda. Everything goes through the council's services, as the secretary would do it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, User
from models.enums import ApplicationStatus, Role, Vote
from services import staff
from services.audit import Actor
from services.council import agenda, meetings, voting

EXPERTS = (
    "Волков Андрей Николаевич",
    "Лебедева Ирина Сергеевна",
    "Морозов Дмитрий Павлович",
    "Никитина Елена Викторовна",
    "Соколов Георгий Ильич",
)
OBJECTS = (  # title, museum, reviewers' scores, votes of the five experts (None: absent)
    (
        "Паровоз серии Ов № 324",
        "Музей истории железной дороги",
        (9, 8),
        (Vote.FOR, Vote.FOR, Vote.FOR, Vote.AGAINST),
    ),
    (
        "Арифмометр «Феликс-М»",
        "Музей вычислительной техники",
        (5, 4),
        (Vote.AGAINST, Vote.FOR, Vote.AGAINST, Vote.ABSTAIN),
    ),
    (
        "Телескоп-рефлектор АЗТ-7",
        "Астрономический музей",
        (8, 7),
        (Vote.FOR, Vote.AGAINST, Vote.FOR, Vote.AGAINST),
    ),
)
UPCOMING = ("Радиоприёмник «Родина-47»", "Музей радио и связи", (8, 9))


async def _next_numbers(session: AsyncSession, year: int, count: int) -> list[str]:
    prefix = f"З-{year}-"
    taken = await session.scalars(select(Application.number).where(Application.number.like(f"{prefix}%")))
    start = max((int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0) + 1
    return [f"{prefix}{n:04d}" for n in range(start, start + count)]


async def _application(
    session: AsyncSession,
    type_id: int,
    number: str,
    title: str,
    museum: str,
    scores: tuple[int, ...],
    reviewers: list[User],
    when: datetime,
) -> Application:
    application = Application(
        number=number,
        type_id=type_id,
        title=title,
        applicant_org=museum,
        channel="web",
        summary=f"Заявка на включение объекта «{title}» в реестр памятников науки и техники.",
        status=ApplicationStatus.REVIEWED,
        created_at=when,
        updated_at=when,
    )
    session.add(application)
    await session.flush()
    for reviewer, score in zip(reviewers, scores, strict=False):
        session.add(
            ApplicationReview(
                application_id=application.id,
                reviewer_id=reviewer.id,
                scores={"total": score},
                total=score,
                comment="Объект сохранился в подлинном виде.",
                submitted_at=when,
            )
        )
    await session.flush()
    return application


async def seed_council(
    session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime, *, type_id: int
) -> None:
    secretary = await staff.create_user(
        session,
        actor,
        full_name="Ершова Татьяна Михайловна",
        position="Учёный секретарь",
        roles=[Role.MANAGER],
    )
    experts = [
        await staff.create_user(session, actor, full_name=name, position="Эксперт") for name in EXPERTS
    ]
    sec = Actor(user_id=secretary.id, label="demo-council")
    numbers = await _next_numbers(session, now.year, len(OBJECTS) + 1)
    reviewers = experts[3:]

    held_at = (now - timedelta(days=21)).astimezone(tz).replace(hour=15, minute=0, second=0, microsecond=0)
    held = await meetings.create_meeting(
        session,
        sec,
        meetings.MeetingInput(
            held_at=held_at,
            place="Конференц-зал музея, 2 этаж",
            chair_id=experts[0].id,
            secretary_id=secretary.id,
            member_ids=tuple(e.id for e in experts),
        ),
        tz=tz,
    )
    for number, (title, museum, scores, _votes) in zip(numbers, OBJECTS, strict=False):
        app = await _application(
            session, type_id, number, title, museum, scores, reviewers, held_at - timedelta(days=30)
        )
        await agenda.add_item(session, sec, held.id, app.id)
    await voting.set_attendance(session, sec, held.id, {e.id for e in experts[:4]})  # one expert was ill
    for item, (_t, _m, _s, votes) in zip(await agenda.items(session, held.id), OBJECTS, strict=True):
        for expert, vote in zip(experts, votes, strict=False):
            await voting.cast_vote(
                session, Actor(user_id=expert.id, label="demo-council"), held.id, item.id, vote
            )
        await voting.decide_item(session, sec, held.id, item.id)
    await voting.close_meeting(session, sec, held.id)

    upcoming_at = (
        (now + timedelta(days=14)).astimezone(tz).replace(hour=11, minute=0, second=0, microsecond=0)
    )
    planned = await meetings.create_meeting(
        session,
        sec,
        meetings.MeetingInput(
            held_at=upcoming_at,
            place="Конференц-зал музея, 2 этаж",
            chair_id=experts[0].id,
            secretary_id=secretary.id,
            member_ids=tuple(e.id for e in experts),
        ),
        tz=tz,
    )
    title, museum, scores = UPCOMING
    app = await _application(
        session, type_id, numbers[-1], title, museum, scores, reviewers, now - timedelta(days=5)
    )
    await agenda.add_item(session, sec, planned.id, app.id)
    await session.flush()
