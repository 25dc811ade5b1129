"""In-memory sliding-window counters for logins and the public forms.

Per process on purpose: the panel runs as one process, and a restart forgetting the counters only
gives an attacker a few more guesses against argon2-hashed passwords.

Checking and counting is one step (:meth:`SlidingWindowLimiter.acquire`, no ``await`` inside): a
check now and a hit after the request's awaits would let twenty parallel posts all pass a limit of
five. A request that turns out not to count gives its slot back with :meth:`release`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable


class SlidingWindowLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[Hashable, deque[float]] = {}

    def _recent(self, key: Hashable) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        cutoff = self._clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may try again; 0 when it is not blocked."""
        hits = self._recent(key)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[-self.limit] + self.window - self._clock())

    def hit(self, key: Hashable) -> None:
        if len(self._hits) >= self._max_keys:
            self._prune()
        hits = self._recent(key)
        if hits is None:
            hits = self._hits[key] = deque()
        hits.append(self._clock())

    def acquire(self, key: Hashable) -> float:
        """Take one slot for ``key`` if it is free: returns 0 and counts the hit, or the wait."""
        wait = self.retry_after(key)
        if not wait:
            self.hit(key)
        return wait

    def release(self, key: Hashable) -> None:
        """Give back the newest slot of ``key`` (the request it was taken for did not count)."""
        hits = self._recent(key)
        if hits:
            hits.pop()
            if not hits:
                del self._hits[key]

    def reset(self, key: Hashable) -> None:
        self._hits.pop(key, None)

    def _prune(self) -> None:
        # Bounded memory under a spray of distinct keys: drop expired ones, then the oldest.
        for key in list(self._hits):
            self._recent(key)
        while len(self._hits) >= self._max_keys:
            del self._hits[next(iter(self._hits))]


def acquire_all(*slots: tuple[SlidingWindowLimiter, Hashable]) -> float:
    """Take a slot in every limiter or in none: returns 0, or the longest wait when one is full."""
    taken: list[tuple[SlidingWindowLimiter, Hashable]] = []
    for limiter, key in slots:
        wait = limiter.acquire(key)
        if wait:
            for done_limiter, done_key in taken:
                done_limiter.release(done_key)
            return max([wait] + [lim.retry_after(k) for lim, k in slots])
        taken.append((limiter, key))
    return 0.0


def release_all(*slots: tuple[SlidingWindowLimiter, Hashable]) -> None:
    for limiter, key in slots:
        limiter.release(key)
