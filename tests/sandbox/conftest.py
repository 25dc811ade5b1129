"""Fixtures: a sandbox on a free port, a real aiogram Bot pointed at it, and the control client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram import Bot

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.runner import RunningSandbox
from tests.sandbox_support import BOT_TOKEN, make_bot, running_sandbox

__all__ = ["BOT_TOKEN", "make_bot"]  # the sandbox's own tests import them from here


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Override in a test module (or parametrize) to start the sandbox with other limits."""
    return SandboxConfig()


@pytest.fixture
async def sandbox(sandbox_config: SandboxConfig) -> AsyncIterator[RunningSandbox]:
    async with running_sandbox(sandbox_config) as running:
        yield running


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.base_url) as sandbox_client:
        yield sandbox_client


@pytest.fixture
async def bot(sandbox: RunningSandbox) -> AsyncIterator[Bot]:
    instance = make_bot(sandbox.base_url)
    yield instance
    await instance.session.close()


@pytest.fixture
async def user(client: SandboxClient) -> dict[str, Any]:
    return await client.register_user(first_name="Анна", username="anna")


@pytest.fixture
async def make_user(client: SandboxClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def factory(name: str = "Житель") -> dict[str, Any]:
        return await client.register_user(first_name=name)

    return factory
