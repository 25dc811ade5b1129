"""The Redis rate all workers share: N concurrent takers together stay under the rate."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot.pacing import Pacer, PacingLimits
from bot.shared_rate import SharedRate

RATE, BURST = 20.0, 4


async def _taker(limiter: SharedRate, chat: int | None, until: float, taken: list[float]) -> None:
    while time.monotonic() < until:
        wait, _ = await limiter.reserve(chat)
        if wait <= 0:
            taken.append(time.monotonic())
        else:
            await asyncio.sleep(wait)


async def test_concurrent_takers_stay_under_the_global_rate(redis_url: str) -> None:
    limits = PacingLimits(global_rate=RATE, global_burst=BURST, chat_rate=1000.0, chat_burst=1000)
    # Separate limiters and connections: as many workers would have.
    workers = [SharedRate(Redis.from_url(redis_url), limits, prefix="t") for _ in range(4)]
    taken: list[float] = []
    start = time.monotonic()
    duration = 2.0
    try:
        await asyncio.gather(*(_taker(w, i, start + duration, taken) for i, w in enumerate(workers)))
    finally:
        for w in workers:
            await w.close()
    # At most the burst plus the rate over the run; and the takers did use the budget.
    assert len(taken) <= BURST + RATE * duration + 1
    assert len(taken) >= RATE * duration * 0.7
    # No second holds more than the rate (plus the initial burst).
    for t in taken:
        assert sum(1 for u in taken if t <= u < t + 1.0) <= RATE + BURST


async def test_one_chat_gets_one_message_a_second_across_workers(redis: Redis) -> None:
    limits = PacingLimits(global_rate=100.0, global_burst=10, chat_rate=1.0, chat_burst=1)
    a = SharedRate(redis, limits, prefix="c")
    b = SharedRate(redis, limits, prefix="c")
    assert (await a.reserve(42)) == (0.0, False)
    wait, by_chat = await b.reserve(42)
    assert by_chat and 0.5 < wait <= 1.0  # the other worker just wrote to this chat
    assert (await b.reserve(43))[0] == 0.0  # another chat is free


async def test_pacer_defers_a_bulk_send_to_a_chat_another_worker_used(redis: Redis) -> None:
    limits = PacingLimits(global_rate=100.0, global_burst=10, chat_rate=1.0, chat_burst=2)
    shared = SharedRate(redis, limits, prefix="p", chat_reserve=1)
    first, second = Pacer(limits), Pacer(limits)
    first.shared = second.shared = shared
    await first.acquire(7)  # a reply from worker 1
    await first.acquire(7)  # and another: the chat's shared bucket is empty now
    assert await second.acquire_bulk(7) > 0  # worker 2's outbox defers rather than exceed 1/s
