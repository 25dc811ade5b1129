"""Mailings in headless Chromium (Russian UI): a manager composes a mailing with a photo and a link
button, sees the preview and who receives it, sends it after the confirmation, and watches the
delivery counts change on the page without reloading it (the polled progress)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage
from services.outbox import mark_sent
from tests.mailings_support import (
    MANAGER_LOGIN,
    MANAGER_PASSWORD,
    make_manager,
    make_person,
    make_segment,
    next_telegram_id,
)
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.test_assignments_http import tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_compose_send_and_watch_progress(
    page: Page, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await make_manager(session_factory)
    await make_segment(session_factory, consent="any")  # the unconsented show as left out
    for name in ("Мария", "Олег"):
        await make_person(session_factory, name, telegram_id=next_telegram_id())
    await make_person(session_factory, "Без согласия", telegram_id=next_telegram_id(), consent=None)
    photo = tmp_path / "афиша.png"
    photo.write_bytes(tiny_png())

    await page.goto("/login")
    await page.fill("#f-login", MANAGER_LOGIN)
    await page.fill("#f-password", MANAGER_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await open_nav(page, "Аудитория", "Рассылки")
    await expect(page.locator("#no-mailings")).to_be_visible()
    await page.click("#new-mailing")
    await page.fill("#f-title", "Ночь музеев")
    await page.select_option("#f-segment_id", label="Друзья музея")
    # The words are made bold with the toolbar, as a clerk who knows no HTML would do it.
    await page.fill("#f-body", "Ночь музеев — 18 мая, вход свободный.")
    await page.eval_on_selector("#f-body", "area => area.setSelectionRange(0, 11)")
    await page.click('#format-bar button[data-tag="b"]')
    await expect(page.locator("#f-body")).to_have_value("<b>Ночь музеев</b> — 18 мая, вход свободный.")
    await page.set_input_files("#f-file", str(photo))
    await page.fill("#f-button_text_1", "Программа")
    await page.fill("#f-button_url_1", "museum.example.ru")  # no scheme: refused
    await page.click("#mailing-save")
    await expect(page.locator("#e-buttons")).to_contain_text("не веб-адрес")
    await expect(page.locator("#attached-file")).to_contain_text("афиша.png")  # kept, not chosen again
    await page.fill("#f-button_url_1", "https://museum.example.ru/night")
    await page.click("#mailing-save")

    await expect(page.locator(".flash")).to_contain_text("Рассылка сохранена.")
    preview = page.locator("#mailing-preview")
    await expect(preview.locator("#preview-text b")).to_have_text("Ночь музеев")
    await expect(preview.locator("#preview-file")).to_contain_text("афиша.png")
    await expect(preview.locator("#preview-buttons")).to_contain_text("Программа")
    await expect(preview.locator("#preview-buttons")).to_contain_text("Отписаться")
    await expect(page.locator("#mailing-audience")).to_contain_text("рассылку получат 2 чел.")
    await expect(page.locator("#left-out")).to_contain_text("нет подтверждённого согласия на рассылки: 1")

    await page.click("#mailing-send")
    await expect(page.locator("#send-count")).to_contain_text("рассылку получат 2 чел.")
    await page.click("#send-confirmed")
    await expect(page.locator(".flash")).to_contain_text("Рассылка отправляется.")
    progress = page.locator("#mailing-progress")
    await expect(progress.locator('[data-count="queued"]')).to_have_text("2")

    # The outbox sender delivers (here: marked as sent); the open page follows without a reload.
    async with session_factory() as session:
        for n, row in enumerate((await session.scalars(select(OutboxMessage))).all(), start=1):
            await mark_sent(session, row.id, n)
        await session.commit()
    await expect(progress.locator('[data-count="delivered"]')).to_have_text("2")
    await expect(progress.locator('[data-count="queued"]')).to_have_text("0")
    await expect(page.locator("#mailing-status")).to_have_text("Отправлено")
