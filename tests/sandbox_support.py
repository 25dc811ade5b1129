"""The fake Telegram for tests of any area: start and stop a sandbox, point a plain aiogram Bot at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox, start_sandbox

BOT_TOKEN = "123456:TEST-sandbox-token"


@asynccontextmanager
async def running_sandbox(config: SandboxConfig | None = None) -> AsyncIterator[RunningSandbox]:
    """A sandbox on a free port, stopped on the way out even when the test fails."""
    running = await start_sandbox(config)
    try:
        yield running
    finally:
        await running.stop()


def make_bot(base_url: str, token: str = BOT_TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
