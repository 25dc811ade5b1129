"""Albums arrive as separate updates sharing a ``media_group_id``: acknowledge each album once.

Shared by every feature that takes files (assignment reports, residents' appeals). Each part is
handled (stored or refused) as it arrives; the acknowledgement waits until the album has been quiet
for :data:`ALBUM_QUIET` seconds and then counts the whole album in one message.

One process keeps the albums in memory (:class:`MemoryAlbums`). With several workers the parts of one
album land on different processes, so with Redis (:class:`RedisAlbums`) every part is appended to one
list in Redis and exactly one worker acknowledges the whole album. The collector is built with the
dispatcher (bot/factory.py) and reaches the handlers as the ``albums`` argument.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

ALBUM_QUIET = 0.8  # seconds without a new album part before the album is acknowledged
PARTS_TTL_MS = 60_000  # an album's parts in Redis outlive any quiet period, yet never pile up

AlbumKey = tuple[int, str]  # (chat id, media_group_id)


@dataclass
class Album:
    stored: int = 0
    refused: list[str] = field(default_factory=list)
    last: float = 0.0


OnQuiet = Callable[[Album], Awaitable[None]]


class Albums(Protocol):
    async def add(self, key: AlbumKey, *, refused: str | None, on_quiet: OnQuiet) -> None:
        """Count one part (``refused``: why it was not taken, else None); ``on_quiet`` is called
        once with the whole album when its parts stop arriving."""


async def _acknowledge(key: AlbumKey, album: Album, on_quiet: OnQuiet) -> None:
    try:
        await on_quiet(album)
    except Exception:
        log.exception("album acknowledgement failed in chat %s", key[0])


class MemoryAlbums:
    """Debounces the acknowledgement of each album (per chat and media_group_id), in one process."""

    def __init__(self, quiet: float = ALBUM_QUIET) -> None:
        self.quiet = quiet
        self._albums: dict[AlbumKey, Album] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def add(self, key: AlbumKey, *, refused: str | None, on_quiet: OnQuiet) -> None:
        album = self._albums.get(key)
        if album is None:
            album = self._albums[key] = Album()
            # The task inherits this update's context: the user's language stays in effect.
            task = asyncio.create_task(self._wait(key, on_quiet))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        album.last = asyncio.get_running_loop().time()
        if refused is None:
            album.stored += 1
        else:
            album.refused.append(refused)

    async def _wait(self, key: AlbumKey, on_quiet: OnQuiet) -> None:
        loop = asyncio.get_running_loop()
        while True:  # each new part pushes the acknowledgement back
            left = self._albums[key].last + self.quiet - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(left)
        await _acknowledge(key, self._albums.pop(key), on_quiet)


# KEYS: parts, last. ARGV: part (JSON), ttl ms. Appends the part, stamps "last part at" with Redis's
# clock (workers' clocks may differ) and returns the list's length (1: a new album).
_ADD = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], now, 'PX', ARGV[2])
return n
"""

# KEYS: parts, last. ARGV: quiet ms. The claim, atomic so exactly one worker wins it:
#   {-1}               the album is gone (another worker claimed it): do nothing;
#   {ms}               not quiet yet: ask again in ms;
#   {0, part, ...}     quiet: this worker owns the album; its parts are taken (and deleted, so a
#                      part arriving later starts a new album, as in memory).
_CLAIM = """
local last = redis.call('GET', KEYS[2])
if not last then return {-1} end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local left = tonumber(last) + tonumber(ARGV[1]) - now
if left > 0 then return {left} end
local parts = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
table.insert(parts, 1, 0)
return parts
"""


class RedisAlbums:
    """The album's parts in Redis; after the quiet period one worker acknowledges them all.

    Every worker that received a part waits (at most one waiter per album and process); each asks
    Redis when the album will be quiet, and the first to claim it afterwards reads all its parts and
    acknowledges; the others find it gone. A worker that dies while waiting leaves the album to the
    other workers that received parts of it.
    """

    def __init__(self, redis: Any, *, prefix: str = "porucheno:album", quiet: float = ALBUM_QUIET) -> None:
        self.redis = redis
        self.prefix = prefix
        self.quiet = quiet
        self._add = redis.register_script(_ADD)
        self._claim = redis.register_script(_CLAIM)
        self._waiting: dict[AlbumKey, asyncio.Task[None]] = {}

    def _keys(self, key: AlbumKey) -> list[str]:
        base = f"{self.prefix}:{key[0]}:{key[1]}"
        return [f"{base}:parts", f"{base}:last"]

    async def add(self, key: AlbumKey, *, refused: str | None, on_quiet: OnQuiet) -> None:
        part = json.dumps({"refused": refused}, ensure_ascii=False)
        length = await self._add(keys=self._keys(key), args=[part, PARTS_TTL_MS])
        # A new album in Redis always gets a waiter here, even if an older one of this process is
        # still finishing its claim; otherwise one waiter per process is enough.
        if int(length) == 1 or key not in self._waiting:
            # The task inherits this update's context: the user's language stays in effect.
            task = asyncio.create_task(self._wait(key, on_quiet))
            self._waiting[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))

    def _forget(self, key: AlbumKey, task: asyncio.Task[None]) -> None:
        if self._waiting.get(key) is task:
            del self._waiting[key]

    async def _wait(self, key: AlbumKey, on_quiet: OnQuiet) -> None:
        keys = self._keys(key)
        quiet_ms = round(self.quiet * 1000)
        try:
            while True:  # each new part, on any worker, pushes the acknowledgement back
                answer = await self._claim(keys=keys, args=[quiet_ms])
                head = int(answer[0])
                if head < 0:
                    return
                if head == 0:
                    break
                await asyncio.sleep(max(head, 5) / 1000)
        except Exception:
            log.exception("album in chat %s: Redis failed; not acknowledged here", key[0])
            return
        if self._waiting.get(key) is asyncio.current_task():
            del self._waiting[key]  # a part arriving from now on belongs to a new album
        album = Album()
        for raw in answer[1:]:
            refused = json.loads(raw).get("refused")
            if refused is None:
                album.stored += 1
            else:
                album.refused.append(refused)
        await _acknowledge(key, album, on_quiet)


def create_albums(storage: Any, *, prefix: str = "porucheno:album") -> Albums:
    """Shared through the FSM's Redis when there is one (the same connection pool)."""
    redis = getattr(storage, "redis", None)
    return RedisAlbums(redis, prefix=prefix) if redis is not None else MemoryAlbums()
