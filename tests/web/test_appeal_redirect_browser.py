"""59-FZ art. 8 p. 3 in headless Chromium: a clerk redirects a Telegram appeal by competence from its
page. The covering letter (DOCX and PDF) names the appeal, its applicant and the receiving body with
the appeal's files as enclosures; the applicant gets the notice in the bot with the notice letter's
PDF; the card shows where it went."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, AppealLetter, OutboxMessage, StoredFile
from models.enums import LetterKind
from porucheno.settings import Settings
from services.files import file_path
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_appeals_browser import sign_in
from tests.web.test_appeals_http import RESIDENT_TG, make_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
BODY = "Министерство транспорта области"


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # PDF lines wrap anywhere


async def _bytes(session: AsyncSession, settings: Settings, file_id: int | None) -> bytes:
    stored = await session.get(StoredFile, file_id)
    assert stored is not None
    return file_path(settings.files_dir, stored).read_bytes()


async def test_clerk_redirects_an_appeal_and_the_applicant_gets_the_notice(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        appeal = await s.get(Appeal, office.appeal_id)
        assert appeal is not None
        number = appeal.reg_number
    await sign_in(page)
    await page.goto(f"/appeals/{office.appeal_id}")
    await expect(page.locator("#regime")).to_contain_text("Обращение (59-ФЗ)")
    await expect(page.locator("#redirect-due")).to_be_visible()
    await page.get_by_text("Перенаправить по компетенции", exact=True).click()
    await expect(page.locator("#f-redirect_cover")).to_contain_text(number)
    await expect(page.locator("#f-redirect_cover")).to_contain_text("Ольга Кузнецова")
    await expect(page.locator("#f-redirect_notice")).to_contain_text("{body}")

    # The receiving body is required: refused, the texts kept, the form still open.
    await page.get_by_role("button", name="Перенаправить и выпустить письма").click()
    await expect(page.locator("#e-redirect_to")).to_be_visible()
    await expect(page.locator("#f-redirect_cover")).to_contain_text(number)

    await page.fill("#f-redirect_to", BODY)
    await page.fill("#f-redirect_sstu_id", "5f2b8a10-1c2d-4e3f-9a8b-7c6d5e4f3a21")
    await page.check("#f-redirect_attach")
    await page.get_by_role("button", name="Перенаправить и выпустить письма").click()
    await expect(page.locator(".flash")).to_have_text("Обращение перенаправлено, письма выпущены.")
    await expect(page.locator("#status")).to_have_text("Направлено по компетенции")
    await expect(page.locator("#redirected")).to_contain_text(BODY)
    await expect(page.locator("#redirected")).to_contain_text("5f2b8a10-1c2d-4e3f-9a8b-7c6d5e4f3a21")
    await expect(page.locator("#letters li")).to_have_count(2)
    await expect(page.locator("#redirect")).to_have_count(0)  # terminal: no second redirection
    await expect(page.locator("#timeline")).to_contain_text("перенаправлено по компетенции")

    async with session_factory() as s:
        cover = await s.scalar(select(AppealLetter).where(AppealLetter.kind == LetterKind.REDIRECT_COVER))
        notice = await s.scalar(select(AppealLetter).where(AppealLetter.kind == LetterKind.REDIRECT_NOTICE))
        assert cover is not None and notice is not None
        for text in (
            _docx_text(await _bytes(s, settings, cover.docx_file_id)),
            _pdf_text(await _bytes(s, settings, cover.pdf_file_id)),
        ):
            assert BODY in text  # the addressee
            assert "О направлении обращения по компетенции" in text
            assert f"обращение № {number}" in text and "Ольга Кузнецова" in text
            assert "яма.png" in text  # the appeal's file, listed as an enclosure
        notice_pdf = await _bytes(s, settings, notice.pdf_file_id)
        assert f"Ваше обращение № {number}" in _pdf_text(notice_pdf) and "транспорта" in _pdf_text(notice_pdf)
        assert notice.sent_via == "telegram"
        notice_file = await s.get(StoredFile, notice.pdf_file_id)
        assert notice_file is not None
        rows = (
            await s.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id == RESIDENT_TG).order_by(OutboxMessage.id)
            )
        ).all()
    redirected = [r for r in rows if ":redirected:" in (r.dedup_key or "")]
    assert [r.method for r in redirected] == ["sendMessage", "sendDocument"]
    assert BODY in redirected[0].payload["text"] and "{body}" not in redirected[0].payload["text"]
    document = redirected[1].payload["document"]
    assert document == {"path": notice_file.storage_path, "filename": notice_file.original_name}
    assert document["filename"].endswith(".pdf")
