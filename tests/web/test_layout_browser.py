"""The panel's layout in headless Chromium: no page scrolls sideways at 1280×800 or on a phone
(390×844), the grouped menu stays one row on a laptop and opens from the hamburger on a phone, and
the print stylesheet hides the menu."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DemoPages, seed_long_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


def main_pages(ids: DemoPages) -> list[str]:
    return [
        "/",
        "/assignments",
        f"/assignments/{ids.assignment_id}",
        "/assignments/new",
        "/appeals",
        f"/appeals/{ids.appeal_id}",
        "/appeals/new",
        "/correspondents",
        "/appeals/quarantine",
        "/outages",
        f"/outages/{ids.outage_id}",
        "/outages/summary",
        "/outages/log",
        "/buildings",
        "/analytics",
        "/projects",
        f"/projects/{ids.project_id}",
        "/staff",
        f"/staff/{ids.staff_id}",
        "/departments",
        "/api-keys",
        "/form",  # the residents' pages share the layout
        "/form/status",
    ]


async def sign_in(page: Page) -> None:
    await page.goto("/login")
    await page.fill("#f-login", DEMO_ADMIN_LOGIN)
    await page.fill("#f-password", DEMO_ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page.locator("#logout")).to_be_visible()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
async def test_no_page_scrolls_sideways_on_a_laptop_or_a_phone(
    page: Page, session_factory: async_sessionmaker[AsyncSession], viewport: dict[str, int]
) -> None:
    ids = await seed_long_demo(session_factory)
    await page.set_viewport_size(viewport)
    await sign_in(page)
    overflowing: list[str] = []
    for path in main_pages(ids):
        # The stylesheet blocks rendering, so the layout is final once the document is parsed.
        response = await page.goto(path, wait_until="domcontentloaded")
        assert response is not None and response.ok, path
        excess = await page.evaluate(OVERFLOW_JS)
        if excess > 0:
            overflowing.append(f"{path} at {viewport['width']}px: {excess}px too wide")
    assert not overflowing, "\n".join(overflowing)


async def test_grouped_menu_is_one_row_on_a_laptop_and_a_hamburger_on_a_phone(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed_long_demo(session_factory)
    await page.set_viewport_size(LAPTOP)
    await sign_in(page)
    items = page.locator("#main-nav > a, #main-nav > details > summary")
    tops = {round(box["y"]) for box in [await item.bounding_box() for item in await items.all()] if box}
    assert len(tops) == 1, f"the menu wraps into {len(tops)} rows"
    header = await page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 70
    # One dropdown at a time; Escape closes it.
    await page.locator("#nav-work > summary").click()
    await expect(page.locator("#nav-work")).to_have_attribute("open", "")
    await page.locator("#nav-admin > summary").click()
    await expect(page.locator("#nav-work")).not_to_have_attribute("open", "")
    await page.keyboard.press("Escape")
    await expect(page.locator("#nav-admin")).not_to_have_attribute("open", "")
    await page.locator("#nav-admin > summary").click()
    await page.locator("#nav-admin").get_by_role("link", name="Сотрудники").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))
    await expect(page.locator("#nav-admin a[aria-current=page]")).to_have_text("Сотрудники")
    # The group of the current page is marked, the others are not.
    color = "el => getComputedStyle(el).borderBottomColor"
    admin_line = await page.locator("#nav-admin > summary").evaluate(color)
    work_line = await page.locator("#nav-work > summary").evaluate(color)
    assert admin_line != work_line

    await page.set_viewport_size(PHONE)
    await expect(page.locator("#main-nav")).to_be_hidden()
    await page.click("#nav-toggle")
    await expect(page.locator("#nav-toggle")).to_have_attribute("aria-expanded", "true")
    await page.locator("#nav-work > summary").click()
    await page.locator("#nav-work").get_by_role("link", name="Поручения", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/assignments$"))
    assert await page.evaluate(OVERFLOW_JS) <= 0


async def test_print_hides_the_menu_and_the_buttons(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_long_demo(session_factory)
    await sign_in(page)
    await page.goto(f"/assignments/{ids.assignment_id}")
    await page.emulate_media(media="print")
    await expect(page.locator("header.topbar")).to_be_hidden()
    await expect(page.locator("#main-nav")).to_be_hidden()
    await expect(page.locator("main form").first).to_be_hidden()
    await expect(page.locator("#actions")).to_be_hidden()  # an empty "Actions" card is no use on paper
    await expect(page.locator("main h1")).to_be_visible()
    background = await page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    await page.goto(f"/appeals/{ids.appeal_id}")
    await expect(page.locator("#main-nav")).to_be_hidden()
    await expect(page.locator("main h1")).to_be_visible()
    await page.emulate_media(media="screen")
