"""A message handler that takes its time and records how many of it ran at once: the probe of the
tests that bound concurrent updates (polling, the Telegram webhook, the MAX webhook)."""

from __future__ import annotations

import asyncio

from aiogram import Dispatcher
from aiogram.types import Message


class SlowReplies:
    def __init__(self, dp: Dispatcher, *, seconds: float = 0.2) -> None:
        self.busy = self.most = 0
        self.seconds = seconds
        dp.message()(self.reply)

    async def reply(self, message: Message) -> None:
        self.busy += 1
        self.most = max(self.most, self.busy)
        await asyncio.sleep(self.seconds)
        self.busy -= 1
        await message.answer(f"готово: {message.text}")
