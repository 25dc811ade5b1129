"""Shared by the article 11 outcome tests: an office with a letterhead and a manager, appeals from the
same people, and readers for what the applicant gets (the letter's DOCX and PDF, outbox rows, mail)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import docx
import pypdf
from playwright.async_api import Page
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, AppealLetter, MailOutbox, OrgCard, OutboxMessage, StoredFile, User, utcnow
from services.appeals import workflow
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.files import file_path
from services.staff import create_user
from tests.web.test_appeals_http import RESIDENT_TG, Office, make_office
from tests.web.test_assignments_http import PASSWORD

ORG = "Администрация Заречного района"
HEAD = ("Глава района", "П. П. Петров")
BOSS = "Борис Начальников"


@dataclass(frozen=True)
class LawOffice:
    office: Office
    manager_id: int

    @property
    def appeal_id(self) -> int:
        return self.office.appeal_id


async def make_law_office(session_factory: async_sessionmaker[AsyncSession], files_dir: Path) -> LawOffice:
    """``make_office`` (the clerk «clerk», Ольга's Telegram appeal) plus the organisation's card with
    its head, and a manager «boss» who may decide to stop correspondence."""
    office = await make_office(session_factory, files_dir)
    async with session_factory() as s:
        s.add(OrgCard(id=1, name=ORG, address="ул. Ленина, 1", head_position=HEAD[0], head_name=HEAD[1]))
        boss = await create_user(
            s, Actor.system("test"), full_name=BOSS, roles=["manager"], login="boss", password=PASSWORD
        )
        await s.commit()
        return LawOffice(office, boss.id)


async def add_appeal(
    session_factory: async_sessionmaker[AsyncSession],
    files_dir: Path,
    *,
    channel: str = "telegram",
    contact: ContactInput | None = None,
    text: str = "Снова яма на дороге у дома 5",
    category_id: int | None = None,
    now: datetime | None = None,
    answer: str | None = None,
) -> int:
    """One more appeal (by default Ольга's, from Telegram); ``answer``: answered on the merits."""
    async with session_factory() as s:
        result = await register_appeal(
            s,
            AppealInput(
                channel=channel,
                text=text,
                contact=contact or ContactInput(name="Ольга Кузнецова", telegram_id=RESIDENT_TG),
                category_id=category_id,
            ),
            actor=Actor(telegram_id=RESIDENT_TG) if channel == "telegram" else Actor.system("test"),
            files_dir=files_dir,
            now=now,
        )
        if answer is not None:
            clerk = await s.scalar(select(User).where(User.login == "clerk"))
            assert clerk is not None
            await workflow.answer_appeal(
                s,
                result.appeal.id,
                text=answer,
                actor=clerk,
                notify=None,
                now=(now or utcnow()) + timedelta(days=3),
            )
        await s.commit()
        return result.appeal.id


async def sign_in_as(page: Page, login: str) -> None:
    await page.goto("/login")
    await page.fill("#f-login", login)
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()


def flat(text: str) -> str:
    return " ".join(text.split())


async def letter_texts(
    session_factory: async_sessionmaker[AsyncSession], files_dir: Path, appeal_id: int, kind: str
) -> tuple[AppealLetter, str, str]:
    """The appeal's letter of ``kind`` with the text of its DOCX and of its PDF (whitespace folded)."""
    async with session_factory() as s:
        letter = await s.scalar(
            select(AppealLetter).where(AppealLetter.appeal_id == appeal_id, AppealLetter.kind == kind)
        )
        assert letter is not None, f"no {kind} letter"
        docx_file = await s.get(StoredFile, letter.docx_file_id)
        pdf_file = await s.get(StoredFile, letter.pdf_file_id)
        assert docx_file is not None and pdf_file is not None
    document = docx.Document(io.BytesIO(file_path(files_dir, docx_file).read_bytes()))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    docx_text = "\n".join([p.text for p in document.paragraphs] + cells)
    reader = pypdf.PdfReader(io.BytesIO(file_path(files_dir, pdf_file).read_bytes()))
    pdf_text = "\n".join(p.extract_text() for p in reader.pages)
    return letter, flat(docx_text), flat(pdf_text)


async def outbox_for(
    session_factory: async_sessionmaker[AsyncSession], appeal_id: int, event: str
) -> list[OutboxMessage]:
    async with session_factory() as s:
        rows = await s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedup_key.like(f"appeal:{appeal_id}:{event}:%"))
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def mail_for(session_factory: async_sessionmaker[AsyncSession], appeal_id: int) -> list[MailOutbox]:
    async with session_factory() as s:
        rows = await s.scalars(
            select(MailOutbox).where(MailOutbox.appeal_id == appeal_id).order_by(MailOutbox.id)
        )
        return list(rows.all())


async def load(session_factory: async_sessionmaker[AsyncSession], appeal_id: int) -> Appeal:
    async with session_factory() as s:
        appeal = await s.get(Appeal, appeal_id)
        assert appeal is not None
        return appeal
