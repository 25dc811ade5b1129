"""Run synchronous filters and handlers inline, as aiogram did before 3.2x.

aiogram 3.31 runs every callable that is not a coroutine function in a worker thread
(``asyncio.to_thread``) — including ``F.text == ...`` and ``F.data.regexp(...)``, which are
``MagicFilter.resolve``. An update traversing our routers checks dozens of such filters, each a thread
hop with its GIL hand-offs: a large share of the bot's CPU per update. Our filters are pure
functions of the event (microseconds), so they run inline; a filter that needed the database is async.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject, HandlerObject


def _inline(obj: CallableObject) -> None:
    if obj.awaitable:
        return
    sync: Callable[..., Any] = obj.callback

    @functools.wraps(sync)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    # ``params`` was read from the original signature, so the same keyword arguments are passed.
    obj.callback = run
    obj.awaitable = True


def _handlers(router: Router) -> Iterable[HandlerObject]:
    for observer in router.observers.values():
        yield observer._handler  # the observer's own filters (``router.message.filter(...)``)
        yield from observer.handlers


def run_filters_inline(root: Router) -> int:
    """Make every synchronous filter and handler under ``root`` run in the event loop; how many."""
    changed = 0
    for router in root.chain_tail:
        for handler in _handlers(router):
            for obj in [handler, *(handler.filters or ())]:
                if not obj.awaitable:
                    _inline(obj)
                    changed += 1
    return changed
