"""A resident in headless Chromium: writes an appeal with a photo, fixes a mistake, checks the status."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Correspondent, StoredFile
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_assignments_http import tiny_png
from tests.web.test_public_form_http import make_topics

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_resident_sends_an_appeal_with_a_photo_and_checks_its_status(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    await page.goto("/form")
    await expect(page.get_by_role("heading", name="Обращение в администрацию")).to_be_visible()
    await expect(page.get_by_role("link", name="Поручения")).to_have_count(0)
    await page.fill("#f-name", "Василий Кузнецов")
    await page.fill("#f-phone", "+7 (912) 555-12-34")
    await page.select_option("#f-category_id", label="Уличное освещение")
    await page.fill("#f-address", "ул. Садовая, 12")
    await page.fill("#f-text", "Третий день не горит фонарь во дворе.")
    await page.click("#send-appeal")  # the consent box is not ticked
    await expect(page.locator("#e-consent")).to_contain_text("Без вашего согласия")
    await expect(page.locator("#f-name")).to_have_value("Василий Кузнецов")
    await expect(page.locator("#f-category_id option:checked")).to_have_text("Уличное освещение")
    await expect(page.locator("#f-text")).to_have_value("Третий день не горит фонарь во дворе.")

    await page.check("#f-consent")
    await page.set_input_files(
        "#f-attachments", files=[{"name": "фонарь.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    await page.click("#send-appeal")
    await expect(page.get_by_role("heading", name="Ваше обращение зарегистрировано")).to_be_visible()
    number = await page.locator("#reg-number").inner_text()
    assert re.fullmatch(r"\d{4}-\d{6}", number)
    code = await page.locator("#access-code").inner_text()
    await expect(page.locator("#due-date")).to_have_text(re.compile(r"\d{4}\sг\."))

    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal).where(Appeal.reg_number == number))
        assert appeal is not None and appeal.channel == "web" and appeal.contact_phone == "+7 (912) 555-12-34"
        person = await s.get(Correspondent, appeal.correspondent_id)
        assert person is not None and person.name == "Василий Кузнецов"
        assert person.phone_normalized == "+79125551234"
        names = (
            await s.scalars(select(StoredFile.original_name).where(StoredFile.appeal_id == appeal.id))
        ).all()
        assert names == ["фонарь.png"]

    await page.get_by_role("link", name="Узнать статус").first.click()
    await page.fill("#f-number", number)
    await page.fill("#f-code", "8 912 555 12 34")  # the phone given is no key
    await page.click("#check-status")
    await expect(page.locator("#appeal-status")).to_have_count(0)
    await page.fill("#f-code", code)
    await page.click("#check-status")
    await expect(page.locator("#status-text")).to_have_text("Зарегистрировано, ожидает передачи в работу")

    await page.get_by_role("button", name="EN").click()
    await expect(page.get_by_role("heading", name="Status of an appeal")).to_be_visible()
