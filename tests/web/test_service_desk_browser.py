"""The service desk in headless Chromium (Russian UI): an administrator sets a topic's SLA targets, an
agent sees a new request with its reaction clock, takes it, replies with an answer template and
resolves it; the requester confirms the result with a rating."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AnswerTemplate, ServiceRequest, SlaTarget
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.service_desk_support import PASSWORD, make_desk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _sign_in(page: Page, login: str) -> None:
    await page.context.clear_cookies()
    await page.goto("/login")
    await page.fill("#f-login", login)
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()


async def test_topic_targets_take_reply_resolve_confirm(
    page: Page, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    d = await make_desk(session_factory, settings)
    async with session_factory() as s:
        s.add(
            AnswerTemplate(title="Перезагрузка", body="Перезагрузите принтер, пожалуйста.", scope="service")
        )
        await s.commit()

    await _sign_in(page, "root")
    await open_nav(page, "Администрирование", "Настройки службы поддержки")
    await expect(page.locator("#builtin-targets")).to_contain_text("4 ч 00 мин")
    await page.fill("#f-name_ru", "Телефония")
    await page.fill("#f-name_en", "Telephony")
    await page.fill("#f-code", "phones")
    await page.select_option("#f-department_id", label="Отдел ИТ")
    await page.check("#f-is_active")
    await page.click("#topic-submit")
    await expect(page.locator(".flash")).to_contain_text("Тема «Телефония» добавлена.")
    await page.fill("#f-critical_reaction_h", "0")
    await page.fill("#f-critical_reaction_m", "15")
    await page.fill("#f-critical_resolution_h", "2")
    await page.click("#targets-submit")
    await expect(page.locator(".flash")).to_contain_text("Сроки SLA сохранены.")
    await expect(page.locator("#f-critical_reaction_m")).to_have_value("15")

    await _sign_in(page, "staff")
    await open_nav(page, "Работа", "Мои заявки")
    await page.click("#new-request")
    await page.select_option("#f-topic_id", label="Телефония")
    await page.select_option("#f-urgency", label="Критическая")
    await page.fill("#f-subject", "Не работает телефон")
    await page.fill("#f-text", "Нет гудка")
    await page.click("#request-submit")
    await expect(page.locator(".flash")).to_contain_text("подана.")
    number = (await page.locator("#request-number").text_content() or "").strip()
    await expect(page.locator("#status")).to_have_text("Новая")

    await _sign_in(page, "it")
    await open_nav(page, "Работа", "Служба поддержки")
    row = page.locator(f'#request-table tr[data-number="{number}"]')
    await expect(row).to_contain_text("Не работает телефон")
    clock = row.locator('[data-clock="reaction"]')
    assert await clock.get_attribute("data-state") in ("running", "breached")
    await expect(clock).to_contain_text("мин")
    await expect(page.locator(f'#request-table tr[data-number="{d.number}"]')).to_be_visible()
    await row.get_by_role("link", name=number).click()
    await page.click("#take-submit")
    await expect(page.locator(".flash")).to_contain_text("Вы взяли заявку в работу.")
    await expect(page.locator("#assignee")).to_have_text("Игорь Айтишников")
    await expect(page.locator('#reaction-clock [data-clock="reaction"]')).to_have_attribute(
        "data-state", "met"
    )
    await page.select_option("#answer-template", label="Перезагрузка")
    await expect(page.locator("#f-reply-text")).to_have_value("Перезагрузите принтер, пожалуйста.")
    await page.fill("#f-reply-text", "Перезагрузите телефон, пожалуйста.")
    await page.click("#reply-submit")
    await expect(page.locator(".flash")).to_contain_text("Ответ отправлен.")
    await expect(page.locator("#timeline")).to_contain_text("Перезагрузите телефон, пожалуйста.")
    await page.fill("#f-resolve-text", "Заменили шнур")
    await page.click("#resolve-submit")
    await expect(page.locator(".flash")).to_contain_text("Заявка решена")
    await expect(page.locator("#status")).to_have_text("Решена")

    await _sign_in(page, "staff")
    await open_nav(page, "Работа", "Мои заявки")
    await page.locator(f'#request-table tr[data-number="{number}"]').get_by_role("link", name=number).click()
    await expect(page.locator("#timeline")).to_contain_text("Заменили шнур")
    await page.select_option("#f-rating", value="5")
    await page.fill("#f-rating_comment", "Спасибо, быстро")
    await page.click("#confirm-submit")
    await expect(page.locator(".flash")).to_contain_text("Спасибо! Заявка закрыта.")
    await expect(page.locator("#status")).to_have_text("Закрыта")
    await expect(page.locator("#rating")).to_contain_text("★★★★★")

    async with session_factory() as s:
        item = await s.scalar(select(ServiceRequest).where(ServiceRequest.number == number))
        assert item is not None and item.status == "closed" and item.rating == 5 and item.channel == "panel"
        assert (item.urgency, item.reaction_target_min, item.resolution_target_min) == ("critical", 15, 120)
        target = await s.scalar(select(SlaTarget).where(SlaTarget.urgency == "critical"))
        assert target is not None and target.topic_id == item.topic_id
