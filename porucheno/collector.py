"""The cyclic garbage collector as a long-running service wants it (``runtime.serve``; the tests
that measure the event loop use the same settings, so they measure what runs in production)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

GC_YOUNG_THRESHOLD = 10_000  # allocations between the collector's young passes


@contextlib.contextmanager
def serving_collector() -> Iterator[None]:
    """Freeze what start-up built and collect the young generation less often, for the block."""
    # What start-up built (modules, routers, mappers: about 300,000 objects) lives as long as the
    # process. Frozen, the cyclic collector no longer walks it on every full collection, which under
    # load took a measurable share of each update's time.
    gc.collect()
    gc.freeze()
    # An update allocates thousands of small objects (pydantic models, dicts, coroutines) that live
    # for its few milliseconds. With the default first threshold (700) the collector ran every few
    # updates, walking objects still in use and promoting them, then full passes after them: about
    # 7 % of the CPU under load (bench/throughput.py, gc callbacks). At 10,000 most of them are
    # gone before it runs: 0.25 s of collection per 15 s of CPU instead of 1.07 s.
    before = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)
    try:
        yield
    finally:
        # A process that serves again (tests, an embedding script) must not keep this run's
        # objects out of the collector's reach for good.
        gc.set_threshold(*before)
        gc.unfreeze()
