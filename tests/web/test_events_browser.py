"""Events in headless Chromium: a clerk opens an event from the list, marks one person as came and
the rest, in bulk, as did not come; the page and the counts say so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import EventRegistration
from porucheno.settings import Settings
from services.audit import Actor
from services.events import registration
from tests.services.events_support import make_event, make_person, ru
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "events-pass-123"
TITLE = "Экскурсия по открытому хранению"


async def test_clerk_marks_attendance(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession], tmp_path
) -> None:
    clerk = await make_user(session_factory, "clerk", PASSWORD, ["clerk"], full_name="Соколова Ирина")
    event_id = await make_event(
        session_factory, clerk.id, title=TITLE, capacity=15, starts_in=timedelta(hours=3)
    )
    ids = {}
    for i, name in enumerate(("Анна Котова", "Борис Лебедев", "Вера Журавлёва")):
        card = await make_person(session_factory, name, 8800 + i)
        async with session_factory() as session:
            row = await registration.register(
                session, event_id=event_id, correspondent_id=card, actor=Actor.system(), telegram_id=8800 + i
            )
            await session.commit()
            ids[name] = row.id

    await page.goto("/login")
    await page.fill("#f-login", "clerk")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.goto("/events")
    await page.get_by_role("link", name=TITLE).click()
    await expect(page.locator("h1")).to_have_text(TITLE)

    anna = page.locator(f"#registration-{ids['Анна Котова']}")
    await anna.get_by_role("button", name=ru("Came"), exact=True).click()
    await expect(page.locator(f"#registration-{ids['Анна Котова']} .attendance")).to_have_text(ru("came"))
    await page.get_by_role("button", name=ru("Everyone not marked did not come")).click()
    await expect(page.locator(f"#registration-{ids['Вера Журавлёва']} .attendance")).to_have_text(
        ru("did not come")
    )
    await expect(page.locator("#attendance-counts")).to_have_text(
        ru("came: %(came)s, did not come: %(missed)s", came=1, missed=2)
    )
    await page.screenshot(path=str(tmp_path / "event.png"), full_page=True)
    async with session_factory() as session:
        marked = {name: (await session.get(EventRegistration, rid)).attended for name, rid in ids.items()}
    assert marked == {"Анна Котова": True, "Борис Лебедев": False, "Вера Журавлёва": False}
