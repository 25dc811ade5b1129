"""A multi-point assignment in headless Chromium: «Points» rows on the form, the progress on its page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_assignments_http import PASSWORD, local_input, make_world, submit_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_two_points_created_and_progress_shown(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    await page.goto("/login")
    await page.fill("#f-login", "control")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()

    await page.goto("/assignments/new")
    await page.fill("#f-title", "Подготовка к зиме")
    await page.fill("#f-text", "Резолюция главы")
    soon, later = datetime.now(UTC) + timedelta(days=2), datetime.now(UTC) + timedelta(days=4)
    await page.fill("#f-pt1_title", "Закупить соль")
    await page.select_option("#f-pt1_executor_id", label="Иван Петров")
    await page.fill("#f-pt1_deadline", local_input(soon))
    await page.click("#add-point")
    await expect(page.locator(".point-row")).to_have_count(2)
    await page.fill("#f-pt2_title", "Проверить котельные")
    await page.select_option("#f-pt2_executor_id", label="Олег Сидоров")
    await page.select_option("#f-pt2_co", label="Иван Петров")
    await page.fill("#f-pt2_deadline", local_input(later))
    await page.click("#create-assignment")
    await expect(page.locator(".flash")).to_have_text(re.compile(r"Поручение №\d+ создано\."))
    parent_id = int(page.url.rsplit("/", 1)[1])
    await expect(page.locator("#status")).to_have_text("новое")
    await expect(page.locator("#points h2")).to_have_text("Пункты: 0/2 выполнено")
    await expect(page.locator("#points tbody tr")).to_have_count(2)
    await expect(page.locator("#point-2")).to_contain_text("Олег Сидоров")
    await expect(page.locator("#actions")).not_to_contain_text("Принять")

    async with session_factory() as s:
        rows = (
            await s.scalars(
                select(Assignment).where(Assignment.parent_id == parent_id).order_by(Assignment.point_no)
            )
        ).all()
    first, second = rows
    assert (first.executor_id, second.executor_id) == (world.ivan.id, world.oleg.id)

    # Иван reports on his point; the controller accepts it on the point's page.
    await submit_report(session_factory, settings, world.ivan.id, first.id, "Соль закуплена")
    await page.click("#point-1 a")
    await expect(page.locator("#parent-link")).to_contain_text(f"Пункт 1 поручения №{parent_id}")
    await page.get_by_role("button", name="Принять отчёт").click()
    await expect(page.locator("#status")).to_have_text("исполнено")
    await page.click("#parent-link")
    await expect(page.locator("#status")).to_have_text("в работе")
    await expect(page.locator("#points h2")).to_have_text("Пункты: 1/2 выполнено")
    await expect(page.locator("#point-1")).to_contain_text("исполнено")
