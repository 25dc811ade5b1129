"""A visitor in headless Chromium fills a form's public page: a mistake shown next to its field,
what was typed kept, a photo attached, the form's thank-you text after sending."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import FormSubmission, StoredFile
from services.forms import definitions as d
from tests.services.forms_support import ACTOR, make_form
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_assignments_http import tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_visitor_fills_the_public_form(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        form = await make_form(session)
        await d.add_field(
            session,
            form.id,
            d.FieldDraft("photo", "file", "Рисунок ребёнка", rules={"max_files": 2}),
            actor=ACTOR,
        )
        await session.commit()
    await page.goto("/f/kids")
    await expect(page.get_by_role("heading", name="Университет детей")).to_be_visible()
    await page.get_by_label("Имя ребёнка").fill("Маша")
    await page.get_by_label("Рисование").check()
    await page.get_by_label("Суббота").check()
    await page.get_by_label("Дата рождения").fill("2016-02-01")
    await page.get_by_label("Возраст").fill("30")
    await page.click("#send-form")  # the age is over the limit, nothing is agreed to
    await expect(page.locator("#e-age")).to_contain_text("не больше 14")
    await expect(page.locator("#e-agree")).to_be_visible()
    await expect(page.locator("#e-pd_consent")).to_be_visible()
    await expect(page.get_by_label("Имя ребёнка")).to_have_value("Маша")
    await expect(page.get_by_label("Рисование")).to_be_checked()
    await expect(page.get_by_label("Возраст")).to_have_attribute("aria-invalid", "true")

    await page.get_by_label("Возраст").fill("9")
    await page.get_by_label("Согласен с правилами").check()
    await page.check("#f-pd_consent")
    await page.set_input_files(
        "#f-photo", files=[{"name": "рисунок.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    await page.click("#send-form")
    await expect(page.locator("#form-thanks")).to_contain_text("Спасибо! Мы позвоним.")

    async with session_factory() as session:
        submission = await session.scalar(select(FormSubmission))
        assert submission is not None and submission.channel == "web"
        assert submission.answers["age"] == 9 and submission.answers["days"] == ["sat"]
        stored = (
            await session.scalars(select(StoredFile).where(StoredFile.form_submission_id == submission.id))
        ).all()
    assert [f.original_name for f in stored] == ["рисунок.png"]
    assert submission.answers["photo"] == [stored[0].id]
