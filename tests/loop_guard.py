"""A debug check that nothing blocks the event loop: ``async with LoopGuard() as guard: ...``.

A ticker task sleeps 5 ms at a time and records how late it woke up; the worst lateness is the
longest the loop was held by something else (a chart drawn on the loop, a workbook saved in a thread
holding the GIL). Lateness counts only as far as the process itself was computing meanwhile (time
the kernel gave to other processes on this shared machine is not a block; a blocking system call
is not seen either). The kernel can still hold the process for tens of milliseconds, so
``responsive`` runs a scenario a few times, each on fresh inputs (nothing cached), and passes
when one run stays under the limit: a real block (matplotlib: hundreds of ms) fails every run,
a noisy neighbour does not fail them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

LIMIT = 0.05  # seconds: the "no handler or job blocks the loop for more than 50 ms"
TICK = 0.005


class LoopGuard:
    def __init__(self) -> None:
        self.worst = 0.0
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before, cpu = loop.time(), time.process_time()
            await asyncio.sleep(TICK)
            late = loop.time() - before - TICK
            # Only the part of the lateness this process spent computing (any of its threads: a
            # thread holding the GIL counts) is a block; time the kernel gave to other processes on
            # this shared machine is not.
            self.worst = max(self.worst, min(late, time.process_time() - cpu))
            self.ticks += 1

    async def __aenter__(self) -> LoopGuard:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)  # the ticker is running before the scenario starts
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.sleep(2 * TICK)  # a stall at the very end is counted too
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def responsive(
    scenario: Callable[[int], Awaitable[object]], *, attempts: int = 3, limit: float = LIMIT
) -> list[float]:
    """Run ``scenario(attempt)`` under a guard until one run's worst stall is under ``limit``;
    fail with every run's figure otherwise. ``attempt`` lets the scenario vary its inputs."""
    stalls: list[float] = []
    for attempt in range(attempts):
        async with LoopGuard() as guard:
            await scenario(attempt)
        stalls.append(guard.worst)
        if guard.worst < limit:
            return stalls
    raise AssertionError(f"the event loop was blocked: worst stalls {[round(s * 1000) for s in stalls]} ms")
