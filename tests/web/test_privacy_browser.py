"""A resident in headless Chromium: the public form's consent box links to the full text, the form
is refused without it, and the sent appeal's consent is logged with the version shown."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, ConsentRecord, User
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, make_user
from tests.web.test_browser import sign_in
from tests.web.test_privacy_http import PASSWORD, person
from tests.web.test_public_form_http import make_topics

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_the_form_needs_the_consent_and_logs_it(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    await page.goto("/form")
    link = page.locator("#consent-link")
    await expect(link).to_contain_text("Согласие на обработку персональных данных (версия 1)")
    async with page.context.expect_page() as opened:
        await link.click()
    full = await opened.value
    await expect(full.locator("#consent-text")).to_contain_text("59-ФЗ")
    await expect(full.locator("#consent-version")).to_contain_text("Версия 1")
    await full.close()

    await page.fill("#f-name", "Василий Кузнецов")
    await page.fill("#f-email", "vasily@example.ru")
    await page.select_option("#f-category_id", label="Уличное освещение")
    await page.fill("#f-text", "Третий день не горит фонарь во дворе.")
    await page.click("#send-appeal")  # no consent
    await expect(page.locator("#e-consent")).to_contain_text("Без вашего согласия")
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Appeal)) == 0
        assert await s.scalar(select(func.count()).select_from(ConsentRecord)) == 0

    await page.check("#f-consent")
    await page.click("#send-appeal")
    await expect(page.get_by_role("heading", name="Ваше обращение зарегистрировано")).to_be_visible()
    number = await page.locator("#reg-number").inner_text()
    async with session_factory() as s:
        appeal = await s.scalar(select(Appeal).where(Appeal.reg_number == number))
        assert appeal is not None
        [record] = (await s.scalars(select(ConsentRecord))).all()
        assert (record.channel, record.consent_version, record.decision) == ("web", 1, "given")
        assert record.appeal_id == appeal.id and record.correspondent_id == appeal.correspondent_id


async def test_a_clerk_erases_a_person_and_the_administrator_sees_it_in_the_log(
    page: Page, session_factory: async_sessionmaker[AsyncSession], admin: User, settings: Settings
) -> None:
    appeal = await person(session_factory, settings.files_dir)
    await make_user(session_factory, "clerk2", PASSWORD, ["clerk"], full_name="Секретарь Ирина")
    await sign_in(page, "clerk2", PASSWORD)
    await page.goto(f"/correspondents/{appeal.correspondent_id}")
    await expect(page.locator("#name")).to_have_text("Орлова Нина")
    await page.click("#pd-erase")
    await expect(page.locator("#open-appeals")).to_contain_text("Нерассмотренных обращений: 1")
    await page.fill("#f-reason", "Заявление № 12 от 03.12.2026")
    await page.click("#erase")  # not confirmed
    await expect(page.locator("#e-confirm")).to_contain_text("Отметьте галочку")
    await page.check("#f-confirm")
    await page.click("#erase")
    await expect(page.locator("#name")).to_have_text("Удалено по запросу")
    await expect(page.locator("#pd-erased")).to_contain_text("Заявление № 12")
    await expect(page.locator("#pd-erase")).to_have_count(0)
    await page.get_by_role("button", name="Выйти").click()

    await sign_in(page)
    await page.goto("/privacy/access-log")
    rows = page.locator("#access-log tbody tr")
    await expect(rows.filter(has_text="Секретарь Ирина").filter(has_text="удалены данные")).to_have_count(1)
    await expect(rows.filter(has_text="открыта карточка")).to_have_count(2)  # before and after
    await page.select_option("#f-action", label="удалены данные")
    await page.click("#apply")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Удалено по запросу")
