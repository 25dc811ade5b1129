"""The FSM in Redis shared by workers (bot/redis_fsm.py): one chat's updates one at a time across
processes, the state and data read with the lock, writes in Redis at once, and a read after the lock
that goes to Redis again."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from redis.asyncio import Redis

from bot.prefs import PREFS_DESTINY, get_locale
from bot.redis_fsm import TurnRedisStorage

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


class Form(StatesGroup):
    text = State()


def _storage(url: str) -> TurnRedisStorage:
    return TurnRedisStorage.from_url(
        url, key_builder=DefaultKeyBuilder(with_destiny=True), prefetch=(PREFS_DESTINY,)
    )


@pytest.fixture
async def workers(redis_url: str) -> AsyncIterator[tuple[TurnRedisStorage, TurnRedisStorage]]:
    """Two workers: storages with connections of their own, as two processes would have."""
    first, second = _storage(redis_url), _storage(redis_url)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


class Counting:
    """Counts the commands a client sends to Redis (a script call is one)."""

    def __init__(self, redis: Redis) -> None:
        self.calls: list[str] = []
        original = redis.execute_command

        async def execute(*args, **options):  # type: ignore[no-untyped-def]
            self.calls.append(str(args[0]))
            return await original(*args, **options)

        redis.execute_command = execute  # type: ignore[method-assign]


async def test_a_conversation_goes_on_in_the_other_worker(workers) -> None:  # type: ignore[no-untyped-def]
    first, second = workers
    async with first.create_isolation().lock(KEY):
        state = FSMContext(first, KEY)
        await state.set_state(Form.text)
        await state.update_data(step=1)
        assert await state.get_state() == Form.text.state and await state.get_data() == {"step": 1}
    async with second.create_isolation().lock(KEY):
        state = FSMContext(second, KEY)
        assert await state.get_state() == Form.text.state
        assert await state.update_data(step=2) == {"step": 2}
        await state.clear()
    async with first.create_isolation().lock(KEY):
        state = FSMContext(first, KEY)
        assert await state.get_state() is None and await state.get_data() == {}


async def test_one_update_of_a_chat_at_a_time_across_workers(workers) -> None:  # type: ignore[no-untyped-def]
    """Two taps on two workers: the second waits for the first and sees what it wrote."""
    first, second = workers
    order: list[str] = []
    inside = asyncio.Event()

    async def tap(storage: TurnRedisStorage, name: str) -> None:
        async with storage.create_isolation().lock(KEY):
            state = FSMContext(storage, KEY)
            seen = (await state.get_data()).get("taps", [])
            order.append(f"{name} saw {seen}")
            inside.set()
            await asyncio.sleep(0.1)  # the other tap arrives meanwhile
            await state.update_data(taps=[*seen, name])

    one = asyncio.create_task(tap(first, "one"))
    await inside.wait()
    await tap(second, "two")
    await one
    assert order == ["one saw []", "two saw ['one']"]


async def test_writes_are_in_redis_before_the_update_ends(workers, redis: Redis) -> None:  # type: ignore[no-untyped-def]
    first, _ = workers
    builder = DefaultKeyBuilder(with_destiny=True)
    async with first.create_isolation().lock(KEY):
        await FSMContext(first, KEY).set_state(Form.text)
        await FSMContext(first, KEY).set_data({"draft": "Текст"})
        # A worker killed now keeps what the handler wrote.
        assert await redis.get(builder.build(KEY, "state")) == Form.text.state.encode()
        assert json.loads(await redis.get(builder.build(KEY, "data"))) == {"draft": "Текст"}


async def test_an_idle_chat_costs_two_redis_calls(workers, redis: Redis) -> None:  # type: ignore[no-untyped-def]
    """``/start`` of a chat in no conversation: lock (with state, data and preferences) and release.
    aiogram's storage made six: lock, state, preferences, clear's two deletes, release."""
    first, _ = workers
    prefs_key = StorageKey(bot_id=1, chat_id=42, user_id=42, destiny=PREFS_DESTINY)
    await redis.set(DefaultKeyBuilder(with_destiny=True).build(prefs_key, "data"), '{"locale": "en"}')
    counting = Counting(first.redis)
    async with first.create_isolation().lock(KEY):
        state = FSMContext(first, KEY)
        assert await state.get_state() is None
        assert await get_locale(state) == "en"
        await state.clear()
    assert counting.calls == ["EVALSHA", "EVALSHA"]


async def test_a_task_left_running_reads_redis_again(workers) -> None:  # type: ignore[no-untyped-def]
    """What was read with the lock is not used after it: another worker may have changed it."""
    first, second = workers
    states: list[str | None] = []
    proceed = asyncio.Event()

    async def late_reader() -> None:
        await proceed.wait()
        states.append(await FSMContext(first, KEY).get_state())

    async with first.create_isolation().lock(KEY):
        task = asyncio.create_task(late_reader())  # copies the update's context
    async with second.create_isolation().lock(KEY):
        await FSMContext(second, KEY).set_state(Form.text)
    proceed.set()
    await task
    assert states == [Form.text.state]


async def test_a_lock_that_ran_out_is_reported_not_raised(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    storage = _storage(redis_url)
    try:
        isolation = storage.create_isolation(timeout_ms=50)
        with caplog.at_level(logging.WARNING, logger="bot.redis_fsm"):
            async with isolation.lock(KEY):
                await asyncio.sleep(0.1)  # longer than the lock lives
                async with isolation.lock(KEY):  # so the next update got in, and its write stands
                    await FSMContext(storage, KEY).set_state(Form.text)
        assert "ran out" in caplog.text
        assert await FSMContext(storage, KEY).get_state() == Form.text.state
    finally:
        await storage.close()
