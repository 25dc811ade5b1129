"""The one rule for a person's full name typed into an appeal (59-FZ art. 7)."""

from __future__ import annotations

import pytest

from services.correspondents.names import is_person_name, person_name
from services.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Иванова Мария Петровна", "Иванова Мария Петровна"),
        ("  иванов   иван иванович ", "Иванов Иван Иванович"),
        ("ПЕТРОВ-ВОДКИН КУЗЬМА СЕРГЕЕВИЧ", "Петров-Водкин Кузьма Сергеевич"),
        ("мамедов рашид ильхам оглы", "Мамедов Рашид Ильхам оглы"),
        ("Смирнова, Ольга.", "Смирнова Ольга"),
        ("Ёлкин Пётр", "Ёлкин Пётр"),
        ("Д'Арк Жанна", "Д'Арк Жанна"),
        ("Smith John", "Smith John"),
        ("МакДональд Рональд", "МакДональд Рональд"),  # typed with care: kept as is
    ],
)
def test_names_kept(typed: str, kept: str) -> None:
    assert person_name(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "Иванов",
        "Иванов И.И.",
        "Иванов И",
        "Иванов Иван 2",
        "user123 test",
        "Иванов @ivan",
        "ааааа ббббб",
        "Иванов " + "Иван" * 40,
        "a b c d e f g",
    ],
)
def test_garbage_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        person_name(typed)
    assert not is_person_name(typed)
