"""End-to-end fixtures for MAX: the fake MAX server, the real bot (a MAX session under the ordinary
aiogram Bot and dispatcher) polling it, and simulated MAX users — mirroring tests/bot/conftest.py.

Use from a test package with ``pytest_plugins = ["tests.bot.max_support"]`` in its conftest.py.
Chat methods return sandbox messages (MAX Message shape plus ``mid``, ``side``, ``format``...).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_dispatcher
from bot.max.factory import create_max_bot
from porucheno.settings import Settings
from sandbox.max.client import MaxSandboxClient, buttons_of
from sandbox.max.config import MaxSandboxConfig
from sandbox.max.runner import RunningMaxSandbox, start_max_sandbox
from services.messengers import max_address
from tests.bot.conftest import polling_while

_max_user_ids = itertools.count(5_000_001)


@pytest.fixture
async def max_sandbox() -> AsyncIterator[RunningMaxSandbox]:
    running = await start_max_sandbox(MaxSandboxConfig())
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def max_settings(settings: Settings, max_sandbox: RunningMaxSandbox) -> Settings:
    return settings.model_copy(
        update={
            "max_token": max_sandbox.token,
            "max_api_url": max_sandbox.base_url,
            "max_send_chat_rate": 30.0,
            "send_chat_burst": 30,
            "max_retry_seconds": 0.2,
        }
    )


@pytest.fixture
async def max_bot(
    max_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Bot]:
    bot = create_max_bot(max_settings, session_factory)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
def max_dispatcher(max_settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> Dispatcher:
    return create_dispatcher(max_settings, session_factory)


@pytest.fixture
async def max_polling(max_bot: Bot, max_dispatcher: Dispatcher) -> AsyncIterator[None]:
    async with polling_while(max_bot, max_dispatcher):
        yield


@pytest.fixture
async def max_client(max_sandbox: RunningMaxSandbox) -> AsyncIterator[MaxSandboxClient]:
    client = MaxSandboxClient(max_sandbox.base_url)
    try:
        yield client
    finally:
        await client.close()


def max_keyboard_texts(message: dict[str, Any]) -> list[str]:
    return [button["text"] for row in buttons_of(message) for button in row]


@dataclass
class MaxChat:
    """One simulated MAX user talking to the bot."""

    client: MaxSandboxClient
    native_id: int

    @property
    def user_id(self) -> int:
        """The chat address the product knows this user by."""
        return max_address(self.native_id)

    async def send(self, text: str, *, expect: str | None = None) -> dict[str, Any]:
        await self.client.send_text(self.native_id, text)
        return await self.reply(expect)

    async def reply(self, contains: str | None = None, *, within: float = 10.0) -> dict[str, Any]:
        return await self.client.wait_for(self.native_id, contains=contains, timeout=within)

    async def press(self, message: dict[str, Any], label: str, **extra: Any) -> dict[str, Any]:
        """Tap a button of ``message`` by its label."""
        return await self.client.press(self.native_id, message["mid"], text=label, **extra)

    async def start(self, payload: str | None = None, *, expect: str | None = None) -> dict[str, Any]:
        await self.client.start(self.native_id, payload)
        return await self.reply(expect)

    async def send_media(
        self,
        images: list[tuple[bytes, str]] | None = None,
        files: list[tuple[bytes, str]] | None = None,
        text: str | None = None,
    ) -> dict[str, Any]:
        return await self.client.send_media(self.native_id, images=images, files=files, text=text)

    async def send_contact(self, phone: str, name: str | None = None, *, own: bool = True) -> dict[str, Any]:
        return await self.client.send_contact(self.native_id, phone, name, own=own)

    async def send_location(self, lat: float, lon: float) -> dict[str, Any]:
        return await self.client.send_location(self.native_id, lat, lon)

    async def callback_answer(self, callback_id: str, *, within: float = 10.0) -> dict[str, Any]:
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            for answer in await self.client.callback_answers(self.native_id):
                if str(answer.get("callback_id")) == str(callback_id) and answer.get("answered"):
                    return answer
            if loop.time() > deadline:
                raise AssertionError(f"callback {callback_id} was never answered")
            await asyncio.sleep(0.02)


@pytest.fixture
async def new_max_chat(max_client: MaxSandboxClient, max_polling: None):  # type: ignore[no-untyped-def]
    """Factory: a freshly registered MAX user (polling is already running)."""

    async def make(first_name: str = "Иван", *, locale: str = "ru", username: str | None = None) -> MaxChat:
        native = next(_max_user_ids)
        await max_client.register_user(
            user_id=native, first_name=first_name, username=username, locale=locale
        )
        return MaxChat(max_client, native)

    return make
