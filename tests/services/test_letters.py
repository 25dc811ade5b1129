"""Letters as documents: a letter issued on an appeal is numbered, rendered as DOCX and PDF on the
organisation's letterhead with the signer, kept with the appeal and audited."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, OrgCard, StoredFile
from models.enums import LetterKind
from services.files import file_path
from services.letters import issue
from services.offload import Offload
from tests.services.appeals_helpers import SYSTEM, make_staff, register

TZ = ZoneInfo("Europe/Moscow")


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


async def test_a_letter_is_rendered_in_both_formats_numbered_and_kept(
    session: AsyncSession, tmp_path: Path, render_pool: Offload
) -> None:
    people = await make_staff(session)
    card = OrgCard(id=1, name="Администрация Заречного района", address="ул. Ленина, 1", inn="7700000000",
                   head_position="Глава района", head_name="П. П. Петров")  # fmt: skip
    session.add(card)
    appeal = (await register(session, tmp_path)).appeal
    env = issue.LetterEnv(files_dir=tmp_path, tz=TZ)
    request = issue.LetterRequest(
        appeal_id=appeal.id,
        kind=LetterKind.ANSWER,
        title="Ответ на обращение",
        body="Уважаемый Иван Иванович!\n\nЯма будет заделана\nдо 10 декабря.",
        enclosures=("Фото.jpg",),
    )
    first = await issue.issue_letter(session, request, env, actor=people["clerk"])
    # The running panel renders in its render process (python-docx and fpdf2 hold the GIL).
    render_pool.clear()  # the other backend's run issued the very same letter
    misses = render_pool.misses
    pooled = issue.LetterEnv(files_dir=tmp_path, tz=TZ, offload=render_pool)
    second = await issue.issue_letter(session, request, pooled, actor=SYSTEM)
    assert render_pool.misses == misses + 2
    await session.commit()

    assert first.out_number == f"{appeal.reg_number}/1" and second.out_number == f"{appeal.reg_number}/2"
    assert (first.signer_position, first.signer_name) == ("Глава района", "П. П. Петров")
    docx_file = await session.get(StoredFile, first.docx_file_id)
    pdf_file = await session.get(StoredFile, first.pdf_file_id)
    assert docx_file is not None and pdf_file is not None
    assert docx_file.appeal_id == appeal.id and pdf_file.mime_type == "application/pdf"
    pooled_docx = await session.get(StoredFile, second.docx_file_id)
    pooled_pdf = await session.get(StoredFile, second.pdf_file_id)
    assert pooled_docx is not None and pooled_pdf is not None
    for text, number in (
        (_docx_text(file_path(tmp_path, docx_file).read_bytes()), 1),
        (_pdf_text(file_path(tmp_path, pdf_file).read_bytes()), 1),
        (_docx_text(file_path(tmp_path, pooled_docx).read_bytes()), 2),
        (_pdf_text(file_path(tmp_path, pooled_pdf).read_bytes()), 2),
    ):
        flat = " ".join(text.split())
        for expected in ("Администрация Заречного района", "ИНН 7700000000", f"{appeal.reg_number}/{number}",
                         f"На № {appeal.reg_number}", "Иванов Иван", "Ответ на обращение",
                         "Яма будет заделана до 10 декабря.", "Приложения:", "1. Фото.jpg",
                         "Глава района", "П. П. Петров"):  # fmt: skip
            assert expected in flat, (expected, flat)
    assert await issue.letter_file_ids(session, appeal.id) == {
        first.docx_file_id,
        first.pdf_file_id,
        second.docx_file_id,
        second.pdf_file_id,
    }
    events = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "letter_issued"))).all()
    assert [e.data["out_number"] for e in events] == [first.out_number, second.out_number]
    assert events[0].actor_user_id == people["clerk"].id


async def test_a_covering_letter_to_another_body_carries_no_reply_reference(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await make_staff(session)
    appeal = (await register(session, tmp_path)).appeal
    env = issue.LetterEnv(files_dir=tmp_path, tz=TZ)
    request = issue.LetterRequest(
        appeal_id=appeal.id,
        kind=LetterKind.REDIRECT_COVER,
        title="О направлении обращения",
        body=f"Направляем обращение № {appeal.reg_number} по компетенции.",
        recipient_lines=("Министерство транспорта",),
    )
    letter = await issue.issue_letter(session, request, env, actor=people["clerk"])
    await session.commit()
    pdf = await session.get(StoredFile, letter.pdf_file_id)
    assert pdf is not None
    flat = " ".join(_pdf_text(file_path(tmp_path, pdf).read_bytes()).split())
    # Their own letter is not being answered: no «На № … от …»; the text names the appeal.
    assert "На №" not in flat and f"Исх. № {letter.out_number}" in flat
    assert "Министерство транспорта" in flat and f"обращение № {appeal.reg_number}" in flat
