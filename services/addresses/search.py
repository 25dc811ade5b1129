"""Finding buildings by what a resident or dispatcher typed: a house, a whole street, a range.

Keys are stored normalised, and every comparison of street names happens in Python over the
distinct street keys (a town has hundreds of streets, not millions): SQLite's ``lower()`` ignores
Cyrillic, and this way both backends give the same answers in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Building
from services.addresses.normalize import Parity, normalize_street, parse_address, parse_range

SEARCH_LIMIT = 10
MIN_PARTIAL = 2  # shorter fragments match only a street's exact key
_IN_CHUNK = 500  # keeps IN (...) lists well under any backend's bound-parameter limit


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance; stops early (returning ``limit + 1``) once it must exceed ``limit``."""
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_typos(text: str) -> int:
    """One typo in a short name, two in a long one, none in a fragment of three letters or fewer."""
    return 0 if len(text) <= 3 else 1 if len(text) <= 7 else 2


def rank_streets(query: str, street_keys: Iterable[str]) -> list[str]:
    """Street keys matching ``query`` (a street key), best first.

    Exact, then prefix, then a word's prefix («маркс» → «карла маркса»), then contains; only when
    none of those match, keys within :func:`allowed_typos` edits («ленена» → «ленина»).
    """
    keys = sorted(set(street_keys))
    ranked: list[tuple[int, str]] = []
    for key in keys:
        if key == query:
            ranked.append((0, key))
        elif len(query) < MIN_PARTIAL:
            continue
        elif key.startswith(query):
            ranked.append((1, key))
        elif any(word.startswith(query) for word in key.split()):
            ranked.append((2, key))
        elif len(query) >= 3 and query in key:
            ranked.append((3, key))
    if ranked or (limit := allowed_typos(query)) == 0:
        return [key for _, key in sorted(ranked)]
    fuzzy: list[tuple[int, str]] = []
    for key in keys:
        candidates = [key, key[: len(query)], *key.split()]
        distance = min(levenshtein(query, c, limit) for c in candidates)
        if distance <= limit:
            fuzzy.append((distance, key))
    return [key for _, key in sorted(fuzzy)]


def _house_order(b: Building) -> tuple[bool, int, str]:
    # In Python, not ORDER BY: the same order on both backends whatever the collation.
    return (b.house_number is None, b.house_number or 0, b.house_key)


async def _street_keys(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Building.street_key).distinct())).all())


async def _on_streets(
    session: AsyncSession, streets: Sequence[str], house_number: int | None
) -> list[Building]:
    found: list[Building] = []
    for i in range(0, len(streets), _IN_CHUNK):
        query = select(Building).where(Building.street_key.in_(streets[i : i + _IN_CHUNK]))
        if house_number is not None:
            query = query.where(Building.house_number == house_number)
        found.extend((await session.scalars(query)).all())
    return found


async def find_building(session: AsyncSession, text: str) -> Building | None:
    """The building at exactly this address (no typo tolerance), or None."""
    parsed = parse_address(text)
    if parsed is None:
        return None
    query = select(Building).where(
        Building.street_key == parsed.street_key, Building.house_key == parsed.house_key
    )
    return (await session.scalars(query)).first()


async def street_houses(session: AsyncSession, street_key: str) -> list[Building]:
    """Every building on a street (the «whole street» choice), ordered by house number."""
    key = normalize_street(street_key)
    rows = (await session.scalars(select(Building).where(Building.street_key == key))).all()
    return sorted(rows, key=_house_order)


async def houses_in_range(
    session: AsyncSession, street_key: str, first: int, last: int, parity: Parity | None = None
) -> list[Building]:
    """Buildings numbered ``first..last`` (inclusive; «9к1» counts as 9), optionally one side only."""
    first, last = sorted((first, last))
    query = select(Building).where(
        Building.street_key == normalize_street(street_key),
        Building.house_number >= first,
        Building.house_number <= last,
    )
    if parity is not None:
        query = query.where(Building.house_number % 2 == (1 if parity == "odd" else 0))
    return sorted((await session.scalars(query)).all(), key=_house_order)


async def search_buildings(session: AsyncSession, query: str, *, limit: int = SEARCH_LIMIT) -> list[Building]:
    """Buildings for free text: «Ленена 5» (typo), «ул. Ленина» (its houses), «Ленина 1-15 нечёт».

    For a house: the exact (street, house) first, then other houses with that number («9» also
    offers «9к1») on the street, or if no street has exactly that name, on the streets it starts or
    misspells, best first. An unknown house gives nothing rather than some other house, so a caller
    never mistakes a neighbour for the address asked for.
    """
    if limit <= 0:
        return []
    parsed = parse_address(query)
    house_range = parse_range(query) if parsed is None else None
    street_query = (
        parsed.street_key if parsed else house_range.street_key if house_range else normalize_street(query)
    )
    if not street_query:
        return []
    streets = rank_streets(street_query, await _street_keys(session))
    if not streets:
        return []
    if house_range is not None:
        found = await houses_in_range(
            session, streets[0], house_range.first, house_range.last, house_range.parity
        )
        return found[:limit]
    rank = {key: i for i, key in enumerate(streets)}
    if parsed is None:
        # Each street has at least one house, so the best ``limit`` streets fill the page.
        houses = await _on_streets(session, streets[:limit], None)
        return sorted(houses, key=lambda b: (rank[b.street_key], *_house_order(b)))[:limit]
    if streets[0] == street_query:
        # The street as typed exists: «Мира 20» must not answer with «Мирная 20».
        streets = streets[:1]
    wanted = parsed.house_key
    houses = await _on_streets(session, streets, parsed.house_number)
    houses.sort(key=lambda b: (rank[b.street_key], b.house_key != wanted, b.house_key))
    return houses[:limit]
