"""Long lists (a panel export: up to 20,000 rows) loaded a part at a time.

Loading 20,000 appeals in one statement held the event loop for 300–400 ms while SQLAlchemy built
the objects, and the bot shares that loop. Streamed, each part is a few hundred objects; the loop
serves updates between parts. An export goes further (``rows_of_parts``): each part's lookups and
rows are made and its objects let go before the next part is read, so no step walks the whole list
(collecting the ids of 10,000 loaded objects, or freeing them all when the view returns, was each
another 10–30 ms in one piece).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
R = TypeVar("R")

PART = 200  # objects per part: 5–8 ms of work on the loop (500 took 12–18 ms, twice that on a busy machine)


async def in_parts(
    session: AsyncSession, query: Select[tuple[T]], *, size: int = PART
) -> AsyncIterator[Sequence[T]]:
    """The objects of ``query``, ``size`` at a time (a server-side cursor on PostgreSQL, batched
    fetches on SQLite). The session may run other statements between parts (a part's lookups)."""
    result = await session.stream_scalars(query.execution_options(yield_per=size))
    try:
        async for part in result.partitions(size):
            yield part
            del part  # freed now (a part at a time), not when the next part replaces it
            await asyncio.sleep(0)  # a part that was already fetched must not run into the next
    finally:
        await result.close()


async def row_parts(
    session: AsyncSession, query: Select[Any], *, size: int = PART
) -> AsyncIterator[Sequence[Row[Any]]]:
    """The rows of a column query (not whole objects), ``size`` at a time, as ``in_parts``."""
    result = await session.stream(query.execution_options(yield_per=size))
    try:
        async for part in result.partitions(size):
            yield part
            del part
            await asyncio.sleep(0)
    finally:
        await result.close()


async def load_all(session: AsyncSession, query: Select[tuple[T]], *, size: int = PART) -> list[T]:
    """Every object of ``query``, read ``size`` at a time."""
    loaded: list[T] = []
    async with contextlib.aclosing(in_parts(session, query, size=size)) as parts:
        async for part in parts:
            loaded.extend(part)
    return loaded


async def rows_of_parts(
    parts: AsyncIterator[Sequence[T]], rows_of: Callable[[Sequence[T]], Awaitable[Iterable[R]]]
) -> list[R]:
    """An export's rows: ``rows_of(part)`` for each part (its lookups, names or numbers, then its
    rows), the part's objects let go before the next one is read."""
    rows: list[R] = []
    # Closed here even when the request is cancelled midway (a closed browser tab): the cursor is
    # released in this task, while the session is still open, not later by the collector.
    async with contextlib.aclosing(parts):
        async for part in parts:
            rows.extend(await rows_of(part))
            del part
            await asyncio.sleep(0)
    return rows


async def rows_in_parts(parts: AsyncIterator[Sequence[T]], row: Callable[[T], R]) -> list[R]:
    """An export's rows, ``row(item)`` for each item, a part at a time (``rows_of_parts``)."""

    async def rows_of(part: Sequence[T]) -> list[R]:
        return [row(item) for item in part]

    return await rows_of_parts(parts, rows_of)


async def listed(session: AsyncSession, query: Select[tuple[T]], *, limit: int) -> list[T]:
    """The objects of a list's ``query`` (at most ``limit`` of them): a page in one go, an export's
    thousands in parts."""
    if limit <= PART:
        return list((await session.scalars(query)).all())
    return await load_all(session, query)


async def rows_by_ids(
    session: AsyncSession,
    ids: Iterable[int],
    query_for: Callable[[list[int]], Select[R]],
    *,
    size: int = PART,
) -> list[Row[R]]:
    """The rows of ``query_for(chunk)`` for ``ids`` a chunk at a time: a lookup for an export's
    10,000 ids in one ``IN`` list held the loop 40–70 ms building and reading it."""
    wanted = list(dict.fromkeys(ids))
    rows: list[Row[R]] = []
    for start in range(0, len(wanted), size):
        rows.extend((await session.execute(query_for(wanted[start : start + size]))).all())
        await asyncio.sleep(0)
    return rows
