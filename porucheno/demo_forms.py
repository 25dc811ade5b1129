"""Demo forms of a museum (issue #16): «Университет детей», news by subscription, the volunteer
questionnaire, and — when the demo has them — an event registration and an application form.

Made through ``services.forms`` like a clerk would in the panel; one answer to «Университет детей»
from the website shows how answers land on a CRM card. Not wired into ``demo_seed`` here.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models import Form
from models.enums import FormPurpose, SubmissionChannel
from services.audit import Actor
from services.forms import definitions as d
from services.forms.intake import SubmissionInput, submit
from services.privacy import consent

AGE_GROUPS = [
    {"value": "7-9", "ru": "7–9 лет", "en": "7–9 years"},
    {"value": "10-12", "ru": "10–12 лет", "en": "10–12 years"},
    {"value": "13-15", "ru": "13–15 лет", "en": "13–15 years"},
]
# The volunteer questionnaire: skills are a multichoice (a list of codes is stored), availability a
# single choice (one code, a word of services.volunteers.vocabulary).
SKILLS = [
    {"value": "guide", "ru": "Экскурсии", "en": "Guided tours"},
    {"value": "kids", "ru": "Работа с детьми", "en": "Working with children"},
    {"value": "photo", "ru": "Фото и видео", "en": "Photo and video"},
    {"value": "events", "ru": "Помощь на мероприятиях", "en": "Help at events"},
    {"value": "languages", "ru": "Иностранные языки", "en": "Foreign languages"},
    {"value": "cloakroom", "ru": "Гардероб", "en": "Cloakroom"},
    {"value": "workshops", "ru": "Мастер-классы", "en": "Workshops"},
    {"value": "social", "ru": "Соцсети", "en": "Social media"},
    {"value": "reception", "ru": "Регистрация гостей", "en": "Guest registration"},
    {"value": "sound", "ru": "Звук и свет", "en": "Sound and light"},
]
AVAILABILITY = [
    {"value": "weekdays", "ru": "Будни", "en": "Weekdays"},
    {"value": "weekends", "ru": "Выходные", "en": "Weekends"},
    {"value": "evenings", "ru": "По вечерам", "en": "Evenings"},
    {"value": "any", "ru": "Когда угодно", "en": "Any time"},
]


def volunteer_form(slug: str = "volonter") -> d.FormDraft:
    """The volunteer questionnaire itself (its fields: :func:`volunteer_fields`)."""
    return d.FormDraft(
        slug=slug,
        title_ru="Анкета волонтёра",
        title_en="Volunteer questionnaire",
        purpose=FormPurpose.VOLUNTEER,
        tags="волонтёр",
        thanks_ru="Спасибо! Координатор волонтёров свяжется с вами.",
        thanks_en="Thank you! The volunteer coordinator will contact you.",
    )


def volunteer_fields() -> list[d.FieldDraft]:
    """The volunteer questionnaire's fields (the demo volunteers answer them, see demo_volunteers)."""
    return [
        *_contact_fields(),
        d.FieldDraft(
            "skills",
            "multichoice",
            "Чем вы можете помочь?",
            "How can you help?",
            required=True,
            options=SKILLS,
        ),
        d.FieldDraft(
            "availability",
            "choice",
            "Когда вам удобно?",
            "When are you available?",
            required=True,
            options=AVAILABILITY,
        ),
        d.FieldDraft("about", "textarea", "Расскажите о себе", "About you", rules={"max_length": 2000}),
    ]


def _contact_fields() -> list[d.FieldDraft]:
    return [
        d.FieldDraft(
            "name", "text", "Ваше имя", "Your name", required=True, maps_to="name", rules={"max_length": 120}
        ),
        d.FieldDraft("phone", "phone", "Телефон", "Phone", maps_to="phone"),
        d.FieldDraft("email", "email", "Электронная почта", "E-mail", maps_to="email"),
    ]


async def _form(session: AsyncSession, actor: Actor, draft: d.FormDraft, fields: list[d.FieldDraft]) -> Form:
    form = await d.create_form(session, draft, actor=actor)
    for field in fields:
        await d.add_field(session, form.id, field, actor=actor)
    return form


async def seed_forms(
    session: AsyncSession,
    actor: Actor,
    tz: ZoneInfo,
    now: datetime,
    *,
    event_id: int | None = None,
    application_type_id: int | None = None,
) -> list[Form]:
    made = []
    kids = await _form(
        session,
        actor,
        d.FormDraft(
            slug="universitet-detey",
            title_ru="Университет детей: заявка на программу",
            title_en="Children's University: application",
            description_ru="Занятия для детей 7–15 лет по субботам: история, искусство, естественные науки.",
            description_en="Saturday classes for children aged 7–15: history, art, natural sciences.",
            tags="дети, университет детей",
            programme="Университет детей",
            thanks_ru="Спасибо! Мы позвоним, чтобы подтвердить запись в группу.",
            thanks_en="Thank you! We will call to confirm the group.",
        ),
        [
            d.FieldDraft("child", "text", "Имя и фамилия ребёнка", "Child's name", required=True),
            d.FieldDraft(
                "age_group", "choice", "Возраст ребёнка", "Child's age", required=True, options=AGE_GROUPS
            ),
            d.FieldDraft("birthday", "date", "Дата рождения ребёнка", "Child's date of birth"),
            *_contact_fields(),
            d.FieldDraft(
                "wishes",
                "textarea",
                "Что ребёнку интереснее всего?",
                "What interests the child most?",
                rules={"max_length": 1000},
            ),
        ],
    )
    made.append(kids)
    made.append(
        await _form(
            session,
            actor,
            d.FormDraft(
                slug="novosti",
                title_ru="Новости музея",
                title_en="Museum news",
                description_ru="Выставки, лекции и мероприятия — раз в неделю.",
                description_en="Exhibitions, lectures and events, once a week.",
                purpose=FormPurpose.SUBSCRIPTION,
                tags="новости",
                # What was sent (the bot's message or the e-mailed link) is the page's own note.
                thanks_ru="Спасибо за интерес к музею!",
                thanks_en="Thank you for your interest in the museum!",
            ),
            [
                d.FieldDraft("name", "text", "Как к вам обращаться", "Your name", maps_to="name"),
                # Required: a web visitor's confirmation link goes to this address (README, «Forms»).
                d.FieldDraft("email", "email", "Электронная почта", "E-mail", required=True, maps_to="email"),
                d.FieldDraft(
                    "mailing",
                    "consent",
                    "Я согласен получать новости музея",
                    "I agree to receive the museum's news",
                    required=True,
                    rules={"mailing": True},
                ),
            ],
        )
    )
    made.append(
        await _form(
            session,
            actor,
            volunteer_form(),
            volunteer_fields(),
        )
    )
    if event_id is not None:
        made.append(
            await _form(
                session,
                actor,
                d.FormDraft(
                    slug="zapis-na-lekciyu",
                    title_ru="Запись на лекцию",
                    title_en="Lecture registration",
                    purpose=FormPurpose.EVENT,
                    event_id=event_id,
                    tags="лекции",
                ),
                _contact_fields(),
            )
        )
    if application_type_id is not None:
        made.append(
            await _form(
                session,
                actor,
                d.FormDraft(
                    slug="zayavka-na-proekt",
                    title_ru="Заявка на совместный проект",
                    title_en="Joint project application",
                    purpose=FormPurpose.APPLICATION,
                    application_type_id=application_type_id,
                    tags="партнёры",
                ),
                [
                    d.FieldDraft("title", "text", "Название проекта", "Project title", required=True),
                    d.FieldDraft("organisation", "text", "Организация", "Organisation", required=True),
                    *_contact_fields(),
                    d.FieldDraft(
                        "plan",
                        "file",
                        "Описание проекта (PDF или DOCX)",
                        "Project description",
                        rules={"max_files": 3},
                    ),
                ],
            )
        )
    # One answer from the website: a new card with the form's tags.
    version = (await consent.current(session)).version
    await submit(
        session,
        SubmissionInput(
            form_id=kids.id,
            channel=SubmissionChannel.WEB,
            answers={
                "child": "Соня Белова",
                "age_group": "10-12",
                "name": "Ирина Белова",
                "phone": "+7 912 345-67-89",
                "wishes": "Любит рисовать и слушать про Древний Египет.",
            },
            consent_version=version,
            dedup_key="demo:forms:1",
            locale="ru",
        ),
    )
    return made
