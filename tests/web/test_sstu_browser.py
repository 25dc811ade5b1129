"""The ССТУ.РФ report in headless Chromium: the month picked in one click shows the preview table
with each question's code, status, dates, extension, answer document, measures and redirection;
and the public counter widget renders the figures into another site's page."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ClassifierEntry, User
from porucheno.settings import Settings
from tests.services.sstu_scenario import RECEIVER_GUID, build_november
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_the_month_preview_shows_every_question(
    page: Page, admin: User, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        await build_november(s, settings.files_dir)
    await page.goto("/login")
    await page.fill("#f-login", ADMIN_LOGIN)
    await page.fill("#f-password", ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.click("#nav-appeals summary")  # the menu group folds its links away
    await page.get_by_role("link", name="Отчёт ССТУ.РФ").click()
    await expect(page.get_by_role("heading", name="Отчёт ССТУ.РФ")).to_be_visible()
    await page.fill("#f-month", "2026-11")
    await page.click("#sstu-build")

    rows = page.locator("#sstu-preview tbody tr")
    await expect(rows).to_have_count(5)
    cells = [[c.strip() for c in await rows.nth(i).locator("td").all_inner_texts()] for i in range(5)]
    assert cells[0][:7] == [
        "2026-000001",
        "0003.0009.0099.0659",
        "поддержано (Supported)",
        "03.11.2026",
        "03.11.2026",
        "20.11.2026",
        "да",
    ]
    assert cells[0][7].startswith("answer-2026-000001-1.pdf") and cells[0][8] == "да Яма заделана 18.11.2026"
    assert cells[1][:3] == ["2026-000001", "0003.0009.0099.0662", "разъяснено (Explained)"]
    assert (
        cells[2][2] == "перенаправлено по компетенции (Transferred)"
        and cells[2][9] == f"{RECEIVER_GUID}, 09.11.2026, № 2026-000002/1"
    )
    assert cells[3][2:6] == [
        "оставлено без ответа (LeftWithoutAnswer)",
        "12.11.2026",
        "12.11.2026",
        "13.11.2026",
    ]
    assert cells[4][2:7] == ["в работе (InWork)", "25.11.2026", "25.11.2026", "—", "нет"]
    await expect(page.locator("#sstu-summary")).to_contain_text("Обращений: 4, вопросов: 5.")
    await expect(page.locator("#sstu-problems")).to_have_count(0)
    await expect(page.locator("#sstu-download")).to_be_enabled()
    await expect(page.locator("#nav-appeals a[aria-current=page]")).to_have_text("Отчёт ССТУ.РФ")
    # Ten columns still fit a phone: the table scrolls inside its box, the page does not.
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0


async def test_the_widget_script_renders_the_counter_into_another_page(
    page: Page, live_url: str, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        await build_november(s, settings.files_dir)
        s.add(ClassifierEntry(code="0003", name="Экономика", level=1))
        await s.commit()
    # A page of another origin (about:blank) embedding the widget: the figures come over CORS.
    await page.set_content(
        f'<div id="host" data-porucheno-counter="{live_url}/public/appeals/counter.json"'
        ' data-year="2026" data-month="11"></div>'
        f'<script src="{live_url}/static/appeals-counter.js"></script>'
    )
    host = page.locator("#host")
    await expect(host.locator("caption").first).to_have_text("Обращения за 2026-11")
    await expect(host.locator("tr", has_text="Поступило")).to_have_text("Поступило4")
    await expect(host.locator("tr", has_text="На рассмотрении")).to_have_text("На рассмотрении1")
    await expect(host.locator("tr", has_text="Направлено по компетенции")).to_have_text(
        "Направлено по компетенции1"
    )
    await expect(host.locator("tr", has_text="Экономика")).to_have_text("0003 Экономика5")
