"""The one rule for text from outside (``services/text_input.py``), with its decisions spelled out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Correspondent, StoredFile
from models.enums import AppealChannel
from services.appeals.intake import AppealInput, ContactInput, IncomingFile, register_appeal
from services.text_input import clean_fields, clean_line, clean_text
from tests.services.appeals_helpers import CTX, PNG, SYSTEM


def test_control_characters_go_and_line_breaks_are_normalised() -> None:
    # Removed: NUL, bell, escape, backspace, DEL and the C1 range; kept: tab and newline.
    assert clean_text("a\x00b\x07c\x1b[0md\x08e\x7ff\x85g\x9fh") == "abc[0mdefgh"
    assert clean_text("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    # Lone surrogates cannot be stored in any database encoding; pairs never reach Python as such.
    assert clean_text("x\ud800y\udfffz") == "xyz"
    # Everything printable stays, including format characters some scripts and emoji need.
    kept = "Ёлка 🎄 — «кавычки» ‍👩‍👩‍👧 ‏עברית"
    assert clean_text(kept) == kept
    assert clean_line("Иван\t\r\nПетров\x00") == "Иван Петров"


def test_an_input_record_is_cleaned_whole_and_left_alone_when_clean() -> None:
    data = AppealInput(
        channel="web",
        text="Яма\x00",
        contact=ContactInput(name="Ива\x1bн", email="a\x07@b.ru"),
        subject="Тема\x7f",
        files=[IncomingFile(data=b"\x00binary", filename="ф\x00.pdf")],
    )
    cleaned = clean_fields(data)
    assert (cleaned.text, cleaned.subject) == ("Яма", "Тема")
    assert (cleaned.contact.name, cleaned.contact.email) == ("Иван", "a@b.ru")
    assert cleaned.files[0].filename == "ф.pdf" and cleaned.files[0].data == b"\x00binary"
    clean = AppealInput(channel="web", text="Яма", contact=ContactInput(name="Иван"))
    assert clean_fields(clean) is clean


async def test_register_appeal_cleans_what_a_careless_channel_passes(
    session: AsyncSession, tmp_path: Path
) -> None:
    """The last line: an intake that forgot its boundary still stores clean text on either database."""
    data = AppealInput(
        channel=AppealChannel.PHONE,
        text="Звонок\x00: яма\x1b[0m у дома",
        contact=ContactInput(name="Пётр\x07 Иванов", phone="+7 916 000\x00-00-01"),
        subject="Яма\x00",
        address="ул. Ленина,\x07 5",
        files=[IncomingFile(data=PNG, filename="фото\x00.png")],
    )
    result = await register_appeal(session, data, actor=SYSTEM, files_dir=tmp_path, notify=CTX)
    await session.commit()
    appeal = await session.get(Appeal, result.appeal.id, populate_existing=True)
    assert appeal is not None
    assert (appeal.text, appeal.subject, appeal.address) == ("Звонок: яма[0m у дома", "Яма", "ул. Ленина, 5")
    person = await session.get(Correspondent, appeal.correspondent_id)
    assert person is not None and person.name == "Пётр Иванов" and person.phone_normalized == "+79160000001"
    stored = (await session.scalars(select(StoredFile).where(StoredFile.appeal_id == appeal.id))).all()
    assert [f.original_name for f in stored] == ["фото.png"]
