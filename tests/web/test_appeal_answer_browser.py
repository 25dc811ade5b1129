"""Issue #12 in headless Chromium: answering an appeal whose assignment is still open. The first
submit only warns (the open assignment with its executor and state) and sends nothing; «answer
anyway» with a reason answers it, and the appeal's history shows the override."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, AuditEvent, OutboxMessage, User, utcnow
from porucheno.settings import Settings
from services.appeals import workflow
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_appeals_browser import sign_in
from tests.web.test_appeals_http import RESIDENT_TG, make_office

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _answers_sent(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as s:
        keys = (
            await s.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.chat_id == RESIDENT_TG))
        ).all()
    return sum(1 for k in keys if k and ":answered:" in k)


async def test_answer_with_an_open_assignment_warns_then_needs_an_audited_override(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        clerk = await s.get(User, office.clerk_id)
        assert clerk is not None
        assignment = await workflow.create_assignment_from_appeal(
            s,
            office.appeal_id,
            workflow.AppealAssignment(deadline=utcnow() + timedelta(days=5), executor_id=office.ivan_id),
            actor=clerk,
        )
        await s.commit()
        aid = assignment.id
    await sign_in(page)
    await page.goto(f"/appeals/{office.appeal_id}")
    await page.fill("#f-answer", "Яма будет засыпана на этой неделе.")
    await page.set_input_files(
        "#f-answer_files", files=[{"name": "график.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.get_by_role("button", name="Дать ответ").click()

    warning = page.locator("#open-assignments-warning")
    await expect(warning).to_contain_text("незавершённые поручения; ответ не отправлен")
    await expect(warning.locator(f'li[data-id="{aid}"]')).to_contain_text("Иван Петров")
    await expect(warning.locator(f'li[data-id="{aid}"]')).to_contain_text("новое")
    await expect(page.locator("#f-answer")).to_have_value("Яма будет засыпана на этой неделе.")
    await expect(page.locator("#status")).to_have_text("В работе")
    await expect(page.locator("#answer-kept-files")).to_contain_text("график.pdf")  # kept, not re-picked
    assert await _answers_sent(session_factory) == 0

    # «Answer anyway» without a reason is refused too.
    await page.check("#f-answer_anyway")
    await page.get_by_role("button", name="Дать ответ").click()
    await expect(page.locator("#e-override_reason")).to_contain_text("Укажите, почему ответ даётся")
    assert await _answers_sent(session_factory) == 0

    await page.fill("#f-override_reason", "Заявитель просил сообщить сроки сразу")
    await page.get_by_role("button", name="Дать ответ").click()
    await expect(page.locator(".flash")).to_have_text("Ответ записан.")
    await expect(page.locator("#status")).to_have_text("Ответ дан")
    await expect(page.locator("#answer-override")).to_contain_text(f"№{aid}")
    await expect(page.locator("#answer-files")).to_contain_text("график.pdf")
    await expect(page.locator("#timeline")).to_contain_text("Заявитель просил сообщить сроки сразу")
    assert await _answers_sent(session_factory) == 3  # the text, the letter (PDF), then the document
    async with session_factory() as s:
        appeal = await s.get(Appeal, office.appeal_id)
        assert appeal is not None and appeal.status == "answered"
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "answered"))
        assert event is not None and event.reason == "Заявитель просил сообщить сроки сразу"
        assert event.data["open_assignment_ids"] == [aid]
