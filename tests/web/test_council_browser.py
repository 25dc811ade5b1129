"""The secretary runs a council meeting in headless Chromium: plans it with the form, puts a
reviewed application on the agenda, marks who is present, votes as the chair, counts the votes (a
tie the chair's vote decides), closes the meeting and gets the protocol; the object is then in the
public registry."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import CouncilAgendaItem, CouncilMeeting
from models.enums import Vote
from services.council import voting
from tests.services.council_support import actor, make_people, make_type, reviewed_application
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_the_secretary_runs_a_meeting_to_its_protocol(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        people = await make_people(s)
        kind = await make_type(s)
        await reviewed_application(s, kind, 7, "Паровоз Ов-324", "Музей железной дороги", [9, 7],
                                   [people["outsider"], people["m3"]])  # fmt: skip
        await s.commit()
    secretary, m1, m2 = people["secretary"], people["m1"], people["m2"]

    await page.goto("/login")
    await page.fill("#f-login", "secretary")
    await page.fill("#f-password", "secret-pass-1")
    await page.get_by_role("button", name="Войти").click()
    await open_nav(page, "Работа", "Экспертный совет")
    await expect(page.locator("h1")).to_have_text("Экспертный совет")
    await page.click("#new-meeting")
    await page.fill("#f-held_at", "2026-12-10T15:00")
    await page.fill("#f-place", "Зал заседаний")
    await page.select_option("#f-chair_id", str(secretary.id))
    await page.select_option("#f-secretary_id", str(secretary.id))
    await page.check(f"#member-{m1.id}")
    await page.check(f"#member-{m2.id}")
    await page.click("#meeting-save")
    await expect(page.locator(".flash")).to_contain_text("Заседание ЭС-2026-01 запланировано.")

    await page.select_option("#f-application", label="З-2026-0007 — Паровоз Ов-324")
    await page.click("#agenda-add-btn")
    await expect(page.locator("#agenda")).to_contain_text("Средняя оценка экспертов: 8 из 10 (рецензий: 2).")
    await expect(page.locator("#quorum")).to_contain_text("Присутствуют 0 из 3: кворума нет")
    await page.check(f"#present-{secretary.id}")
    await page.check(f"#present-{m1.id}")
    await page.click("#attendance-save")
    await expect(page.locator("#quorum")).to_have_text("Присутствуют 2 из 3: кворум есть.")

    async with session_factory() as s:
        meeting = (await s.scalars(select(CouncilMeeting))).one()
        item = (await s.scalars(select(CouncilAgendaItem))).one()
        await voting.cast_vote(s, actor(m1), meeting.id, item.id, Vote.AGAINST)  # m1 votes on their own page
        await s.commit()
    await page.click(f"#vote-{item.id}-for")
    await expect(page.locator(".flash")).to_contain_text("Ваш голос учтён.")
    await expect(page.locator(f"#tally-{item.id}")).to_have_text(
        "За: 1, против: 1, воздержались: 0, не голосовали: 0."
    )
    await page.click(f"#decide-{item.id}")
    await expect(page.locator(f"#decision-{item.id}")).to_contain_text(
        "Решение: одобрено. Голоса разделились поровну: решил голос председателя."
    )
    await page.click("#close-meeting")
    await expect(page.locator(".flash")).to_contain_text("Заседание проведено и закрыто")
    await expect(page.locator("#meeting-status")).to_have_text("Проведено")
    response = await page.request.get(await page.get_attribute("#protocol-pdf", "href") or "")
    assert response.status == 200 and (await response.body()).startswith(b"%PDF")

    await page.goto("/registry")
    await expect(page.locator("#registry-list")).to_contain_text("Паровоз Ов-324 — Музей железной дороги")
