"""The home page in Chromium, per role: each role sees its own blocks and no one else's, and clicking a
figure lands on a list with exactly that many rows."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.home_support import ALL_BLOCKS, ROLES, make_day
from tests.web.outages_support import PASSWORD
from tests.web.test_browser import sign_in

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

# The figure each role clicks, and the rows the list it opens must show.
CLICK = {
    "executor": ("my-overdue", "#assignment-table tbody tr"),
    "controller": ("control-overdue", "#assignment-table tbody tr"),
    "clerk": ("appeals-unassigned", "#appeal-table tbody tr"),
    "dispatcher": ("outages-active", "#outage-table tbody tr"),
    "manager": ("org-open", "#assignment-table tbody tr"),
    "admin": ("stat-staff", "#staff-table tbody tr"),
}


async def test_home_page_per_role(
    page: Page, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_day(session_factory, settings.tz)
    for role, (login_name, blocks) in ROLES.items():
        await sign_in(page, login_name, PASSWORD)
        await expect(page.locator("h1")).to_have_text("Обзор")
        for block in sorted(blocks):
            await expect(page.locator(f"#block-{block}")).to_be_visible()
        for block in sorted(ALL_BLOCKS - blocks):
            await expect(page.locator(f"#block-{block}")).to_have_count(0)
        figure, rows = CLICK[role]
        count = int(await page.locator(f"#{figure} .num").inner_text())
        assert count > 0, role
        await page.click(f"#{figure} .num")
        await expect(page.locator(rows)).to_have_count(count)
        await expect(page.locator("#filter-chips .chip").first).to_be_visible()  # what is filtered, removable
        if role == "clerk":  # removing the chip drops just that filter
            await page.click('#filter-chips .chip[data-param="unassigned"]')
            await expect(page.locator("#filter-chips .chip")).to_have_count(0)
            await expect(page.locator(rows)).to_have_count(4)  # every appeal of the day
        await page.click("#logout")
