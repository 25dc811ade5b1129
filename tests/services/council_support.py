"""Building a council's world for tests: staff, a type, reviewed applications with reviews."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, ApplicationType, User
from models.enums import ApplicationStatus, Role
from services import staff
from services.audit import Actor

SYSTEM = Actor.system("test")
HELD_AT = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # 15:00 in Moscow

MEMBER_NAMES = (
    "Орлова Анна Петровна",
    "Белов Игорь Сергеевич",
    "Зайцева Мария Олеговна",
    "Кузнецов Павел Андреевич",
    "Смирнов Олег Викторович",
)


async def make_people(session: AsyncSession) -> dict[str, User]:
    people = {
        "secretary": await staff.create_user(
            session,
            SYSTEM,
            full_name="Секретарёва Ольга Ивановна",
            roles=[Role.MANAGER],
            login="secretary",
            password="secret-pass-1",
        ),
        "outsider": await staff.create_user(session, SYSTEM, full_name="Посторонний Пётр"),
    }
    for n, name in enumerate(MEMBER_NAMES, start=1):
        people[f"m{n}"] = await staff.create_user(
            session, SYSTEM, full_name=name, login=f"member{n}", password="secret-pass-1"
        )
    await session.commit()
    return people


async def make_type(session: AsyncSession) -> ApplicationType:
    kind = ApplicationType(
        code="monument",
        name_ru="Памятник науки и техники",
        name_en="Monument of science",
        score_max=10,
        needs_council=True,
        to_registry=True,
    )
    session.add(kind)
    await session.flush()
    return kind


async def reviewed_application(
    session: AsyncSession,
    kind: ApplicationType,
    n: int,
    title: str,
    org: str,
    scores: list[int],
    reviewers: list[User],
) -> Application:
    application = Application(
        number=f"З-2026-{n:04d}",
        type_id=kind.id,
        title=title,
        applicant_org=org,
        summary=f"Описание: {title}",
        channel="web",
        status=ApplicationStatus.REVIEWED,
    )
    session.add(application)
    await session.flush()
    for reviewer, score in zip(reviewers, scores, strict=True):
        session.add(
            ApplicationReview(
                application_id=application.id,
                reviewer_id=reviewer.id,
                scores={"total": score},
                total=score,
                submitted_at=HELD_AT,
            )
        )
    await session.flush()
    return application


def actor(user: User) -> Actor:
    return Actor(user_id=user.id, label=user.full_name)
