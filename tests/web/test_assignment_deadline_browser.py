"""The control moves an assignment's deadline on its page (issue #12, item 5): a past date is
refused with a clear message, a future one is set, audited, shown and told to the executor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, AuditEvent, OutboxMessage
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_assignments_http import MOSCOW, PASSWORD, local_input, make_world, new_assignment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_controller_changes_the_deadline(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(session_factory)
    aid = await new_assignment(session_factory, world)
    await page.goto("/login")
    await page.fill("#f-login", "control")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.goto(f"/assignments/{aid}")

    await page.fill("#f-new-deadline", local_input(datetime.now(UTC) - timedelta(days=1)))
    await page.locator("#deadline-form button").click()
    await expect(page.locator(".flash")).to_have_text("Новый срок должен быть в будущем.")

    wanted = (datetime.now(UTC) + timedelta(days=9)).replace(second=0, microsecond=0)
    await page.fill("#f-new-deadline", local_input(wanted))
    await page.fill("#f-deadline-reason", "Ждём подрядчика")
    await page.locator("#deadline-form button").click()
    await expect(page.locator(".flash")).to_have_text("Срок изменён. Исполнитель уведомлён.")
    await expect(page.locator("#deadline")).to_contain_text(wanted.astimezone(MOSCOW).strftime(", %H:%M"))
    await expect(page.locator("#f-new-deadline")).to_have_value(local_input(wanted))
    changed = page.locator("#timeline .step-deadline_changed")
    await expect(changed).to_contain_text("срок изменён")
    await expect(changed).to_contain_text("Причина: Ждём подрядчика")

    async with session_factory() as s:
        a = await s.get(Assignment, aid)
        assert a is not None and a.deadline == wanted
        assert (
            await s.scalar(select(AuditEvent.id).where(AuditEvent.action == "deadline_changed")) is not None
        )
        notices = (await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 1001))).all()
        assert any("Срок поручения изменён" in (m.payload.get("text") or "") for m in notices)
