"""Normalising Russian addresses: street keys, house keys, whole addresses and house ranges."""

from __future__ import annotations

import pytest

from services.addresses.normalize import (
    HouseRange,
    house_key,
    normalize_street,
    parse_address,
    parse_house,
    parse_range,
    split_street,
)


@pytest.mark.parametrize(
    ("text", "key", "street_type"),
    [
        ("ул. Ленина", "ленина", "ул."),
        ("Ленина ул.", "ленина", "ул."),
        ("улица Ленина", "ленина", "ул."),
        ("  ЛЕНИНА  ", "ленина", None),
        ("ул.Ленина", "ленина", "ул."),
        ("пр-т Мира", "мира", "пр-т"),
        ("просп. Мира", "мира", "пр-т"),
        ("Проспект Мира", "мира", "пр-т"),
        ("Мира пр-кт", "мира", "пр-т"),
        ("пер. Садовый", "садовый", "пер."),
        ("Садовый переулок", "садовый", "пер."),
        ("пл. Революции", "революции", "пл."),
        ("площадь Революции", "революции", "пл."),
        ("Цветной б-р", "цветной", "б-р"),
        ("бульвар Цветной", "цветной", "б-р"),
        ("Варшавское ш.", "варшавское", "ш."),
        ("Варшавское шоссе", "варшавское", "ш."),
        ("наб. Космонавтов", "космонавтов", "наб."),
        ("набережная Космонавтов", "космонавтов", "наб."),
        ("мкр. Юбилейный", "юбилейный", "мкр."),
        ("микрорайон Юбилейный", "юбилейный", "мкр."),
        ("Заводской проезд", "заводской", "проезд"),
        ("тупик Глухой", "глухой", "туп."),
        ("Липовая аллея", "липовая", "аллея"),
        ("ул. Королёва", "королева", "ул."),
        ("КОРОЛЕВА", "королева", None),
        ("ул. Лeнинa", "ленина", "ул."),  # Latin «e» and «a» inside a Cyrillic word
        ("ул. Lenina", "lenina", "ул."),
        ("ул. Мамина–Сибиряка", "мамина-сибиряка", "ул."),
        ("ул. Карла   Маркса", "карла маркса", "ул."),
        ("ул. 8 Марта", "8 марта", "ул."),
        ("1-я Советская ул.", "1 советская", "ул."),
        ("1я Советская", "1 советская", None),
        ("2-й Садовый пер.", "2 садовый", "пер."),
        # A type word can be the name itself; the generic «улица» is then the type.
        ("ул. Набережная", "набережная", "ул."),
        ("Набережная", "набережная", None),
        ("Набережная улица", "набережная", "ул."),
        # A numbered microdistrict keeps its type: «5» alone would be no street at all.
        ("мкр. 5", "5 мкр", "мкр."),
        ("5 микрорайон", "5 мкр", "мкр."),
        ("улица", "", None),
        ("", "", None),
    ],
)
def test_split_street(text: str, key: str, street_type: str | None) -> None:
    assert split_street(text) == (key, street_type)
    assert normalize_street(text) == key


@pytest.mark.parametrize("key", ["ленина", "1 советская", "5 мкр", "мамина-сибиряка", "набережная"])
def test_normalize_street_is_idempotent_on_keys(key: str) -> None:
    assert normalize_street(key) == key


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5,), "5"),
        ((5, None, None, 1), "5к1"),
        ((10, None, "А"), "10а"),
        ((10, None, "A"), "10а"),  # Latin «A» typed on the wrong layout
        ((3, 2), "3/2"),
        ((1, None, None, None, 2), "1с2"),
        ((5, None, "а", 1), "5ак1"),
    ],
)
def test_house_key(args: tuple[int, ...], expected: str) -> None:
    assert house_key(*args) == expected


@pytest.mark.parametrize(
    ("text", "key", "number"),
    [
        ("5", "5", 5),
        ("05", "5", 5),
        ("д. 5", "5", 5),
        ("дом 5", "5", 5),
        ("5к1", "5к1", 5),
        ("5 к 1", "5к1", 5),
        ("5 к.1", "5к1", 5),
        ("5 корп. 1", "5к1", 5),
        ("5, корпус 1", "5к1", 5),
        ("10а", "10а", 10),
        ("10 А", "10а", 10),
        ("10-а", "10а", 10),
        ("10A", "10а", 10),
        ("5 лит. Б", "5б", 5),
        ("5 литера Б", "5б", 5),
        ("3/2", "3/2", 3),
        ("3 / 2", "3/2", 3),
        ("1с2", "1с2", 1),
        ("1 стр. 2", "1с2", 1),
        ("1, строение 2", "1с2", 1),
        ("5ак1", "5ак1", 5),
        ("№ 7", "7", 7),
        ("5 кв. 12", "5", 5),
    ],
)
def test_parse_house(text: str, key: str, number: int) -> None:
    parts = parse_house(text)
    assert parts is not None
    assert (parts.key, parts.number) == (key, number)


@pytest.mark.parametrize("text", ["", "абв", "к1", "дом", "5 6 7", "пять"])
def test_parse_house_rejects(text: str) -> None:
    assert parse_house(text) is None


@pytest.mark.parametrize(
    ("text", "street_key", "house_key", "number", "letter", "block"),
    [
        ("ул. Ленина 5", "ленина", "5", 5, None, None),
        ("Ленина, д.5к1", "ленина", "5к1", 5, None, 1),
        ("улица Ленина, дом 5 корпус 1", "ленина", "5к1", 5, None, 1),
        ("Ленина 5 корп 1", "ленина", "5к1", 5, None, 1),
        ("пр-т Мира 10а", "мира", "10а", 10, "а", None),
        ("проспект Мира, 10 А", "мира", "10а", 10, "а", None),
        ("пер. Садовый 3/2", "садовый", "3/2", 3, None, None),
        ("Советская ул., д. 1, стр. 2", "советская", "1с2", 1, None, None),
        ("ЛЕНИНА   5", "ленина", "5", 5, None, None),
        ("ленина 5", "ленина", "5", 5, None, None),
        ("мкр. Юбилейный 12", "юбилейный", "12", 12, None, None),
        ("ул.Ленина,д.5,корп.2", "ленина", "5к2", 5, None, 2),
        ("ул. Королёва, 7", "королева", "7", 7, None, None),
        ("ул. 8 Марта, д. 5а", "8 марта", "5а", 5, "а", None),
        ("50 лет Октября 12", "50 лет октября", "12", 12, None, None),
        ("1-я Советская ул., 7", "1 советская", "7", 7, None, None),
        ("ул. Набережная, 5", "набережная", "5", 5, None, None),
        ("мкр 5, д 12", "5 мкр", "12", 12, None, None),
        ("Мамина-Сибиряка 5 строение 3", "мамина-сибиряка", "5с3", 5, None, None),
        ("г. Энск, ул. Ленина, д. 5, кв. 12", "ленина", "5", 5, None, None),
        ("123456, Энская обл., г. Энск, Ленина 5", "ленина", "5", 5, None, None),
        ("Ленина дом № 5", "ленина", "5", 5, None, None),
    ],
)
def test_parse_address(
    text: str, street_key: str, house_key: str, number: int, letter: str | None, block: int | None
) -> None:
    parsed = parse_address(text)
    assert parsed is not None, text
    assert (parsed.street_key, parsed.house_key, parsed.house_number) == (street_key, house_key, number)
    assert (parsed.letter, parsed.block) == (letter, block)


def test_parse_address_keeps_the_street_type_and_parts() -> None:
    parsed = parse_address("Советская ул., д. 1, стр. 2")
    assert parsed is not None
    assert (parsed.street_type, parsed.structure, parsed.fraction) == ("ул.", 2, None)
    parsed = parse_address("пер. Садовый 3/2")
    assert parsed is not None
    assert (parsed.street_type, parsed.fraction) == ("пер.", 2)


@pytest.mark.parametrize(
    "text",
    ["", "Ленина", "ул. Ленина", "5", "д. 5", "улица 5", "Ленина 1-15", "Ленина 1 - 15", "просто текст"],
)
def test_parse_address_needs_a_street_and_a_house(text: str) -> None:
    assert parse_address(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ленина 1-15 нечётные", HouseRange("ленина", None, 1, 15, "odd")),
        ("ул. Ленина, 1–15 (нечёт.)", HouseRange("ленина", "ул.", 1, 15, "odd")),
        ("Ленина 2-20 чётные", HouseRange("ленина", None, 2, 20, "even")),
        ("ул. Ленина, дома с 2 по 20, чётная сторона", HouseRange("ленина", "ул.", 2, 20, "even")),
        ("Ленина нечет 1-15", HouseRange("ленина", None, 1, 15, "odd")),
        ("Ленина 1 - 15", HouseRange("ленина", None, 1, 15, None)),
        ("Ленина 15-1", HouseRange("ленина", None, 1, 15, None)),
        ("Lenina 1-3 odd", HouseRange("lenina", None, 1, 3, "odd")),
        ("Четвертая 1-3", HouseRange("четвертая", None, 1, 3, None)),
    ],
)
def test_parse_range(text: str, expected: HouseRange) -> None:
    assert parse_range(text) == expected


@pytest.mark.parametrize("text", ["Ленина 5", "Ленина", "1-15", "нечётные 1-15"])
def test_parse_range_rejects(text: str) -> None:
    assert parse_range(text) is None
