"""One scheduler among the workers: a leader lock with takeover when the leader dies."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from scheduler.leader import Leadership, PgAdvisoryLeaderLock, RedisLeaderLock


async def _until(condition, within: float) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polling state set by other tasks
            await asyncio.sleep(0.02)


class _Killed(RedisLeaderLock):
    """A leader killed with SIGKILL: it never releases, its lock only expires."""

    async def release(self) -> None:
        return None


async def test_redis_leader_takeover_within_ttl(redis: Redis) -> None:
    changes: dict[str, list[bool]] = {"a": [], "b": []}
    a = Leadership(_Killed(redis, ttl=1.0), changes["a"].append, every=0.1)
    b = Leadership(RedisLeaderLock(redis, ttl=1.0), changes["b"].append, every=0.1)
    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    task_a = asyncio.create_task(a.run(stop_a))
    await _until(lambda: a.leader, 2)
    task_b = asyncio.create_task(b.run(stop_b))
    await asyncio.sleep(1.5)  # a renews: b stays a candidate past the TTL
    assert a.leader and not b.leader
    task_a.cancel()  # killed: no renewal, no release
    await asyncio.gather(task_a, return_exceptions=True)
    await _until(lambda: b.leader, 2.0)
    stop_b.set()
    await task_b
    assert changes["b"] == [True, False]
    assert await redis.get("porucheno:scheduler:leader") is None  # a graceful stop releases at once


async def test_postgres_advisory_leader_takeover(engine: AsyncEngine) -> None:
    first, second = PgAdvisoryLeaderLock(engine), PgAdvisoryLeaderLock(engine)
    try:
        assert await first.try_hold()
        assert not await second.try_hold()
        assert await first.try_hold()  # still ours
        assert first._conn is not None
        await first._conn.invalidate()  # the leader's connection dies with its process
        first._conn = None
        assert await second.try_hold()
    finally:
        await first.release()
        await second.release()
