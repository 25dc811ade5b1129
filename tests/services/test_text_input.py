"""The one rule for text from outside (``services/text_input.py``), with its decisions spelled out."""

from __future__ import annotations

from services.appeals.intake import AppealInput, ContactInput, IncomingFile
from services.text_input import clean_fields, clean_line, clean_text


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
