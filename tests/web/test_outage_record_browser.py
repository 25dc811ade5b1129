"""A dispatcher in headless Chromium fills in an outage's record and posts news for the residents."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Department, Organisation
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.outages_support import PASSWORD, make_town

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_record_and_news_in_the_browser(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)
    async with session_factory() as session:
        dept = Department(name="Теплосеть")
        session.add(dept)
        await session.flush()
        session.add(Organisation(name="АО «Теплосеть»", short_name="Теплосеть", department_id=dept.id))
        await session.commit()
    await page.goto("/login")
    await page.fill("#f-login", "dispatch")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.goto(f"/outages/{town.active_id}")

    await page.get_by_text("Изменить сведения").click()
    await page.fill("#f-cause", "Порыв на магистрали у дома 3")
    await page.select_option("#f-informant_kind", label="Житель")
    await page.fill("#f-informant_text", "кв. 12, +7 900 000-00-00")
    await page.select_option("#f-organisation_id", label="Теплосеть")
    await page.click("#save-record")
    await expect(page.locator(".flash, [role=status]").first).to_contain_text("Сведения сохранены.")
    await expect(page.locator("#cause")).to_have_text("Порыв на магистрали у дома 3")
    await expect(page.locator("#informant")).to_contain_text("Житель — кв. 12, +7 900 000-00-00")
    await expect(page.locator("#organisation")).to_contain_text("Теплосеть (ещё не принято в работу)")

    await page.click("#post-news")  # empty: refused on the page
    await expect(page.locator("#news-form")).to_contain_text("Обязательное поле.")
    await page.fill("#f-text", "Подвезли воду к дому 1")
    await page.fill("#f-expected_end_at", "2099-01-01T10:00")
    await page.click("#post-news")
    # The hand-over to Теплосеть above is the first entry; the news the second.
    await expect(page.locator("#updates tbody tr")).to_have_count(2)
    row = page.locator("#updates tbody tr").last
    await expect(row).to_contain_text("Подвезли воду к дому 1")
    await expect(row).to_contain_text("опубликовано для жителей")
    await expect(page.locator("#expected")).to_contain_text("2099")
