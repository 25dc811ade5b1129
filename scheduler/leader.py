"""One scheduler for all workers: the process holding the leader lock runs the jobs, the others wait.

Jobs are idempotent (scheduler/factory.py), but N workers running each of them N times would still
multiply the work and the database load. The lock:

* Redis (when configured): ``SET key token NX PX ttl``, renewed every ``renew`` seconds by its
  holder (a Lua check-and-extend, so an expired lock taken over by another is never extended). A
  killed leader stops renewing; another candidate takes over within ``ttl``.
* PostgreSQL: ``pg_try_advisory_lock`` on a connection kept open for it. The server drops the lock
  when that connection dies with its process; a candidate's next try then succeeds.
* SQLite: one process only (the file database is not shared by workers), always the leader.

A candidate that loses the lock (Redis unreachable, its connection dropped) pauses the scheduler
until it wins again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LEADER_KEY = "porucheno:scheduler:leader"
LEADER_TTL = 15.0  # seconds a dead leader's lock survives it (Redis)
RENEW_EVERY = 3.0  # seconds between renewals / attempts
# pg_advisory_lock takes a bigint: a fixed number for "the Porucheno scheduler".
PG_LOCK_ID = 0x506F72756368  # "Poruch"

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class LeaderLock(Protocol):
    async def try_hold(self) -> bool:
        """Take the lock, or keep holding it; True while this process is the leader."""

    async def release(self) -> None: ...


class AlwaysLeader:
    async def try_hold(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class RedisLeaderLock:
    def __init__(
        self, redis: Any, *, key: str = LEADER_KEY, ttl: float = LEADER_TTL, owned: bool = False
    ) -> None:
        self.redis = redis
        self.owned = owned  # created for this lock: closed with it
        self.key = key
        self.ttl_ms = int(ttl * 1000)
        self.token = f"{os.getpid()}:{uuid.uuid4().hex}"
        self._held = False

    async def try_hold(self) -> bool:
        if self._held and await self.redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms):
            return True
        self._held = bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))
        return self._held

    async def release(self) -> None:
        """Let the next candidate in at once (a graceful stop), not only after the TTL."""
        if self._held:
            self._held = False
            with contextlib.suppress(Exception):
                await self.redis.eval(_RELEASE, 1, self.key, self.token)
        if self.owned:
            await self.redis.aclose()


class PgAdvisoryLeaderLock:
    """A session-level advisory lock lives as long as its connection: that connection is kept."""

    def __init__(self, engine: AsyncEngine, *, lock_id: int = PG_LOCK_ID) -> None:
        self.engine = engine
        self.lock_id = lock_id
        self._conn: AsyncConnection | None = None
        self._held = False

    async def try_hold(self) -> bool:
        try:
            if self._conn is None:
                self._conn = await self.engine.connect()
            if self._held:  # still ours while the connection answers
                await self._conn.execute(text("select 1"))
                return True
            got = await self._conn.scalar(text("select pg_try_advisory_lock(:id)"), {"id": self.lock_id})
            await self._conn.commit()  # no transaction left open on the kept connection
            self._held = bool(got)
            return self._held
        except Exception:
            await self._drop()
            raise

    async def _drop(self) -> None:
        self._held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()  # the lock goes with the server session
            with contextlib.suppress(Exception):
                await conn.close()

    async def release(self) -> None:
        if self._conn is not None and self._held:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("select pg_advisory_unlock(:id)"), {"id": self.lock_id})
                await self._conn.commit()
        self._held = False
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None


def create_leader_lock(redis_url: str | None, engine: AsyncEngine) -> LeaderLock:
    if redis_url:
        from redis.asyncio import Redis

        return RedisLeaderLock(Redis.from_url(redis_url), owned=True)
    if engine.dialect.name == "postgresql":
        return PgAdvisoryLeaderLock(engine)
    return AlwaysLeader()


class Leadership:
    """Keeps trying for the lock and tells ``on_change`` whenever this process becomes or stops
    being the leader."""

    def __init__(
        self, lock: LeaderLock, on_change: Callable[[bool], None], *, every: float = RENEW_EVERY
    ) -> None:
        self.lock = lock
        self.on_change = on_change
        self.every = every
        self.leader = False

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    leader = await self.lock.try_hold()
                except Exception as exc:  # Redis or the database unreachable: not the leader now
                    log.warning("scheduler leader lock unavailable: %s", exc)
                    leader = False
                self._set(leader)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.every)
        finally:
            self._set(False)
            with contextlib.suppress(Exception):
                await self.lock.release()

    def _set(self, leader: bool) -> None:
        if leader != self.leader:
            self.leader = leader
            log.info("this process %s the scheduler", "runs" if leader else "no longer runs")
            self.on_change(leader)


def scheduler_switch(scheduler: Any) -> Callable[[bool], None]:
    """``on_change`` for an APScheduler started paused: resume as leader, pause otherwise."""

    def switch(leader: bool) -> None:
        if not scheduler.running:
            return
        if leader:
            scheduler.resume()
        else:
            scheduler.pause()

    return switch
