"""Rendering off the event loop: charts and spreadsheets in a process pool, cached by their inputs.

matplotlib and openpyxl hold the GIL for hundreds of milliseconds, so a worker *thread* still stalls
every update the bot is handling (the issue measured 3.5 s at digest time). An ``Offload`` sends such
work to a separate process instead. It is built once by the entry point (``porucheno/runtime.py``)
and injected where charts and workbooks are made: the panel (``OFFLOAD_KEY``), the scheduler's digest
job and the bot's dispatcher. The pool starts on first use (a bot nobody asks for charts never pays
for the worker's memory), with the ``forkserver`` start method: forking the asyncio process itself
would copy its threads' locks.

What goes to the pool is a module-level pure function taking plain picklable data (dataclasses,
tuples) and returning bytes. Results are kept in a small LRU keyed by the hash of the pickled call,
so an administrator reloading the analytics page does not redraw identical charts; two identical
requests at once share one rendering.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import logging
import multiprocessing
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

log = logging.getLogger(__name__)

Render = Callable[..., bytes]
# Imported by the worker on warm-up, so the first chart of the day does not wait for them.
HEAVY_MODULES = ("matplotlib.figure", "openpyxl")


# Pickling holds the GIL: 20,000 export rows with dates take ~80 ms in one go, so long sequences are
# pickled in slices of this many items, letting the loop run in between.
SLICE = 1000
# The worker (matplotlib and openpyxl imported: 80 MB and more) is stopped after this long without work;
# the next chart starts it again (about a second). Charts come in bursts: a digest, an analytics visit.
IDLE_SECONDS = 600.0


@dataclass(frozen=True)
class _Sliced:
    """A long list or tuple argument, pickled slice by slice."""

    kind: type
    parts: tuple[bytes, ...]


def _call(blob: bytes) -> bytes:
    """In the worker: the call pickled by the loop (its hash is the cache key)."""
    fn, args = pickle.loads(blob)  # our own pickle, made by our own process
    args = [_join(a) if isinstance(a, _Sliced) else a for a in args]
    return fn(*args)


def _join(arg: _Sliced) -> object:
    items = [item for part in arg.parts for item in pickle.loads(part)]
    return arg.kind(items)


async def _pickled(fn: Render, args: tuple[object, ...]) -> bytes:
    sent: list[object] = []
    for arg in args:
        if type(arg) in (list, tuple) and len(arg) > SLICE:  # type: ignore[arg-type]
            seq: list[object] | tuple[object, ...] = arg  # type: ignore[assignment]
            parts = []
            for start in range(0, len(seq), SLICE):
                parts.append(pickle.dumps(seq[start : start + SLICE], protocol=pickle.HIGHEST_PROTOCOL))
                await asyncio.sleep(0)
            sent.append(_Sliced(type(seq), tuple(parts)))
        else:
            sent.append(arg)
    return pickle.dumps((fn, tuple(sent)), protocol=pickle.HIGHEST_PROTOCOL)


def _warm(modules: tuple[str, ...]) -> int:
    for name in modules:
        importlib.import_module(name)
    return len(modules)


class Offload:
    """``await offload.run(fn, *args)``: ``fn(*args)`` in the pool (or a thread when
    ``processes=False``), its bytes cached by the inputs."""

    def __init__(
        self,
        *,
        workers: int = 1,
        processes: bool = True,
        start_method: str = "forkserver",
        cache_entries: int = 128,
        cache_bytes: int = 64 * 2**20,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.workers = workers
        self.idle_seconds = idle_seconds
        self.processes = processes
        self.start_method = start_method
        self.cache_entries = cache_entries
        self.cache_bytes = cache_bytes
        self.hits = 0
        self.misses = 0
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Lock | None = None
        self._cache: OrderedDict[bytes, bytes] = OrderedDict()
        self._cached = 0  # bytes held by the cache
        self._pending: dict[bytes, asyncio.Task[bytes]] = {}
        self._idle: asyncio.TimerHandle | None = None

    async def run(self, fn: Render, *args: object) -> bytes:
        blob = await _pickled(fn, args)
        key = hashlib.blake2b(blob, digest_size=20).digest()
        data = self._cache.get(key)
        if data is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return data
        task = self._pending.get(key)
        if task is None:
            self.misses += 1
            task = asyncio.ensure_future(self._compute(key, blob))
            self._pending[key] = task
            task.add_done_callback(lambda _t: self._pending.pop(key, None))
        # Shielded: a reader who goes away (a closed browser tab) does not cancel a shared rendering.
        return await asyncio.shield(task)

    async def warm(self, modules: Iterable[str] = HEAVY_MODULES) -> None:
        """Start the worker and import the heavy libraries in it (tests; an eager deployment)."""
        pool = await self._executor() if self.processes else None
        if pool is not None:
            await asyncio.get_running_loop().run_in_executor(pool, _warm, tuple(modules))
            self._arm_idle_stop()

    def clear(self) -> None:
        """Forget every cached result (tests that must see a rendering happen)."""
        self._cache.clear()
        self._cached = 0

    def close(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _compute(self, key: bytes, blob: bytes) -> bytes:
        try:
            return await self._rendered(key, blob)
        finally:
            self._arm_idle_stop()

    def _arm_idle_stop(self) -> None:
        """(Re)start the idle countdown after a rendering; the worker stops when it runs out."""
        if self._idle is not None:
            self._idle.cancel()
        self._idle = None
        if self._pool is not None:
            self._idle = asyncio.get_running_loop().call_later(self.idle_seconds, self._stop_if_idle)

    def _stop_if_idle(self) -> None:
        self._idle = None
        # A rendering started meanwhile (its task is pending) re-arms the countdown when it ends.
        if not self._pending and self._pool is not None:
            log.info("render pool idle for %.0f s, stopping its worker", self.idle_seconds)
            self.close()

    async def _rendered(self, key: bytes, blob: bytes) -> bytes:
        pool = await self._executor() if self.processes else None
        if pool is None:
            data = await asyncio.to_thread(_call, blob)
        else:
            loop = asyncio.get_running_loop()
            try:
                data = await loop.run_in_executor(pool, _call, blob)
            except BrokenProcessPool:  # the worker died (killed for memory?): a fresh pool, once
                log.warning("render pool broken, restarting it")
                self.close()
                pool = await self._executor()
                data = await (
                    loop.run_in_executor(pool, _call, blob) if pool else asyncio.to_thread(_call, blob)
                )
        self._remember(key, data)
        return data

    async def _executor(self) -> ProcessPoolExecutor | None:
        if self._pool is not None or not self.processes:
            return self._pool
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            if self._pool is None and self.processes:
                try:
                    # Starting processes (and the fork server) blocks: in a thread, not on the loop.
                    self._pool = await asyncio.to_thread(self._start)
                except (BrokenProcessPool, OSError) as exc:
                    # E.g. a main script without ``if __name__ == "__main__"`` (the worker re-imports
                    # it): charts still work, in a thread, and the log says why the loop may stall.
                    log.error("render pool did not start (%s); rendering in threads", exc)
                    self.processes = False
        return self._pool

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        try:
            pool.submit(_warm, ()).result()  # the worker exists before the loop sends it anything
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        return pool

    def _remember(self, key: bytes, data: bytes) -> None:
        if len(data) > self.cache_bytes // 4:
            return  # one huge export would push out everything else
        self._cache[key] = data
        self._cached += len(data)
        while len(self._cache) > self.cache_entries or self._cached > self.cache_bytes:
            _key, old = self._cache.popitem(last=False)
            self._cached -= len(old)


async def render(offload: Offload | None, fn: Render, *args: object) -> bytes:
    """``fn(*args)`` through the injected ``offload``; without one (tests and tools that build a
    service alone) in a worker thread, as before. The running service always injects one."""
    if offload is None:
        return await asyncio.to_thread(fn, *args)
    return await offload.run(fn, *args)
