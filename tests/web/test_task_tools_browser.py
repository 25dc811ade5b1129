"""A controller in headless Chromium: a weekly recurring assignment with its next dates, then an
assignment template used on the new-assignment form."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, ChecklistItem, RecurringAssignment, User
from services.audit import Actor
from services.staff import create_department, create_user
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

PASSWORD = "correct-horse-battery"


async def _people(session_factory: async_sessionmaker[AsyncSession]) -> User:
    sys = Actor.system("test")
    async with session_factory() as s:
        dept = await create_department(s, sys, "Бухгалтерия")
        await create_user(
            s, sys, full_name="Мария Контролёва", roles=["controller"], login="control", password=PASSWORD
        )
        worker = await create_user(s, sys, full_name="Иван Петров", department_id=dept.id)
        await s.commit()
        return worker


async def test_recurring_and_template_in_the_browser(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    worker = await _people(session_factory)
    await page.goto("/login")
    await page.fill("#f-login", "control")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()

    await open_nav(page, "Работа", "Повторяющиеся поручения")
    await expect(page.locator("h1")).to_have_text("Повторяющиеся поручения")
    await page.click("#new-recurring")
    await page.fill("#f-title", "Планёрка")
    await page.select_option("#f-executor_id", str(worker.id))
    await page.select_option("#f-preset", "weekly")
    await page.select_option("#f-weekday", "MO")
    await page.fill("#f-starts_on", "2026-05-01")
    await page.select_option("#f-holiday_policy", "next")
    await page.click("#preview")
    await expect(page.locator("#rule-description")).to_have_text("еженедельно, по понедельникам")
    await page.click("#save")
    await expect(page.locator(".flash, [role=status]").first).to_contain_text("Планёрка")
    async with session_factory() as s:
        rule = await s.scalar(select(RecurringAssignment))
    assert rule is not None and rule.rrule == "FREQ=WEEKLY;BYDAY=MO" and rule.holiday_policy == "next"
    await page.click("#toggle-active")
    await expect(page.locator("#toggle-active")).to_have_text("Возобновить")

    await open_nav(page, "Работа", "Шаблоны поручений")
    await page.click("#new-template")
    await page.fill("#f-name", "Сверка")
    await page.fill("#f-title", "Сверка с банком")
    await page.fill("#f-checklist", "Выписка\nАкт сверки")
    await page.select_option("#f-executor_id", str(worker.id))
    await page.click("#save")
    await expect(page.locator("#assignment-templates")).to_contain_text("Сверка с банком")

    await page.goto("/assignments/new")
    await page.select_option("#f-template", label="Сверка")
    await page.click("#apply-template")
    await expect(page.locator("#f-title")).to_have_value("Сверка с банком")
    await page.click("#create-assignment")
    await expect(page.locator("h1")).to_contain_text("Сверка с банком")
    async with session_factory() as s:
        a = await s.scalar(select(Assignment))
        assert a is not None
        items = (await s.scalars(select(ChecklistItem.text).where(ChecklistItem.assignment_id == a.id))).all()
    assert list(items) == ["Выписка", "Акт сверки"]
