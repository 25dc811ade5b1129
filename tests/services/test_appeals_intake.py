"""Registering appeals: numbering per year (also under concurrency), deadlines, exactly-once intake,
validation, files and the acknowledgement to the correspondent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Correspondent, MailOutbox, OutboxMessage, StoredFile
from models.enums import AppealChannel, AppealStatus
from services.appeals.intake import MAX_TEXT_CHARS, ContactInput, IncomingFile
from services.errors import InvalidInput
from tests.services.appeals_helpers import PNG, add_account, make_category, register

NEW_YEAR_MSK = datetime(2025, 12, 31, 21, 0, tzinfo=UTC)  # 00:00 on 1 January 2026 in Moscow


async def test_numbers_run_per_year_and_deadlines_follow_the_category(
    session: AsyncSession, tmp_path: Path
) -> None:
    before = NEW_YEAR_MSK - timedelta(minutes=1)
    first = await register(session, tmp_path, now=before - timedelta(days=1))
    second = await register(session, tmp_path, now=before)
    third = await register(session, tmp_path, now=NEW_YEAR_MSK)
    late_paper = await register(
        session, tmp_path, now=before - timedelta(hours=3), channel=AppealChannel.PAPER
    )
    numbers = [r.appeal.reg_number for r in (first, second, third, late_paper)]
    assert numbers == ["2025-000001", "2025-000002", "2026-000001", "2025-000003"]
    assert third.appeal.reg_year == 2026 and third.appeal.reg_seq == 1
    assert first.appeal.due_at == first.appeal.registered_at + timedelta(days=30)
    assert first.appeal.status == AppealStatus.REGISTERED
    quick = await make_category(session, "lights", answer_days=7)
    fast = await register(session, tmp_path, now=NEW_YEAR_MSK, category_code="lights")
    # The 7th day, 8 January, falls in the New Year holidays, and the working day before them (30
    # December) precedes the term itself: it ends on the first working day after them, Monday 12.01.
    assert fast.appeal.due_at == NEW_YEAR_MSK + timedelta(days=11) and fast.appeal.category_id == quick.id
    assert fast.appeal.reg_number == "2026-000002"


async def test_concurrent_registrations_get_distinct_gap_free_numbers(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async def one(i: int) -> str:
        async with session_factory() as s:
            contact = ContactInput(name=f"Житель {i}", telegram_id=5000 + i % 3)
            result = await register(s, tmp_path, contact=contact, text=f"Обращение {i}")
            return result.appeal.reg_number

    numbers = await asyncio.gather(*(one(i) for i in range(8)))
    year = numbers[0][:4]
    assert sorted(numbers) == [f"{year}-{n:06d}" for n in range(1, 9)]
    async with session_factory() as s:
        counts = (await s.scalars(select(Correspondent.appeals_count).order_by(Correspondent.id))).all()
    assert sorted(counts) == [2, 3, 3]


async def test_bad_input_is_refused_with_a_reason(session: AsyncSession, tmp_path: Path) -> None:
    cases = [
        ({"text": "   "}, "The appeal is empty: write its text or attach a file."),
        ({"text": "я" * (MAX_TEXT_CHARS + 1)}, "The appeal text is too long: at most %(n)d characters."),
        ({"category_code": "nope"}, "Unknown appeal category."),
        ({"channel": "pigeon"}, "Unknown appeal channel."),
    ]
    for fields, msgid in cases:
        with pytest.raises(InvalidInput) as exc:
            await register(session, tmp_path, commit=False, **fields)  # type: ignore[arg-type]
        assert exc.value.message == msgid
    # A text at the limit, or files without any text, are fine.
    assert (await register(session, tmp_path, text="я" * MAX_TEXT_CHARS)).created
    assert (await register(session, tmp_path, text="", files=[IncomingFile(PNG, "photo.png")])).created


async def test_files_are_stored_or_listed_with_a_reason(session: AsyncSession, tmp_path: Path) -> None:
    files = [
        IncomingFile(PNG, "яма.png", telegram_file_id="tg-1"),
        IncomingFile(b"MZ\x90\x00 not a document", "virus.exe"),
        IncomingFile(b"\x00" * (20 * 1024 * 1024 + 1), "huge.png"),
        IncomingFile(b"", "empty.pdf"),
        IncomingFile(b"\x01\x02garbled mime part", "part-3", raw=True),
        IncomingFile("Текст письма".encode(), "letter", declared_mime="text/plain"),
    ]
    result = await register(session, tmp_path, files=files)
    assert [(r.filename, r.reason) for r in result.rejected_files] == [
        ("virus.exe", "This file type is not accepted: send photos, PDF or office documents."),
        ("huge.png", "The file is larger than 20 MB."),
        ("empty.pdf", "The file is empty."),
    ]
    stored = (
        await session.scalars(
            select(StoredFile).where(StoredFile.appeal_id == result.appeal.id).order_by(StoredFile.id)
        )
    ).all()
    assert [(f.original_name, f.mime_type) for f in stored] == [
        ("яма.png", "image/png"),
        ("part-3", "application/octet-stream"),
        ("letter.txt", "text/plain"),
    ]
    assert stored[0].telegram_file_id == "tg-1" and stored[0].uploaded_by_telegram_id == 1001
    assert (tmp_path / stored[1].storage_path).read_bytes() == b"\x01\x02garbled mime part"
    event = await session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "appeal"))
    assert event is not None and event.action == "registered" and len(event.data["rejected_files"]) == 3


async def test_acknowledgement_goes_once_through_the_channel_and_repeats_are_no_ops(
    session: AsyncSession, tmp_path: Path
) -> None:
    await add_account(session, 1001, locale="en")
    now = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    tg = await register(session, tmp_path, now=now, external_id="tg:1001:77")
    await register(session, tmp_path, now=now, external_id="tg:1001:77")  # a repeated update
    messages = (await session.scalars(select(OutboxMessage))).all()
    assert len(messages) == 1 and messages[0].chat_id == 1001
    text = messages[0].payload["text"]
    assert tg.appeal.reg_number in text and "03.06.2026" in text and "registered" in text  # English
    assert messages[0].payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        f"apl:open:{tg.appeal.id}"
    )

    contact = ContactInput(name="Сидорова", email="Sidorova@Example.RU")
    mail = await register(
        session,
        tmp_path,
        now=now,
        channel=AppealChannel.EMAIL,
        contact=contact,
        external_id="<abc@mail.example.ru>",
        subject="Ремонт крыши",
    )
    letter = await session.scalar(select(MailOutbox))
    assert letter is not None and letter.to_address == "sidorova@example.ru"
    assert letter.subject == f"Обращение № {mail.appeal.reg_number}: зарегистрировано"
    assert letter.in_reply_to == "<abc@mail.example.ru>" and "03.06.2026" in letter.body
    # The same letter fetched again registers nothing and counts nothing.
    again = await register(
        session, tmp_path, channel=AppealChannel.EMAIL, contact=contact, external_id="<abc@mail.example.ru>"
    )
    assert not again.created and again.appeal.id == mail.appeal.id
    person = await session.get(Correspondent, mail.appeal.correspondent_id)
    assert person is not None and person.appeals_count == 1

    # Web and paper applicants get no message: they check the status themselves.
    await register(session, tmp_path, channel=AppealChannel.WEB, contact=ContactInput(name="Аноним"))
    assert len((await session.scalars(select(OutboxMessage))).all()) == 1
    assert len((await session.scalars(select(MailOutbox))).all()) == 1
