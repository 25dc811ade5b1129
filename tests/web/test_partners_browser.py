"""An administrator in headless Chromium: creates an organisation, gives it areas of responsibility,
makes an invite link and sees it once; then compares organisations on the KPI page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Building, User
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _houses(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        for house in ("5", "7"):
            session.add(
                Building(
                    street="ул. Ленина",
                    street_key="ленина",
                    house=house,
                    house_key=house,
                    house_number=int(house),
                    district="Центральный",
                )
            )
        await session.commit()


async def test_admin_creates_organisation_adds_area_and_invite(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _houses(session_factory)
    await page.goto("/login")
    await page.fill("#f-login", ADMIN_LOGIN)
    await page.fill("#f-password", ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()

    await open_nav(page, "Диспетчерская", "Организации")
    await expect(page.locator("h1")).to_have_text("Организации")
    await page.click("#new-organisation")
    # Saving without a name keeps the form with the message next to the field.
    await page.click("#save-organisation")
    await expect(page.locator("#e-name")).to_be_visible()
    await page.fill("#f-name", "ООО «УК „Уютный дом“»")
    await page.fill("#f-short_name", "УК Уют")
    await page.select_option("#f-kind", "management")
    await page.fill("#f-inn", "7701234567")
    await page.fill("#f-phone", "+7 495 123-45-67")
    await page.get_by_label("холодная вода").check()
    await page.get_by_label("сразу жителям").check()
    await page.click("#save-organisation")

    await expect(page.locator("#organisation-name")).to_have_text("ООО «УК „Уютный дом“»")
    await expect(page.locator(".flash")).to_contain_text("сохранена")
    details = page.locator("#organisation-details")
    await expect(details).to_contain_text("управляющая компания")
    await expect(details).to_contain_text("холодная вода")
    await expect(details).to_contain_text("сразу жителям")
    await expect(page.locator("#no-people")).to_be_visible()

    # A house found by its address, then a whole district.
    await page.fill("#filter-q", "Ленина 5")
    await page.get_by_role("button", name="Найти").click()
    found = page.locator("#found-houses tbody tr")
    await expect(found).to_have_count(1)
    await found.first.get_by_role("button", name="Добавить").click()
    await expect(page.locator(".flash")).to_contain_text("Зона ответственности добавлена.")
    await page.fill("#f-district", "Центральный")
    await page.select_option("#res-district", "heating")
    await page.locator("#add-district").get_by_role("button", name="Добавить").click()
    areas = page.locator("#area-table tbody tr")
    await expect(areas).to_have_count(2)
    await expect(areas.nth(0)).to_contain_text("Дом: ул. Ленина, 5")
    await expect(areas.nth(1)).to_contain_text("Район: Центральный")
    await expect(areas.nth(1)).to_contain_text("отопление")

    # The invite link: shown once, a t.me deep link with the org_ prefix.
    await page.fill("#f-max_uses", "5")
    await page.get_by_role("button", name="Создать ссылку-приглашение").click()
    link = page.locator("#invite-link")
    await expect(link).to_have_value(re.compile(r"^https://t\.me/\w+\?start=org_[\w-]{20,}$"))
    await expect(page.locator("#org-invite")).to_contain_text("воспользоваться 5 раз")
    await page.click("#back-to-organisation")
    invites = page.locator("#invite-table tbody tr")
    await expect(invites).to_have_count(1)
    await expect(invites.first).to_contain_text("0 / 5")
    # The link itself is not on the card: only its hash is kept.
    assert "start=org_" not in await page.content()

    await invites.first.get_by_role("button", name="Отозвать").click()
    await expect(page.locator("#no-invites")).to_be_visible()

    await open_nav(page, "Диспетчерская", "KPI организаций")
    table = page.locator("#organisations-kpi-table")
    await expect(table).to_contain_text("ООО «УК „Уютный дом“»")
