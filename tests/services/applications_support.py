"""A small setup for the applications tests: a manager, two reviewers, a stranger, a type with
criteria, a form of purpose «application» and answers to it from Telegram or the web."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import ApplicationType, Form, FormSubmission, User
from models.enums import FormPurpose, Role, SubmissionChannel
from services import staff
from services.applications import intake, types
from services.audit import Actor

RESIDENT_TG = 777001


@dataclass
class Setup:
    manager: User
    first: User
    second: User
    stranger: User
    kind: ApplicationType
    form: Form

    async def submit(
        self,
        session: AsyncSession,
        *,
        telegram_id: int | None = RESIDENT_TG,
        email: str | None = None,
        title: str = "Паровоз Эу-684",
        key: str = "1",
    ):  # type: ignore[no-untyped-def]
        submission = FormSubmission(
            form_id=self.form.id,
            channel=SubmissionChannel.TELEGRAM if telegram_id else SubmissionChannel.WEB,
            telegram_id=telegram_id,
            contact_email=email,
            answers={
                "title": title,
                "organisation": "Музей железной дороги",
                "summary": "Паровоз 1912 года.",
            },
            dedup_key=f"test-{key}",
            locale="ru",
        )
        session.add(submission)
        await session.flush()
        return await intake.from_submission(
            session, form=self.form, submission=submission, actor=Actor(telegram_id=telegram_id)
        )


async def make_setup(
    session: AsyncSession, *, tg_base: int = 8800, needs_council: bool = False, to_registry: bool = True
) -> Setup:
    sys = Actor.system("test")
    manager = await staff.create_user(
        session,
        sys,
        full_name="Руководитель Орлова",
        roles=[Role.MANAGER],
        telegram_id=tg_base + 1,
        login="orlova",
        password="pass-Orlova-1",
    )
    first = await staff.create_user(
        session,
        sys,
        full_name="Эксперт Белов",
        telegram_id=tg_base + 2,
        login="belov",
        password="pass-Belov-12",
    )
    second = await staff.create_user(
        session,
        sys,
        full_name="Эксперт Чернова",
        telegram_id=tg_base + 3,
        login="chernova",
        password="pass-Chernova-1",
    )
    stranger = await staff.create_user(
        session,
        sys,
        full_name="Сотрудник Серов",
        telegram_id=tg_base + 4,
        login="serov",
        password="pass-Serov-123",
    )
    kind = await types.create_type(
        session,
        types.TypeInput(
            name_ru="Памятник науки и техники",
            criteria=[("Историческая значимость", 10), ("Техническая значимость", 10), ("Сохранность", 5)],
            needs_council=needs_council,
            to_registry=to_registry,
            reviewer_ids=[first.id, second.id],
        ),
        actor=manager,
    )
    form = Form(
        slug=f"app-{tg_base}",
        title_ru="Заявка на включение в реестр",
        purpose=FormPurpose.APPLICATION,
        application_type_id=kind.id,
    )
    session.add(form)
    await session.flush()
    return Setup(manager, first, second, stranger, kind, form)
