"""Ids across the MAX boundary: MAX message ids (strings) ↔ integer message ids, and MAX files ↔
short ``max:…`` file ids. Persisted (services/max_refs.py) so a message edited after a restart still
resolves; a small in-process LRU sits in front."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import max_refs
from services.messengers import MAX_FILE_PREFIX

FILE_PREFIX = MAX_FILE_PREFIX
T = TypeVar("T")


@dataclass(frozen=True)
class FileInfo:
    kind: str  # image | file | video | audio | sticker
    token: str | None
    url: str | None
    filename: str | None = None
    size: int | None = None


class Refs(Protocol):
    async def message_id(self, mid: str, chat_id: int) -> int: ...

    async def mid(self, message_id: int) -> str | None: ...

    async def file_id(self, info: FileInfo) -> str: ...

    async def file(self, file_id: str) -> FileInfo | None: ...


class _Lru(OrderedDict[object, object]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: object, value: object) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


def short_of(file_id: str) -> str | None:
    return file_id[len(FILE_PREFIX) :] if file_id.startswith(FILE_PREFIX) else None


class DbRefs:
    """Refs in the database (own short sessions, committed at once), with an LRU in front."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], *, cache_size: int = 4096) -> None:
        self.session_factory = session_factory
        self._mids = _Lru(cache_size)  # mid -> id
        self._ids = _Lru(cache_size)  # id -> mid
        self._files = _Lru(cache_size)  # short -> FileInfo

    async def _write(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        for attempt in range(3):
            async with self.session_factory() as session:
                try:
                    result = await work(session)
                    await session.commit()
                    return result
                except IntegrityError:  # a concurrent insert of the same key: read it back
                    await session.rollback()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    async def message_id(self, mid: str, chat_id: int) -> int:
        cached = self._mids.get(mid)
        if isinstance(cached, int):
            return cached
        found = await self._write(lambda s: max_refs.message_id_for(s, mid, chat_id))
        self._mids.put(mid, found)
        self._ids.put(found, mid)
        return found

    async def mid(self, message_id: int) -> str | None:
        cached = self._ids.get(message_id)
        if isinstance(cached, str):
            return cached
        async with self.session_factory() as session:
            found = await max_refs.mid_for(session, message_id)
        if found is not None:
            self._ids.put(message_id, found)
            self._mids.put(found, message_id)
        return found

    async def file_id(self, info: FileInfo) -> str:
        short = await self._write(
            lambda s: max_refs.remember_file(
                s, kind=info.kind, token=info.token, url=info.url, filename=info.filename, size=info.size
            )
        )
        self._files.put(short, info)
        return FILE_PREFIX + short

    async def file(self, file_id: str) -> FileInfo | None:
        short = short_of(file_id)
        if short is None:
            return None
        cached = self._files.get(short)
        if isinstance(cached, FileInfo):
            return cached
        async with self.session_factory() as session:
            ref = await max_refs.file_ref(session, short)
            if ref is None:
                return None
            info = FileInfo(ref.kind, ref.token, ref.url, ref.filename, ref.size)
        self._files.put(short, info)
        return info


class MemoryRefs:
    """Refs kept in memory only (unit tests, tools)."""

    def __init__(self) -> None:
        self._mids: dict[str, int] = {}
        self._ids: dict[int, str] = {}
        self._files: dict[str, FileInfo] = {}

    async def message_id(self, mid: str, chat_id: int) -> int:
        if mid not in self._mids:
            new = len(self._mids) + 1
            self._mids[mid] = new
            self._ids[new] = mid
        return self._mids[mid]

    async def mid(self, message_id: int) -> str | None:
        return self._ids.get(message_id)

    async def file_id(self, info: FileInfo) -> str:
        short = max_refs.short_file_id(info.kind, info.token, info.url)
        self._files.setdefault(short, info)
        return FILE_PREFIX + short

    async def file(self, file_id: str) -> FileInfo | None:
        short = short_of(file_id)
        return None if short is None else self._files.get(short)
