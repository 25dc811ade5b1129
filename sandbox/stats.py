"""Counters that let load tests check the bot's sending behaviour (achieved rate, 429s, duplicates)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

MAX_DUPLICATE_SAMPLES = 20


@dataclass
class SendCounters:
    sent: int = 0  # accepted outgoing messages (a media group counts its items)
    rate_limited: int = 0  # 429 answers
    forbidden: int = 0  # 403 answers (blocked chat)
    faults: int = 0  # injected errors (5xx and others)
    bad_requests: int = 0
    duplicates: int = 0
    first_send_at: float | None = None
    last_send_at: float | None = None

    def record_send(self, count: int, now: float) -> None:
        self.sent += count
        self.first_send_at = self.first_send_at or now
        self.last_send_at = now

    def to_json(self) -> dict[str, Any]:
        span = (self.last_send_at or 0) - (self.first_send_at or 0)
        rate = (self.sent - 1) / span if self.sent > 1 and span > 0 else None
        return {**self.__dict__, "achieved_rate": rate}


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.bots: dict[int, SendCounters] = {}
        self.chats: dict[int, SendCounters] = {}
        self.methods: Counter[str] = Counter()
        self.duplicate_samples: list[dict[str, Any]] = []
        self._seen: set[tuple[Any, ...]] = set()

    def _pair(self, bot_id: int, chat_id: int | None) -> list[SendCounters]:
        pair = [self.bots.setdefault(bot_id, SendCounters())]
        if chat_id is not None:
            pair.append(self.chats.setdefault(chat_id, SendCounters()))
        return pair

    def record_send(
        self, bot_id: int, chat_id: int, count: int, fingerprint: tuple[Any, ...], text: str
    ) -> None:
        now = time.time()
        for counters in self._pair(bot_id, chat_id):
            counters.record_send(count, now)
        # The same content + keyboard delivered twice to one chat usually means a retry gone wrong.
        key = (bot_id, chat_id, *fingerprint)
        if key in self._seen:
            for counters in self._pair(bot_id, chat_id):
                counters.duplicates += 1
            if len(self.duplicate_samples) < MAX_DUPLICATE_SAMPLES:
                self.duplicate_samples.append({"bot_id": bot_id, "chat_id": chat_id, "text": text[:200]})
        self._seen.add(key)

    def record_error(self, bot_id: int, chat_id: int | None, status: int, injected: bool) -> None:
        for counters in self._pair(bot_id, chat_id):
            if injected:
                counters.faults += 1
            elif status == 429:
                counters.rate_limited += 1
            elif status == 403:
                counters.forbidden += 1
            elif status == 400:
                counters.bad_requests += 1

    def to_json(self) -> dict[str, Any]:
        totals = SendCounters()
        for c in self.bots.values():
            for name in ("sent", "rate_limited", "forbidden", "faults", "bad_requests", "duplicates"):
                setattr(totals, name, getattr(totals, name) + getattr(c, name))
            if c.first_send_at is not None:
                totals.first_send_at = min(totals.first_send_at or c.first_send_at, c.first_send_at)
                totals.last_send_at = max(totals.last_send_at or 0, c.last_send_at or 0)
        return {
            "totals": totals.to_json(),
            "duplicates": totals.duplicates,
            "duplicate_samples": list(self.duplicate_samples),
            "bots": {str(k): v.to_json() for k, v in self.bots.items()},
            "chats": {str(k): v.to_json() for k, v in self.chats.items()},
            "methods": dict(self.methods),
        }
