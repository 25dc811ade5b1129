"""In-memory sliding-window counter for failed logins.

Per process on purpose: the panel runs as one process, and a restart forgetting the counters only
gives an attacker a few more guesses against argon2-hashed passwords.
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

    def reset(self, key: Hashable) -> None:
        self._hits.pop(key, None)

    def _prune(self) -> None:
        # Bounded memory under a spray of distinct keys: drop expired ones, then the oldest.
        for key in list(self._hits):
            self._recent(key)
        while len(self._hits) >= self._max_keys:
            del self._hits[next(iter(self._hits))]
