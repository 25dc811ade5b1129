"""A controller's assignment in headless Chromium: create with a photo, find, return, accept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, OutboxMessage
from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.test_assignments_http import PASSWORD, local_input, make_world, submit_report, tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_controller_creates_returns_and_accepts(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    await page.goto("/login")
    await page.fill("#f-login", "control")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()

    await open_nav(page, "Работа", "Поручения")
    await page.click("#new-assignment")
    await page.fill("#f-title", "Покрасить забор у школы №5")
    await page.fill("#f-text", "Со стороны улицы Ленина, в зелёный цвет.")
    await page.select_option("#f-executor_id", label="Иван Петров")
    await page.fill("#f-deadline", local_input(datetime.now(UTC) + timedelta(days=2)))
    await page.select_option("#f-priority", label="высокий")
    await page.set_input_files(
        "#f-attachments", files=[{"name": "забор.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    await page.click("#create-assignment")
    await expect(page.locator(".flash")).to_have_text(re.compile(r"Поручение №\d+ создано\."))
    aid = int(page.url.rsplit("/", 1)[1])
    await expect(page.locator("#status")).to_have_text("новое")
    await expect(page.locator("#timeline")).to_contain_text("создано")
    await expect(page.locator("main")).to_contain_text("забор.png")
    thumb = page.locator("img.thumb").first
    await expect(thumb).to_be_visible()
    assert await thumb.evaluate("img => img.complete && img.naturalWidth") == 1  # served by /files/{id}
    async with session_factory() as s:
        assert await s.scalar(select(OutboxMessage.id).where(OutboxMessage.chat_id == 1001)) is not None

    await open_nav(page, "Работа", "Поручения")
    await page.select_option("#filter-executor", label="Иван Петров")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await page.select_option("#filter-executor", label="Олег Сидоров")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.locator(".empty")).to_be_visible()
    await page.select_option("#filter-executor", label="Иван Петров")
    await page.get_by_role("button", name="Показать").click()
    await page.get_by_role("link", name="Покрасить забор у школы №5").click()
    await expect(page).to_have_url(re.compile(rf"/assignments/{aid}$"))

    await submit_report(session_factory, settings, world.ivan.id, aid, "Покрашено наполовину", photo=True)
    await page.reload()
    await expect(page.locator("#status")).to_have_text("на проверке")
    await expect(page.locator("#reports")).to_contain_text("Покрашено наполовину")
    await page.fill("#f-reason-return", "Нет фото второй стороны")
    await page.locator("#action-return button").click()
    await expect(page.locator(".flash")).to_have_text("Поручение возвращено на доработку.")
    await expect(page.locator("#status")).to_have_text("возвращено на доработку")
    await expect(page.locator("#action-accept")).to_have_count(0)

    await submit_report(session_factory, settings, world.ivan.id, aid, "Покрашено полностью", photo=True)
    await page.reload()
    await page.get_by_role("button", name="Принять отчёт").click()
    await expect(page.locator(".flash")).to_have_text("Отчёт принят, поручение исполнено.")
    await expect(page.locator("#status")).to_have_text("исполнено")
    await expect(page.locator("#actions")).to_have_count(0)

    steps = page.locator("#timeline .step-kind")
    await expect(steps).to_have_text(
        [
            "создано",
            "принято к исполнению",
            "начата работа",
            "отчёт отправлен на проверку",
            "возвращено на доработку",
            "отчёт отправлен на проверку",
            "отчёт принят, поручение исполнено",
        ]
    )
    returned = page.locator("#timeline .step-return")
    await expect(returned).to_contain_text("Мария Контролёва")
    await expect(returned).to_contain_text("Причина: Нет фото второй стороны")
    await expect(returned).to_contain_text("на проверке → возвращено на доработку")
    await expect(page.locator("#timeline .step-submit").last).to_contain_text("Покрашено полностью")
    await expect(page.locator("#reports")).to_contain_text("Замечание проверяющего: Нет фото второй стороны")
    async with session_factory() as s:
        done = await s.get(Assignment, aid)
        assert done is not None and done.status == "done" and done.returns_count == 1
