"""Issue #13 part 3 over HTTP: managers keep answer templates in the settings (unknown placeholders
refused with their names, clerks kept out); the clerk previews the answer letter as a PDF without
anything being kept; a 547-FZ message is offered «send as a letter» unticked and answered by text
alone; a letter for the post is printed with its DOCX/PDF and marked posted, once."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from aiohttp import FormData
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AnswerTemplate, Appeal, AppealLetter, AuditEvent, OrgCard, StoredFile
from models.enums import AppealRegime
from porucheno.settings import Settings
from services.appeals import answer_letter
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.staff import create_user
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, csrf_of
from tests.web.test_appeals_http import make_office
from tests.web.test_assignments_http import PASSWORD, client_for, page_text

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_managers_keep_templates_and_unknown_placeholders_are_refused(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        await create_user(
            s,
            Actor.system("test"),
            full_name="Борис Руководов",
            roles=["manager"],
            login="boss",
            password=PASSWORD,
        )
        await s.commit()
    clerk = await client_for(app_factory, "clerk")
    boss = await client_for(app_factory, "boss")
    try:
        assert (await clerk.get("/settings/answer-templates")).status == 403
        page = await page_text(boss, "/settings/answer-templates")
        assert 'id="tab-answer-templates"' in page and 'id="tab-categories"' not in page  # a manager's tabs
        assert "Шаблонов ответов пока нет." in page
        form = await page_text(boss, "/settings/answer-templates/new")
        assert "{applicant}</code> — имя заявителя" in form and "Дороги и тротуары" in form
        fields = {"csrf_token": csrf_of(form), "title": "Яма", "category_id": str(office.category_id)}
        bad = await boss.post(
            "/settings/answer-templates/new", data=fields | {"body": "Уважаемый {заявитель}! {number} {Due}"}
        )
        assert bad.status == 400
        assert "Неизвестные подстановки: {заявитель}, {Due}." in await bad.text()
        good = await boss.post(
            "/settings/answer-templates/new",
            data=fields | {"body": "Уважаемый {applicant}! Ответ до {due}."},
            allow_redirects=False,
        )
        assert good.status == 303
        async with session_factory() as s:
            template = await s.scalar(select(AnswerTemplate))
            assert template is not None and template.category_id == office.category_id
            template_id = template.id
        listing = await page_text(boss, "/settings/answer-templates")
        assert "Шаблон «Яма» сохранён." in listing and "Дороги и тротуары" in listing
        off = await boss.post(
            f"/settings/answer-templates/{template_id}/active",
            data={"csrf_token": csrf_of(listing), "active": "0"},
            allow_redirects=False,
        )
        assert off.status == 303
        appeal_page = await page_text(clerk, f"/appeals/{office.appeal_id}")
        assert 'id="f-answer_template"' not in appeal_page  # nothing active to offer
        async with session_factory() as s:
            actions = (
                await s.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.entity_type == "answer_template")
                    .order_by(AuditEvent.id)
                )
            ).all()
        assert actions == ["created", "deactivated"]
    finally:
        await clerk.close()
        await boss.close()


async def test_the_clerk_previews_the_letter_without_anything_kept(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        s.add(
            OrgCard(
                id=1, name="Администрация г. Энска", head_position="Глава города", head_name="С. В. Иванов"
            )
        )
        await s.commit()
        files_before = await s.scalar(select(func.count()).select_from(StoredFile))
    clerk = await client_for(app_factory, "clerk")
    try:
        page = await page_text(clerk, f"/appeals/{office.appeal_id}")
        form = FormData(quote_fields=False)
        for name, value in (
            ("csrf_token", csrf_of(page)),
            ("answer", "Яма будет заделана.\n\nСпасибо за обращение."),
            ("signer", "head"),
            ("letter_shown", "1"),
            ("as_letter", "1"),
            ("do", "preview"),
        ):
            form.add_field(name, value)
        form.add_field("answer_files", PDF, filename="смета.pdf", content_type="application/pdf")
        response = await clerk.post(f"/appeals/{office.appeal_id}/answer", data=form)
        assert response.status == 200 and response.content_type == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(await response.read()))
        flat = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        for expected in ("Администрация г. Энска", "Проект: исходящий номер присваивается", "Ольга Кузнецова",
                         "Яма будет заделана.", "1. смета.pdf", "Глава города", "С. В. Иванов"):  # fmt: skip
            assert expected in flat, (expected, flat)
        async with session_factory() as s:
            appeal = await s.get(Appeal, office.appeal_id)
            assert appeal is not None and appeal.answered_at is None
            assert await s.scalar(select(func.count()).select_from(AppealLetter)) == 0
            assert await s.scalar(select(func.count()).select_from(StoredFile)) == files_before
    finally:
        await clerk.close()


async def test_a_message_is_answered_by_text_and_a_posted_letter_is_marked_once(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    async with session_factory() as s:
        message = await s.get(Appeal, office.appeal_id)
        assert message is not None
        message.regime = AppealRegime.MESSAGE
        paper = await register_appeal(
            s,
            AppealInput(
                channel="paper",
                text="Прошу отремонтировать лавочку",
                contact=ContactInput(name="Анна Почтова", postal_address="г. Энск, ул. Мира, 3, кв. 1"),
                category_id=office.category_id,
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
        )
        await s.commit()
        paper_id = paper.appeal.id
    clerk = await client_for(app_factory, "clerk")
    try:
        page = await page_text(clerk, f"/appeals/{office.appeal_id}")
        box = re.search(r'<input type="checkbox" id="f-as_letter"[^>]*>', page)
        assert box is not None and "checked" not in box.group(0)  # a message: text alone by default
        assert "На сообщение (547-ФЗ) можно ответить одним текстом." in page
        fields = {"csrf_token": csrf_of(page), "answer": "Принято к сведению.", "letter_shown": "1"}
        answered = await clerk.post(f"/appeals/{office.appeal_id}/answer", data=fields, allow_redirects=False)
        assert answered.status == 303
        async with session_factory() as s:
            assert await answer_letter.answer_letter_of(s, office.appeal_id) is None

        page = await page_text(clerk, f"/appeals/{paper_id}")
        box = re.search(r'<input type="checkbox" id="f-as_letter"[^>]*>', page)
        assert box is not None and "checked" in box.group(0)
        fields = {
            "csrf_token": csrf_of(page),
            "answer": "Лавочку починят.",
            "letter_shown": "1",
            "as_letter": "1",
        }
        answered = await clerk.post(f"/appeals/{paper_id}/answer", data=fields, allow_redirects=False)
        assert answered.status == 303
        async with session_factory() as s:
            letter = await answer_letter.answer_letter_of(s, paper_id)
            assert letter is not None and letter.sent_at is None
        printable = await page_text(clerk, f"/appeals/{paper_id}/letter")
        assert f'href="/appeals/files/{letter.pdf_file_id}" id="letter-pdf"' in printable
        assert f'href="/appeals/files/{letter.docx_file_id}" id="letter-docx"' in printable
        assert f"Исх. № {letter.out_number}" in printable and "г. Энск, ул. Мира, 3, кв. 1" in printable
        assert "Лавочку починят." in printable
        download = await clerk.get(f"/appeals/files/{letter.pdf_file_id}")
        assert download.status == 200 and (await download.read()).startswith(b"%PDF")
        token = csrf_of(printable)
        marked = await clerk.post(
            f"/appeals/{paper_id}/answer/letter-sent",
            data={"csrf_token": token, "via": "post"},
            allow_redirects=False,
        )
        assert marked.status == 303
        again = await clerk.post(
            f"/appeals/{paper_id}/answer/letter-sent", data={"csrf_token": token, "via": "hand"}
        )
        assert "Письмо уже отмечено как отправленное." in await again.text()
        printable = await page_text(clerk, f"/appeals/{paper_id}/letter")
        assert 'id="letter-sent"' in printable and "почтой" in printable
        async with session_factory() as s:
            letter = await answer_letter.answer_letter_of(s, paper_id)
            assert letter is not None and letter.sent_via == "post"
    finally:
        await clerk.close()
