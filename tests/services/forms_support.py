"""A «Университет детей» form of every field kind, made through the services, for the forms tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Form
from services.audit import Actor
from services.forms import definitions as d

ACTOR = Actor.system("test")
OPTIONS = [
    {"value": "art", "ru": "Рисование", "en": "Drawing"},
    {"value": "hist", "ru": "История", "en": "History"},
]


async def make_form(session: AsyncSession, slug: str = "kids", *, tags: str = "дети, университет") -> Form:
    form = await d.create_form(
        session,
        d.FormDraft(
            slug=slug,
            title_ru="Университет детей",
            title_en="Children's University",
            tags=tags,
            thanks_ru="Спасибо! Мы позвоним.",
            programme="Университет детей",
        ),
        actor=ACTOR,
    )
    fields = [
        d.FieldDraft(
            "name",
            "text",
            "Имя ребёнка",
            "Child's name",
            required=True,
            maps_to="name",
            rules={"max_length": 100},
        ),
        d.FieldDraft("course", "choice", "Курс", "Course", required=True, options=OPTIONS),
        d.FieldDraft(
            "days",
            "multichoice",
            "Дни",
            "Days",
            options=[
                {"value": "sat", "ru": "Суббота", "en": "Saturday"},
                {"value": "sun", "ru": "Воскресенье", "en": "Sunday"},
            ],
        ),
        d.FieldDraft("birthday", "date", "Дата рождения", "Birthday"),
        d.FieldDraft("age", "number", "Возраст", "Age", rules={"min": 5, "max": 14}),
        d.FieldDraft("phone", "phone", "Телефон", "Phone", maps_to="phone"),
        d.FieldDraft("email", "email", "Эл. почта", "E-mail", maps_to="email"),
        d.FieldDraft("note", "textarea", "Пожелания", "Wishes", rules={"max_length": 300}),
        d.FieldDraft("agree", "consent", "Согласен с правилами", "I accept the rules", required=True),
    ]
    for draft in fields:
        await d.add_field(session, form.id, draft, actor=ACTOR)
    return form
