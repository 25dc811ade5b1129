"""Telegram's hard limits and the token-bucket rate limiter that produces 429 answers."""

from __future__ import annotations

import math
import time

from .config import SandboxConfig

MAX_TEXT_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_BOT_UPLOAD_BYTES = 50 * 1024 * 1024  # multipart upload by a bot
MAX_BOT_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_USER_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024  # users may send files up to 2 GB
MEDIA_GROUP_MIN, MEDIA_GROUP_MAX = 2, 10


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TokenBucket:
    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def wait_needed(self, amount: int, now: float) -> float:
        """Seconds until ``amount`` tokens are available (0 if they are now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        # A batch bigger than the bucket passes once the bucket is full, leaving it in debt.
        need = min(amount, self.capacity)
        return 0.0 if self.tokens >= need else (need - self.tokens) / self.rate

    def take(self, amount: int) -> None:
        self.tokens -= amount


class RateLimiter:
    """Per-bot, per-private-chat and per-group buckets; all must allow a send for it to pass."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._bots: dict[int, TokenBucket] = {}
        self._chats: dict[tuple[int, int], TokenBucket] = {}

    def reset(self) -> None:
        self._bots.clear()
        self._chats.clear()

    def acquire(self, bot_id: int, chat_id: int, amount: int = 1, now: float | None = None) -> int | None:
        """Consume tokens and return None, or return the integer ``retry_after`` (≥ 1) to answer 429."""
        if not self.config.enforce_limits:
            return None
        now = time.monotonic() if now is None else now
        cfg = self.config
        bot_bucket = self._bots.get(bot_id)
        if bot_bucket is None:
            bot_bucket = self._bots[bot_id] = TokenBucket(cfg.bot_rate_per_sec, cfg.bot_burst, now)
        chat_bucket = self._chats.get((bot_id, chat_id))
        if chat_bucket is None:
            if chat_id < 0:
                rate, burst = cfg.group_per_minute / 60.0, float(cfg.group_per_minute)
            else:
                rate, burst = cfg.chat_rate_per_sec, float(cfg.chat_burst)
            chat_bucket = self._chats[(bot_id, chat_id)] = TokenBucket(rate, burst, now)
        wait = max(bot_bucket.wait_needed(amount, now), chat_bucket.wait_needed(amount, now))
        if wait > 0:
            return max(1, math.ceil(wait))
        bot_bucket.take(amount)
        chat_bucket.take(amount)
        return None
