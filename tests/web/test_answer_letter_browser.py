"""Issue #13 part 3 in headless Chromium: a clerk picks an answer template (only the appeal's topic's
and the general ones are offered), inserts it filled from the appeal, edits it, signs it themselves
and gives the answer. The letter is kept with the appeal as DOCX and PDF on the letterhead with the
signer and the enclosures, and goes out as the answer: in Telegram the text, then the letter's PDF,
then the files; by e-mail the PDF first among the attachments."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AnswerTemplate, Appeal, Category, MailOutbox, OrgCard, OutboxMessage, StoredFile, User
from porucheno.settings import Settings
from services.appeals import answer_letter
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.files import file_path
from tests.services.test_letters import _docx_text, _pdf_text
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING
from tests.web.test_appeals_browser import sign_in
from tests.web.test_appeals_http import RESIDENT_TG, Office, make_office

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROAD_TEMPLATE = (
    "Уважаемый(-ая) {applicant}!\n\nПо обращению № {number} от {date} о дороге по адресу {address} "
    "сообщаем: {org} включила ремонт в план."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _set_up(session_factory: async_sessionmaker[AsyncSession], office: Office) -> dict[str, int]:
    """The letterhead, a clerk with a position, and templates: the roads', a general one, a parks' one."""
    async with session_factory() as s:
        s.add(OrgCard(id=1, name="Администрация города Энска", short_name="Администрация г. Энска",
                      address="г. Энск, пл. Ленина, 1", inn="5000000001",
                      head_position="Глава города", head_name="С. В. Иванов"))  # fmt: skip
        clerk = await s.get(User, office.clerk_id)
        assert clerk is not None
        clerk.position = "Ведущий специалист"
        parks = Category(code="parks", name_ru="Парки", name_en="Parks", answer_days=30)
        s.add(parks)
        await s.flush()
        templates = {
            "roads": AnswerTemplate(
                category_id=office.category_id, title="Ремонт дороги", body=ROAD_TEMPLATE
            ),
            "general": AnswerTemplate(title="Общий ответ", body="Уважаемый(-ая) {applicant}! Меры приняты."),
            "parks": AnswerTemplate(category_id=parks.id, title="Про парки", body="Парки"),
        }
        s.add_all(templates.values())
        await s.commit()
        return {k: t.id for k, t in templates.items()}


async def _flat(session: AsyncSession, files_dir: Path, file_id: int | None) -> str:
    stored = await session.get(StoredFile, file_id)
    assert stored is not None
    data = file_path(files_dir, stored).read_bytes()
    text = _pdf_text(data) if stored.mime_type == "application/pdf" else _docx_text(data)
    return " ".join(text.split())


async def test_a_template_answer_signed_by_the_clerk_goes_to_telegram_as_the_letter(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    ids = await _set_up(session_factory, office)
    async with session_factory() as s:
        appeal = await s.get(Appeal, office.appeal_id)
        assert appeal is not None
        number = appeal.reg_number
        registered = appeal.registered_at.astimezone(settings.tz).strftime("%d.%m.%Y")
    await sign_in(page)
    await page.goto(f"/appeals/{office.appeal_id}")

    picker = page.locator("#f-answer_template option")
    await expect(picker).to_have_text(["— выберите —", "Ремонт дороги", "Общий ответ"])  # no parks
    await expect(page.locator("#f-as_letter")).to_be_checked()  # a 59-FZ appeal: a letter by default
    await page.set_input_files(
        "#f-answer_files", files=[{"name": "смета.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.select_option("#f-answer_template", str(ids["roads"]))
    await page.click("#insert-template")
    filled = (
        f"Уважаемый(-ая) Ольга Кузнецова!\n\nПо обращению № {number} от {registered} о дороге по адресу "
        "ул. Ленина, 5 сообщаем: Администрация г. Энска включила ремонт в план."
    )
    await expect(page.locator("#f-answer")).to_have_value(filled)
    await expect(page.locator("#answer-kept-files")).to_contain_text("смета.pdf")  # kept meanwhile
    await page.fill("#f-answer", filled + "\n\nРаботы начнутся 10 июня.")
    signers = page.locator("#f-signer option")
    await expect(signers).to_have_text(
        ["Глава города · С. В. Иванов", "Ведущий специалист · Елена Письмоводова"]
    )
    await page.select_option("#f-signer", "me")
    await page.get_by_role("button", name="Дать ответ").click()

    await expect(page.locator(".flash")).to_have_text("Ответ записан.")
    await expect(page.locator("#status")).to_have_text("Ответ дан")
    await expect(page.locator("#letters")).to_contain_text(f"{number}/1")
    async with session_factory() as s:
        letter = await answer_letter.answer_letter_of(s, office.appeal_id)
        assert letter is not None and letter.sent_via == "telegram"
        for file_id in (letter.docx_file_id, letter.pdf_file_id):
            flat = await _flat(s, settings.files_dir, file_id)
            for expected in ("Администрация города Энска", "г. Энск, пл. Ленина, 1", "ИНН 5000000001",
                             f"Исх. № {number}/1", f"На № {number} от {registered}", "Ольга Кузнецова",
                             "Ответ на обращение", "включила ремонт в план.", "Работы начнутся 10 июня.",
                             "Приложения:", "1. смета.pdf", "Ведущий специалист",
                             "Елена Письмоводова"):  # fmt: skip
                assert expected in flat, (expected, flat)
            assert "С. В. Иванов" not in flat  # the clerk signed, not the head
        pdf = await s.get(StoredFile, letter.pdf_file_id)
        assert pdf is not None
        sent = (
            await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == RESIDENT_TG, OutboxMessage.dedup_key.contains(":answered:"))
                .order_by(OutboxMessage.id)
            )
        ).all()
    assert [m.method for m in sent] == ["sendMessage", "sendDocument", "sendDocument"]
    assert "Работы начнутся 10 июня." in sent[0].payload["text"]
    assert sent[1].payload["document"] == {"path": pdf.storage_path, "filename": pdf.original_name}
    assert sent[2].payload["document"]["filename"] == "смета.pdf"


async def test_an_emailed_appeal_gets_the_letter_pdf_signed_by_the_head(
    page: Page, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    await _set_up(session_factory, office)
    async with session_factory() as s:
        result = await register_appeal(
            s,
            AppealInput(
                channel="email",
                text="Прошу убрать мусор во дворе",
                contact=ContactInput(name="Пётр Сидоров", email="sidorov@example.ru"),
                category_id=office.category_id,
                external_id="<q42@example.ru>",
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
        )
        await s.commit()
        appeal_id = result.appeal.id
    await sign_in(page)
    await page.goto(f"/appeals/{appeal_id}")
    await page.select_option("#f-answer_template", label="Общий ответ")
    await page.click("#insert-template")
    await expect(page.locator("#f-answer")).to_have_value("Уважаемый(-ая) Пётр Сидоров! Меры приняты.")
    await page.get_by_role("button", name="Дать ответ").click()
    await expect(page.locator(".flash")).to_have_text("Ответ записан.")

    async with session_factory() as s:
        letter = await answer_letter.answer_letter_of(s, appeal_id)
        assert letter is not None and letter.sent_via == "email"
        assert (letter.signer_position, letter.signer_name) == ("Глава города", "С. В. Иванов")
        flat = await _flat(s, settings.files_dir, letter.pdf_file_id)
        assert "Меры приняты." in flat and "Глава города" in flat and "С. В. Иванов" in flat
        mail = await s.scalar(
            select(MailOutbox).where(MailOutbox.dedup_key == f"appeal:{appeal_id}:answered")
        )
        assert mail is not None and mail.to_address == "sidorov@example.ru"
        assert mail.file_ids == [letter.pdf_file_id]
        assert "Меры приняты." in mail.body
