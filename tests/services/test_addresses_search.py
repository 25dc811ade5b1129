"""Searching the address registry: exact houses, typos, whole streets and house ranges (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from services.addresses.normalize import parse_house, split_street
from services.addresses.search import (
    find_building,
    houses_in_range,
    levenshtein,
    rank_streets,
    search_buildings,
    street_houses,
)

REGISTRY = {
    "ул. Ленина": ["1", "3", "5", "7", "9", "9к1", "10а", "11", "12", "14", "15", "17"],
    "ул. Ленинградская": ["5", "7"],
    "пр-т Мира": ["10", "10а", "14"],
    "ул. Мирная": ["14", "20"],
    "ул. Советская": ["1", "1с2", "3"],
    "пер. Садовый": ["3/2"],
    "ул. Карла Маркса": ["4"],
    "ул. Набережная": ["2"],
    "мкр. Юбилейный": ["12"],
    "ул. Королёва": ["1"],
}


def label(b: Building) -> str:
    return f"{b.street_key} {b.house_key}"


@pytest.fixture
async def registry(session: AsyncSession) -> None:
    for street, houses in REGISTRY.items():
        street_key, _ = split_street(street)
        for house in houses:
            parts = parse_house(house)
            assert parts is not None
            session.add(
                Building(
                    street=street,
                    street_key=street_key,
                    house=house,
                    house_key=parts.key,
                    house_number=parts.number,
                )
            )
    await session.flush()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ул. Ленина, 5", ["ленина 5"]),
        ("ЛЕНИНА   5", ["ленина 5"]),
        ("ленина д.5", ["ленина 5"]),
        ("Ленена 5", ["ленина 5"]),  # one typo
        ("Лененa 5", ["ленина 5"]),  # one typo, and a Latin «a» in a Cyrillic word
        ("Ленин 5", ["ленина 5", "ленинградская 5"]),  # a prefix matches both streets
        ("Ленина 9", ["ленина 9", "ленина 9к1"]),
        ("Ленина д. 9 корп. 1", ["ленина 9к1", "ленина 9"]),
        ("ленина 9к1", ["ленина 9к1", "ленина 9"]),
        ("Мира 10 А", ["мира 10а", "мира 10"]),
        ("проспект Мира, 10", ["мира 10", "мира 10а"]),
        ("Советская ул., д. 1, стр. 2", ["советская 1с2", "советская 1"]),
        ("Садовый 3/2", ["садовый 3/2"]),
        ("Маркса 4", ["карла маркса 4"]),  # a word of the street's name
        ("Карла Марса 4", ["карла маркса 4"]),  # a typo in a long name
        ("ул. набережная д 2", ["набережная 2"]),
        ("мкр Юбилейный 12", ["юбилейный 12"]),
        ("Юбилейный 12", ["юбилейный 12"]),
        ("КОРОЛЁВА 1", ["королева 1"]),
        ("Королева 1", ["королева 1"]),
        ("Ленина 99", []),  # never some other house instead
        ("Мира 20", []),  # nor the house on another street that «Мира» is a prefix of
        ("Мир 20", ["мирная 20"]),
        ("Мир 14", ["мира 14", "мирная 14"]),
        ("Тверская 1", []),
        ("Ыыы 1", []),
        ("", []),
    ],
)
async def test_search_houses(registry: None, session: AsyncSession, query: str, expected: list[str]) -> None:
    assert [label(b) for b in await search_buildings(session, query)] == expected


async def test_a_street_alone_lists_its_houses_in_number_order(registry: None, session: AsyncSession) -> None:
    lenina = ["1", "3", "5", "7", "9", "9к1", "10а", "11", "12", "14", "15", "17"]
    found = await search_buildings(session, "ул. Ленина", limit=50)
    assert [label(b) for b in found] == [f"ленина {h}" for h in lenina]
    # A prefix of two streets: the shorter (alphabetically first) street's houses come first.
    found = await search_buildings(session, "ЛЕНИН", limit=50)
    assert [label(b) for b in found] == [
        *(f"ленина {h}" for h in lenina),
        "ленинградская 5",
        "ленинградская 7",
    ]
    assert len(await search_buildings(session, "ул. Ленина")) == 10  # the default limit
    assert [label(b) for b in await search_buildings(session, "Совецкая")] == [
        "советская 1",
        "советская 1с2",
        "советская 3",
    ]
    assert await search_buildings(session, "Л") == []  # too short to be anything but an exact key


async def test_search_by_range(registry: None, session: AsyncSession) -> None:
    found = await search_buildings(session, "Ленина 1-15 нечётные", limit=50)
    assert [b.house_key for b in found] == ["1", "3", "5", "7", "9", "9к1", "11", "15"]
    found = await search_buildings(session, "Ленена 10-14 чёт")  # a typo in the street, even side
    assert [b.house_key for b in found] == ["10а", "12", "14"]


@pytest.mark.parametrize(
    ("first", "last", "parity", "expected"),
    [
        (1, 15, "odd", ["1", "3", "5", "7", "9", "9к1", "11", "15"]),
        (2, 14, "even", ["10а", "12", "14"]),
        (9, 11, None, ["9", "9к1", "10а", "11"]),
        (11, 9, None, ["9", "9к1", "10а", "11"]),
        (100, 200, None, []),
    ],
)
async def test_houses_in_range(
    registry: None, session: AsyncSession, first: int, last: int, parity: str | None, expected: list[str]
) -> None:
    found = await houses_in_range(session, "ленина", first, last, parity)  # type: ignore[arg-type]
    assert [b.house_key for b in found] == expected


async def test_street_houses_takes_a_street_as_typed(registry: None, session: AsyncSession) -> None:
    assert [b.house_key for b in await street_houses(session, "Советская ул.")] == ["1", "1с2", "3"]
    assert await street_houses(session, "Тверская") == []


async def test_find_building_is_exact(registry: None, session: AsyncSession) -> None:
    found = await find_building(session, "улица Ленина, дом 9 корпус 1")
    assert found is not None and label(found) == "ленина 9к1"
    assert await find_building(session, "Ленена 5") is None
    assert await find_building(session, "Ленина") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ленина", ["ленина"]),
        ("ленин", ["ленина", "ленинградская"]),
        ("лен", ["ленина", "ленинградская"]),
        ("маркса", ["карла маркса"]),
        ("ветск", ["советская"]),
        ("ленена", ["ленина"]),
        ("совецкая", ["советская"]),
        ("ленинградкая", ["ленинградская"]),
        ("мра", []),  # three letters: no typo allowed
        ("л", []),
    ],
)
def test_rank_streets(query: str, expected: list[str]) -> None:
    keys = ["ленина", "ленинградская", "карла маркса", "советская", "мира"]
    assert rank_streets(query, keys) == expected


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("ленина", "ленина", 0), ("ленена", "ленина", 1), ("ленина", "ленинградская", 7), ("", "абв", 3)],
)
def test_levenshtein(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance
    assert levenshtein(a, b, limit=0) == min(distance, 1)
