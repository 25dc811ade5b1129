"""Fixtures for several workers on one PostgreSQL and one Redis.

Redis comes from ``PORUCHENO_TEST_REDIS_URL`` (default: database 13 on the local server), flushed
before and after each test. Like PostgreSQL (tests/conftest.py), a Redis that does not answer skips
these tests on a developer's machine and fails them in CI (tests/prerequisites.py).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.conftest import pg_skip_reason, private_database
from tests.prerequisites import missing

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_test_url() -> str:
    return os.environ.get("PORUCHENO_TEST_REDIS_URL", DEFAULT_REDIS_URL)


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    url = redis_test_url()
    client = Redis.from_url(url)
    try:
        try:
            await client.ping()
        except Exception as exc:
            missing(f"Redis at {url} does not answer: {exc.__class__.__name__}: {exc}")
        await client.flushdb()
        yield url
        await client.flushdb()
    finally:
        await client.aclose()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def db_backend() -> str:
    """Several workers need PostgreSQL: these tests run on it only."""
    reason = pg_skip_reason()
    if reason:
        missing(reason)
    return "postgresql"


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    with private_database(db_backend, tmp_path / "unused.sqlite3", "w") as url:
        yield url
