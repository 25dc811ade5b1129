"""A dispatcher in headless Chromium: imports addresses, reads the summary, watches a broadcast."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OutboxMessage
from services import outbox
from services.outages.notices import batch_name
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.outages_support import PASSWORD, make_town

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
UPLOAD = (
    "Улица;Дом;Тип объекта;Название\n"
    "ул. Садовая;1;;\n"
    "ул. Садовая;2;школа;Гимназия № 1\n"
    "ул. Садовая;;;\n"  # row 4: no house
    "ул. Ленина;3;;Дом быта\n"  # an existing house gets a name
    "ул. Садовая;5;баня;\n"  # row 6: not a known kind of social facility
)


async def _sign_in(page: Page) -> None:
    await page.goto("/login")
    await page.fill("#f-login", "dispatch")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()


async def test_import_reports_bad_rows(page: Page, session_factory: async_sessionmaker[AsyncSession]) -> None:
    await make_town(session_factory)
    await _sign_in(page)
    await open_nav(page, "Диспетчерская", "Адреса")
    await page.click("#import-buildings")
    await page.set_input_files(
        "#f-file", files=[{"name": "реестр.csv", "mimeType": "text/csv", "buffer": UPLOAD.encode()}]
    )
    await page.click("#import-submit")
    report = page.locator("#import-report")
    await expect(report).to_contain_text("Результат импорта: реестр.csv")
    await expect(page.locator("#report-created")).to_have_text("2")
    await expect(page.locator("#report-updated")).to_have_text("1")
    await expect(page.locator("#report-rejected")).to_have_text("2")
    await expect(page.locator("#rejected-rows tbody td")).to_have_text(
        ["4", "Не указан номер дома.", "6", "Неизвестный тип социального объекта «баня»."]
    )

    await open_nav(page, "Диспетчерская", "Адреса")
    await page.fill("#filter-q", "Садовая")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.locator("#building-table tbody tr")).to_have_count(2)
    await expect(page.locator("#building-table")).to_contain_text("Гимназия № 1")


async def test_summary_and_broadcast_progress(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)
    await _sign_in(page)
    await open_nav(page, "Диспетчерская", "Отключения")
    await expect(page.locator("#outage-table tbody tr").first).to_have_attribute(
        "data-id", str(town.active_id)
    )
    await page.click("#tab-summary")
    hot = page.locator('tr[data-resource="hot_water"]')
    await expect(hot.locator(".houses")).to_have_text("3")
    await expect(hot.locator(".social")).to_have_text("школы: 1")
    await expect(page.locator('tr[data-resource="heating"] .houses')).to_have_text("0")  # outage B is over
    await expect(page.locator("#summary-total .houses")).to_have_text("3")
    await expect(page.locator("#total-social")).to_contain_text("школы: 1")

    batch = batch_name(town.active_id, "publish")
    async with session_factory() as s:
        first = await s.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.batch == batch, OutboxMessage.chat_id == town.chats[0]
            )
        )
        assert first is not None
        await outbox.mark_sent(s, first, 1)
        await outbox.mark_blocked(s, town.chats[1], "Forbidden: bot was blocked by the user")
        await s.commit()

    await hot.get_by_role("link", name=f"№{town.active_id}").click()
    await expect(page.locator("#status")).to_have_text("Действует")
    await expect(page.locator("#houses")).to_contain_text("ул. Школьная, 5 (Школа № 2) школа")
    await expect(page.locator("#timeline .step-kind")).to_have_text(
        ["создан черновик", "опубликовано, жители оповещены"]
    )
    box = page.locator(f'[data-batch="{batch}"]')
    await expect(box).to_contain_text("Оповещение об отключении")
    for field, value in (("sent", "1"), ("pending", "1"), ("failed", "0"), ("blocked", "1"), ("total", "3")):
        await expect(box.locator(f'[data-field="{field}"]')).to_have_text(value)

    async with session_factory() as s:
        last = await s.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.batch == batch, OutboxMessage.chat_id == town.chats[2]
            )
        )
        assert last is not None
        await outbox.mark_sent(s, last, 2)
        await s.commit()
    # No reload: the page polls the progress endpoint while notices are pending.
    await expect(box.locator('[data-field="pending"]')).to_have_text("0")
    await expect(box.locator('[data-field="sent"]')).to_have_text("2")
    assert await box.locator("progress").evaluate("bar => [bar.value, bar.max]") == [3, 3]
