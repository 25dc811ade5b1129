"""A link to the login page with a crafted ``next=`` must leave the browser on this site.

The browser is the judge here: it drops tabs and newlines from a Location and reads a backslash as
a slash, which is what turned ``/%09/evil`` into a jump to another host.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from models import User
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


@pytest.mark.parametrize("crafted", ["/%09/evil.invalid/", "/%0A/evil.invalid/", "/%5Cevil.invalid/"])
async def test_a_crafted_next_link_keeps_the_browser_on_the_panel(
    page: Page, admin: User, live_url: str, crafted: str
) -> None:
    await page.goto(f"/login?next={crafted}")
    await page.fill("#f-login", ADMIN_LOGIN)
    await page.fill("#f-password", ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.wait_for_url(f"{live_url}/")
    assert page.url == f"{live_url}/"
