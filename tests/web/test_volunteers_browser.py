"""Volunteers in Chromium: a manager opens the base from the Audience menu, accepts a candidate, ticks
Saturday evening in the availability grid, assigns them from the suggested list of an event with a
role, and marks the hours of a past shift."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import User, Volunteer, VolunteerShift, utcnow
from models.enums import VolunteerShiftStatus
from tests.volunteers_support import make_event, make_person, questionnaire
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav
from tests.web.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_manager_accepts_assigns_and_marks_hours(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        card = await make_person(s, "Орлова Дарья", telegram_id=880_201)
        volunteer = await questionnaire(s, card, {"skills": "гардероб", "availability": "weekdays"})
        past = await make_event(s, "Лекция о Шишкине", utcnow() - timedelta(days=2), hours=3)
        volunteer_id, past_id = volunteer.id, past.id
        await s.commit()

    await sign_in(page)
    await open_nav(page, "Аудитория", "Волонтёры")
    row = page.locator(f"#volunteer-{volunteer_id}")
    await expect(row).to_contain_text("Кандидат")
    await row.get_by_role("link", name="Орлова Дарья").click()
    await page.click("#set-active")
    await expect(page.locator(".flash")).to_contain_text("Статус: Активен.")
    await expect(page.locator("#status")).to_have_text("Активен")

    # Every day of the grid, so the past lecture's weekday and hour are surely among them.
    for box in await page.locator("#availability input[type=checkbox]").all():
        await box.check()
    await page.fill("#f-skills", "гардероб, экскурсии")
    await page.click("#save-profile")
    await expect(page.locator(".flash")).to_contain_text("Сохранено.")
    await expect(page.locator("#slot-sat_evening")).to_be_checked()

    await page.goto(f"/volunteers/events/{past_id}")
    suggested = page.locator(f"#suggested-{volunteer_id}")
    await expect(suggested).to_contain_text("гардероб, экскурсии")
    await page.check(f"#pick-{volunteer_id}")
    await page.fill("#f-role", "Гардероб")
    await page.click("#assign")
    await expect(page.locator(".flash")).to_contain_text("Назначено; волонтёра попросили подтвердить в боте.")
    async with session_factory() as s:
        shift = await s.scalar(select(VolunteerShift))
        assert shift is not None and shift.role == "Гардероб"
    shift_row = page.locator(f"#shift-{shift.id}")
    await expect(shift_row.locator(".shift-status")).to_have_text("Ждём ответа")
    await shift_row.locator(f"#hours-{shift.id}").fill("2,5")
    await shift_row.locator(f"#done-{shift.id}").click()
    await expect(page.locator(".flash")).to_contain_text("Отмечено: 2,5 ч.")
    await expect(page.locator(f"#shift-{shift.id} .shift-status")).to_have_text("Отработана")
    await expect(page.locator("#event-hours")).to_have_text("2,5")
    async with session_factory() as s:
        done = await s.get(VolunteerShift, shift.id)
        assert done is not None and done.status == VolunteerShiftStatus.DONE and done.hours == 2.5
        assert (await s.get(Volunteer, volunteer_id)).skills == ["гардероб", "экскурсии"]  # type: ignore[union-attr]
