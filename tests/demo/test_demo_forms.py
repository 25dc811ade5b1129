"""The demo's forms speak English too: every form has an English title, thank-you and description
where it has a Russian one, and the news form asks for the e-mail its confirmation link goes to."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import Form, FormField, User, utcnow
from models.enums import Role
from porucheno.demo_applications import seed_application_type, seed_applications
from porucheno.demo_forms import seed_forms
from services import staff
from services.audit import Actor


async def test_every_demo_form_has_english_texts_and_the_news_form_requires_the_email(session) -> None:  # type: ignore[no-untyped-def]
    sys = Actor.system("demo")
    await staff.create_user(session, sys, full_name="Смирнов Алексей Петрович", roles=[Role.MANAGER])
    for name in ("Васильева Анна Дмитриевна", "Попов Игорь Сергеевич"):
        await staff.create_user(session, sys, full_name=name, roles=[Role.EXECUTOR])
    type_id = await seed_application_type(session, sys, ZoneInfo("Europe/Moscow"), utcnow())
    await seed_applications(session, sys, ZoneInfo("Europe/Moscow"), utcnow(), type_id=type_id)
    await seed_forms(session, sys, ZoneInfo("Europe/Moscow"), utcnow(), application_type_id=type_id)
    forms = list(await session.scalars(select(Form)))
    assert {f.slug for f in forms} >= {"novosti", "zayavka-na-proekt"}
    for form in forms:
        assert form.title_en, form.slug
        assert bool(form.thanks_en) == bool(form.thanks_ru), form.slug
        assert bool(form.description_en) == bool(form.description_ru), form.slug
    news = next(f for f in forms if f.slug == "novosti")
    email = await session.scalar(
        select(FormField).where(FormField.form_id == news.id, FormField.key == "email")
    )
    assert email is not None and email.required
    assert "прислали" not in news.thanks_ru  # what was sent is the page's own note
    assert await session.scalar(select(User).limit(1)) is not None
