"""The segment builder in headless Chromium: the count and the preview follow the filters as they
are changed, without saving; then the segment is saved and listed with its count."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.services.segments_dataset import build
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "correct-horse-battery"


async def test_live_count_follows_the_filters(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        await build(s)
    await make_user(session_factory, "manager", PASSWORD, ["manager"])
    await page.goto("/login")
    await page.fill("#f-login", "manager")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()

    await page.goto("/segments/new")
    count = page.locator("#segment-count")
    # No filter: the confirmed consents (nine people of the hand-made audience).
    await expect(count).to_have_attribute("data-count", "9")
    await page.select_option("#f-consent", "any")
    await page.fill("#f-tags_any", "дети")
    await expect(count).to_have_attribute("data-count", "5")
    await page.fill("#f-tags_none", "волонтёр")
    await expect(count).to_have_attribute("data-count", "3")
    rows = page.locator("#segment-preview tbody tr")
    await expect(rows).to_have_count(3)
    await expect(rows.first).to_contain_text("Аверина Анна")
    await page.select_option("#f-channel", "email")
    await expect(count).to_have_attribute("data-count", "2")  # Аверина and Жукова have an e-mail
    await expect(page.locator("#segment-preview tbody")).to_contain_text("zh@example.org")
    # A bad number: the message instead of a stale count, nothing crashes.
    await page.select_option("#f-activity", "active")
    await page.fill("#f-activity_days", "0")
    await expect(page.locator("#segment-count-error")).to_be_visible()
    await page.select_option("#f-activity", "")
    await expect(page.locator("#segment-count-error")).to_be_hidden()

    await page.fill("#f-name", "Дети без волонтёров")
    await page.click("#segment-save")
    await expect(count).to_have_attribute("data-count", "2")
    await page.goto("/segments")
    await expect(page.locator("#segments")).to_contain_text("Дети без волонтёров")
    await expect(page.locator("#segments td.num")).to_have_text("2")
