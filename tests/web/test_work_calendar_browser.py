"""The production calendar in Chromium: an administrator opens it from the menu, marks the museum's
sanitary day by clicking it in the grid, and the grid and the month's numbers show it; a public holiday
carries its name on hover."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, User
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_admin_marks_a_sanitary_day_on_the_grid(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sign_in(page)
    await open_nav(page, "Администрирование", "Производственный календарь")
    await expect(page.locator("h1")).to_contain_text("Производственный календарь")
    await page.goto("/work-calendar?year=2026")
    # The government's calendar: 247 working days, 1972 hours at a 40-hour week.
    await expect(page.locator("#year-working-days")).to_have_text("247")
    await expect(page.locator("#year-norm-hours")).to_have_text("1972")
    victory = page.locator("#day-2026-05-09")
    await expect(victory).to_have_class("wc-day k-holiday")
    await expect(victory).to_have_attribute("title", "09.05.2026: Праздник — День Победы")
    await expect(page.locator("#day-2026-04-30")).to_have_class("wc-day k-short")
    await expect(page.locator("#month-3-totals .wc-month-days")).to_have_text("21")

    # Clicking the day fills the form's date; the rest is typed.
    await page.locator("#day-2026-03-31").click()
    await expect(page.locator("#f-day")).to_have_value("2026-03-31")
    await page.select_option("#f-kind", "day_off")
    await page.fill("#f-note", "Санитарный день")
    await page.click("#add-day-save")
    await expect(page.locator(".flash")).to_have_text("День календаря сохранён.")
    sanitary = page.locator("#day-2026-03-31")
    await expect(sanitary).to_have_class("wc-day k-day_off")
    await expect(sanitary).to_have_attribute("title", "31.03.2026: Собственный выходной — Санитарный день")
    await expect(page.locator("#month-3-totals .wc-month-days")).to_have_text("20")
    await expect(page.locator("#year-working-days")).to_have_text("246")
    await expect(page.locator("#row-2026-03-31")).to_contain_text("Санитарный день")

    # A wrong time is refused next to its field; Saturday made a working day with its own hours.
    await page.fill("#f-day", "2026-04-04")
    await page.select_option("#f-kind", "workday")
    await page.fill("#f-note", "")
    await page.fill("#f-starts", "10:00")
    await page.fill("#f-ends", "9:00")
    await page.click("#add-day-save")
    await expect(page.locator("#e-ends")).to_have_text("Укажите время в виде ЧЧ:ММ.")
    await page.fill("#f-ends", "16:00")
    await page.click("#add-day-save")
    await expect(page.locator("#day-2026-04-04")).to_have_class("wc-day k-workday")

    # Friday shortened for everybody: the weekly hours.
    await page.fill("#f-4_ends", "16:45")
    await page.click("#week-save")
    await expect(page.locator(".flash")).to_have_text("Рабочее время сохранено.")
    await expect(page.locator("#f-4_ends")).to_have_value("16:45")

    # Deleting the sanitary day gives the working day back.
    await page.locator("#row-2026-03-31").get_by_role("button", name="Удалить").click()
    await expect(page.locator("#day-2026-03-31")).to_have_class("wc-day k-work")
    async with session_factory() as s:
        actions = (
            await s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "work_calendar")
                .order_by(AuditEvent.id)
            )
        ).all()
    assert actions == ["day_added", "day_added", "week_changed", "day_deleted"]
