"""A dispatcher keeps the ЕДДС journal in headless Chromium: logs an incident at a house found in
the register, hands it to an organisation, adds an action, closes it, finds it in the list, and
hands the shift over."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Incident, OutboxMessage
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.journal_support import ORG_NAME, PASSWORD, make_journal
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _sign_in(page: Page) -> None:
    await page.goto("/login")
    await page.fill("#f-login", "dispatch")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()


async def test_log_act_close_and_find(page: Page, session_factory: async_sessionmaker[AsyncSession]) -> None:
    j = await make_journal(session_factory)
    await _sign_in(page)
    await open_nav(page, "Диспетчерская", "Журнал ЕДДС")
    await expect(page.locator(f'#incident-table tr[data-number="{j.number}"]')).to_be_visible()
    await page.click("#new-incident")

    await page.select_option("#f-kind", label="💧 Порыв водопровода")
    await page.select_option("#f-informant_kind", value="organisation")
    await page.fill("#f-informant_name", "Диспетчер УК")
    await page.fill("#f-building_query", "Ленина 3")
    await page.click("#find-building")
    await page.locator("#found-buildings").get_by_label("ул. Ленина, 3").check()
    await page.fill("#f-description", "Вода бьёт из-под асфальта")
    await page.select_option("#f-responsible_organisation_id", label=ORG_NAME)
    await page.click("#incident-submit")

    number = (await page.locator("#journal-number").text_content() or "").strip()
    assert number and number != j.number
    await expect(page.locator(".flash")).to_contain_text(f"Происшествие № {number} зарегистрировано.")
    await expect(page.locator("#place")).to_have_text("ул. Ленина, 3")
    await expect(page.locator("#responsible")).to_contain_text(ORG_NAME)
    await expect(page.locator("#status")).to_have_text("Открыто")

    await page.fill("#f-text", "Перекрыта задвижка, бригада на месте")
    await page.check("#f-public")
    await page.click("#action-submit")
    await expect(page.locator(".flash")).to_contain_text("Действие записано и отправлено жителям.")
    await expect(page.locator("#status")).to_have_text("В работе")
    action = page.locator('#journal-table tr[data-kind="progress"]')
    await expect(action).to_contain_text("Перекрыта задвижка, бригада на месте")
    await expect(action).to_contain_text("Дина Диспетчерова")
    await expect(action).to_contain_text("опубликовано")

    await page.fill("#f-note", "Трубу заменили, вода подана")
    await page.click("#close-submit")
    await expect(page.locator(".flash")).to_contain_text(f"Происшествие № {number} закрыто.")
    await expect(page.locator("#status")).to_have_text("Закрыто")
    await expect(page.locator("#closed")).to_contain_text("Трубу заменили, вода подана")
    await expect(page.locator("#reopen-form")).to_be_visible()

    async with session_factory() as s:
        incident = await s.scalar(select(Incident).where(Incident.description == "Вода бьёт из-под асфальта"))
        assert incident is not None and incident.status == "closed"
        chats = set((await s.scalars(select(OutboxMessage.chat_id))).all())
        assert {9301, 9202} <= chats  # the organisation's member; the subscriber of Lenina 3

    await page.click("text=← Журнал ЕДДС")
    await page.select_option("#filter-status", value="closed")
    await page.get_by_role("button", name="Показать").click()
    rows = page.locator("#incident-table tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-number", number)
    await expect(rows.first).to_contain_text("ул. Ленина, 3")
    await expect(rows.first).to_contain_text("Водоканал")

    await page.click("#tab-shift")
    await expect(page.locator("#shift-open_incidents")).to_contain_text(j.number)
    await expect(page.locator("#shift-closed")).to_contain_text(number)
    await page.fill("#f-note", "Проверить дерево на Ленина, 1")
    await page.click("#handover-submit")
    await expect(page.locator(".flash")).to_contain_text("Смена сдана.")
    await expect(page.locator("#handover-note")).to_have_text("Проверить дерево на Ленина, 1")
    async with page.expect_download() as info:
        await page.click("#download-pdf")
    download = await info.value
    assert download.suggested_filename.startswith("shift-") and download.suggested_filename.endswith(".pdf")
