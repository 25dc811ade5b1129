"""Albums arrive as separate updates sharing a ``media_group_id``: acknowledge each album once.

Shared by every feature that takes files (assignment reports, residents' appeals). Each part is
handled (stored or refused) as it arrives; the acknowledgement waits until the album has been quiet
for :data:`ALBUM_QUIET` seconds and then counts the whole album in one message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

ALBUM_QUIET = 0.8  # seconds without a new album part before the album is acknowledged


@dataclass
class Album:
    stored: int = 0
    refused: list[str] = field(default_factory=list)
    last: float = 0.0


class Albums:
    """Debounces the acknowledgement of each album (per chat and media_group_id)."""

    def __init__(self, quiet: float = ALBUM_QUIET) -> None:
        self.quiet = quiet
        self._albums: dict[tuple[int, str], Album] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add(
        self,
        key: tuple[int, str],
        *,
        refused: str | None,
        on_quiet: Callable[[Album], Awaitable[None]],
    ) -> None:
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

    async def _wait(self, key: tuple[int, str], on_quiet: Callable[[Album], Awaitable[None]]) -> None:
        loop = asyncio.get_running_loop()
        while True:  # each new part pushes the acknowledgement back
            left = self._albums[key].last + self.quiet - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(left)
        album = self._albums.pop(key)
        try:
            await on_quiet(album)
        except Exception:
            log.exception("album acknowledgement failed in chat %s", key[0])
