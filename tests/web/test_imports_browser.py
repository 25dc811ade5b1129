"""The import pages in Chromium: staff CSV with a bad row -> dry run report -> real run -> re-run."""

from __future__ import annotations

import pytest
from playwright.async_api import Page
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, User
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
STAFF_CSV = (
    "ФИО;Должность;E-mail;Логин;Роли;Табельный номер\n"
    "Иванов Иван;Инженер;ivanov@example.ru;ivanov;исполнитель;S-1\n"
    "Петрова Анна;Юрист;petrova@example.ru;petrova;контролёр, исполнитель;S-2\n"
    "Сидоров Сидор;;;sidorov;волшебник;S-3\n"  # row 4: no such role
).encode()


async def _upload(page: Page) -> None:
    await page.goto("/imports")
    await page.select_option("#f-kind", "staff")
    await page.set_input_files(
        "#f-file", files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": STAFF_CSV}]
    )
    await page.click("#import-submit")
    await page.wait_for_selector('#import-job[data-status="done"]')


async def _staff_count(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_staff_import_dry_run_then_real_then_idempotent(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await page.goto("/login")
    await page.fill("#f-login", ADMIN_LOGIN)
    await page.fill("#f-password", ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await open_nav(page, "Администрирование", "Импорт данных")
    await page.wait_for_selector("#import-form")

    await _upload(page)
    assert await page.text_content("#report-created") == "2"
    assert await page.text_content("#report-rejected") == "1"
    row = await page.text_content("#rejected-rows tbody tr")
    assert row is not None and "4" in row and "Неизвестная роль «волшебник»" in row
    assert await _staff_count(session_factory) == 1  # the dry run wrote nothing

    await page.click("#import-run")
    await page.wait_for_selector('#import-job[data-status="done"]')
    assert "Результат импорта" in (await page.text_content("#import-report") or "")
    assert await page.text_content("#report-created") == "2"
    assert await _staff_count(session_factory) == 3
    assert await page.is_visible("#invites-qr")

    await _upload(page)  # the same file again: nothing new
    assert await page.text_content("#report-created") == "0"
    assert await page.text_content("#report-unchanged") == "2"
    async with session_factory() as session:
        actions = set(
            (
                await session.scalars(
                    select(AuditEvent.action).where(AuditEvent.entity_type.in_(("import", "import_job")))
                )
            ).all()
        )
    assert {"created", "confirmed", "finished", "imported_staff"} <= actions
