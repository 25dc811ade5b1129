"""One send rate for all workers: GCRA buckets in Redis, per bot and per chat.

Each process's Pacer (bot/pacing.py) keeps Telegram's limits for itself; N workers would together
send N times too much. With Redis configured, every send also takes its slot here, atomically (one
Lua script checks the bot's bucket and the chat's and takes from both or from neither), with Redis's
clock, so all workers draw from the same budget.

GCRA keeps one number per key, the "theoretical arrival time" (TAT): a send of ``n`` is allowed when
``TAT + n/rate - burst/rate <= now``; it then moves TAT on by ``n/rate``. A bulk (outbox) send also
leaves ``reserve`` sends of headroom for replies, as the local pacer does.
"""

from __future__ import annotations

from typing import Any

from bot.pacing import ChatKey, PacingLimits

# KEYS: global, chat (or "" for none). ARGV: amount, global T (ms), global burst, chat T (ms), chat
# burst, global reserve, chat reserve. Returns {wait_ms, limited_by_chat}: {0, 0} when taken.
_GCRA = """
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local amount = tonumber(ARGV[1])
local function check(key, period, burst, reserve)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  reserve = math.max(0, math.min(reserve, burst - amount))
  local new_tat = tat + amount * period
  local allow_at = new_tat + reserve * period - burst * period
  return new_tat, allow_at - now
end
local g_tat, g_wait = check(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[6]))
local c_tat, c_wait = 0, 0
if KEYS[2] ~= '' then
  c_tat, c_wait = check(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7]))
end
if c_wait > 0 then return {math.ceil(c_wait), 1} end
if g_wait > 0 then return {math.ceil(g_wait), 0} end
redis.call('SET', KEYS[1], tostring(g_tat), 'PX', math.max(1, math.ceil(g_tat - now)))
if KEYS[2] ~= '' then
  redis.call('SET', KEYS[2], tostring(c_tat), 'PX', math.max(1, math.ceil(c_tat - now)))
end
return {0, 0}
"""


class SharedRate:
    """``reserve`` answers 0 (taken) or how long to wait (nothing taken) and whether the chat is
    the limit (then the outbox defers that message rather than waiting)."""

    def __init__(
        self,
        redis: Any,
        limits: PacingLimits,
        *,
        prefix: str,
        global_reserve: int = 0,
        chat_reserve: int = 0,
    ) -> None:
        self.redis = redis
        self.limits = limits
        self.prefix = prefix
        self.global_reserve = global_reserve
        self.chat_reserve = chat_reserve
        self._script = redis.register_script(_GCRA)

    async def reserve(self, chat_id: ChatKey, amount: int = 1, *, bulk: bool = False) -> tuple[float, bool]:
        chat_rate = self.limits.chat_rate
        if isinstance(chat_id, int) and chat_id < 0:  # groups: Telegram allows 20 a minute
            chat_rate = min(chat_rate, 20 / 60)
        # A batch bigger than a bucket would never fit: it waits for a full bucket instead.
        amount = min(
            amount, self.limits.global_burst, self.limits.chat_burst if chat_id is not None else amount
        )
        chat_key = "" if chat_id is None else f"{self.prefix}:chat:{chat_id}"
        wait_ms, by_chat = await self._script(
            keys=[f"{self.prefix}:global", chat_key],
            args=[
                amount,
                1000.0 / self.limits.global_rate,
                self.limits.global_burst,
                1000.0 / chat_rate,
                self.limits.chat_burst,
                self.global_reserve if bulk else 0,
                self.chat_reserve if bulk else 0,
            ],
        )
        return float(wait_ms) / 1000.0, bool(by_chat)

    async def close(self) -> None:
        await self.redis.aclose()
