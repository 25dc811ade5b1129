"""The FSM in Redis for several workers, with one round trip to start an update instead of four.

aiogram's ``RedisStorage`` with its ``RedisEventIsolation`` spends a round trip on every step of an
update: take the chat's lock, read the state, read the data (our preferences' data too, bot/prefs.py),
write state and data back when a handler clears them, release the lock. In a worker each costs about
0.1 ms of CPU (the socket write and the wake-up dominate), and a plain ``/start`` paid six, more than
its database work (measured in bench/throughput.py's worker runs).

Here taking the lock is one Lua script that also returns the chat's state and data and the
``prefetch`` destinies' data. While the lock is held no other update of this chat runs anywhere, so
those values are the truth for this update: the storage answers reads from them and leaves out a
write that would change nothing (``state.clear()`` of a chat that is in no conversation). Every write
that changes something goes to Redis at once, as before: a worker killed after it keeps it. The
values live only while the lock is held; a task the handler left running reads Redis again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseEventIsolation, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage

log = logging.getLogger(__name__)

LOCK_TIMEOUT_MS = 60_000  # as aiogram's RedisEventIsolation: a dead worker's lock runs out
# While another update of the chat holds the lock: the first retry soon (a double tap is handled
# in milliseconds), then less and less often, up to aiogram's 0.1 s (a long upload holds it for seconds).
RETRY_FIRST, RETRY_MAX = 0.01, 0.1

# KEYS: the lock, then the keys to read. ARGV: token, timeout (ms).
# Returns {1, value...} when the lock is taken (GET of a missing key is false in Lua: a nil in the
# reply, and the array goes on), {0} when another update holds it.
_ACQUIRE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
local reply = {1}
for i = 2, #KEYS do reply[i] = redis.call('GET', KEYS[i]) end
return reply
"""
# KEYS: the lock. ARGV: token. Deletes it only if it is still ours (it may have run out and been
# taken by another update since).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass
class _Held:
    """The values read when the lock was taken, kept up to date by this update's writes."""

    values: dict[str, str | None]
    live: bool = True


_held: ContextVar[_Held | None] = ContextVar("porucheno_fsm_held", default=None)


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class TurnRedisStorage(RedisStorage):
    """``RedisStorage`` that answers from the values read with the lock (see the module's text)."""

    def __init__(self, *args: Any, prefetch: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefetch = tuple(prefetch)  # destinies whose data is read with the lock as well

    def create_isolation(self, **kwargs: Any) -> TurnIsolation:  # type: ignore[override]
        return TurnIsolation(self, **kwargs)

    def _cached(self, redis_key: str) -> tuple[bool, str | None]:
        held = _held.get()
        if held is None or not held.live or redis_key not in held.values:
            return False, None
        return True, held.values[redis_key]

    def _remember(self, redis_key: str, value: str | None) -> None:
        held = _held.get()
        if held is not None and held.live and redis_key in held.values:
            held.values[redis_key] = value

    async def get_state(self, key: StorageKey) -> str | None:
        found, value = self._cached(self.key_builder.build(key, "state"))
        return value if found else await super().get_state(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        redis_key = self.key_builder.build(key, "state")
        value = state.state if isinstance(state, State) else state
        found, current = self._cached(redis_key)
        if found and current == value and self.state_ttl is None:
            return  # unchanged (a TTL would have to be renewed)
        await super().set_state(key, value)
        self._remember(redis_key, value)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        found, raw = self._cached(self.key_builder.build(key, "data"))
        if not found:
            return await super().get_data(key)
        return {} if raw is None else dict(self.json_loads(raw))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        redis_key = self.key_builder.build(key, "data")
        raw = self.json_dumps(data) if data else None
        found, current = self._cached(redis_key)
        if found and current == raw and self.data_ttl is None:
            return
        if raw is None:
            await self.redis.delete(redis_key)
        else:
            await self.redis.set(redis_key, raw, ex=self.data_ttl)
        self._remember(redis_key, raw)


class TurnIsolation(BaseEventIsolation):
    """One update of a chat at a time across workers; the lock brings the chat's FSM values along."""

    def __init__(
        self,
        storage: TurnRedisStorage,
        *,
        timeout_ms: int = LOCK_TIMEOUT_MS,
    ) -> None:
        self.storage = storage
        self.timeout_ms = timeout_ms
        self._acquire = storage.redis.register_script(_ACQUIRE)
        self._release = storage.redis.register_script(_RELEASE)

    def _keys(self, key: StorageKey) -> list[str]:
        build = self.storage.key_builder.build
        keys = [build(key, "lock"), build(key, "state"), build(key, "data")]
        return keys + [build(replace(key, destiny=destiny), "data") for destiny in self.storage.prefetch]

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        keys = self._keys(key)
        token = secrets.token_hex(8)
        pause = RETRY_FIRST
        while not (reply := await self._acquire(keys=keys, args=[token, self.timeout_ms]))[0]:
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)
        held = _Held({name: _text(value) for name, value in zip(keys[1:], reply[1:], strict=True)})
        reset = _held.set(held)
        try:
            yield
        finally:
            held.live = False
            # A generator closed from another context (its task torn down) cannot reset the var;
            # the values are dead either way, and the release below must still happen.
            with contextlib.suppress(ValueError):
                _held.reset(reset)
            # Shielded: a cancelled update must not leave its chat locked for a minute.
            if not await asyncio.shield(self._release(keys=keys[:1], args=[token])):
                log.warning("the chat lock %s ran out before its update was handled", keys[0])

    async def close(self) -> None:
        pass
