"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``PORUCHENO_TEST_DATABASE_URL`` (default: the local ``test`` database). Each
test gets its own schema there (and its own file on SQLite), so tests never see each other's rows.
When no PostgreSQL server answers, its half of the suite is skipped with the reason printed (in CI it
fails instead: see ``tests/prerequisites.py``).
"""

from __future__ import annotations

from porucheno import lazy_aiogram

# As the entry point does (porucheno/cli.py), before anything imports aiogram: the suite runs
# aiogram's types the way the product does.
if not lazy_aiogram.install():
    raise RuntimeError("aiogram was imported before tests/conftest.py; its types were built eagerly")

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

import models
from models.db import create_engine, create_session_factory
from porucheno.settings import Settings
from services.offload import Offload
from tests.prerequisites import missing

# Argon2 as the suite hashes passwords: the product's parameters (64 MB, three passes) cost ~100 ms of
# CPU per hash by design, and hundreds of sign-ins across the suite made it slow and, on a loaded
# machine, time out. ``tests/services/test_passwords.py`` checks the product's own parameters.
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
_pg_status: dict[str, str | None] = {}


def pg_base_url() -> str:
    return os.environ.get("PORUCHENO_TEST_DATABASE_URL", DEFAULT_PG_URL)


async def _probe_pg(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("select 1"))
        return None
    except Exception as exc:
        return f"PostgreSQL at {url} does not answer: {exc.__class__.__name__}: {exc}"
    finally:
        await engine.dispose()


def pg_skip_reason() -> str | None:
    if "reason" not in _pg_status:
        _pg_status["reason"] = asyncio.run(_probe_pg(pg_base_url()))
    return _pg_status["reason"]


def pytest_report_header(config: pytest.Config) -> str:
    reason = pg_skip_reason()
    return f"postgresql: {'SKIPPED - ' + reason if reason else pg_base_url()}"


def pytest_configure(config: pytest.Config) -> None:
    # Tests exercise the real i18n, but always start from the product's default locale.
    os.environ.pop("PORUCHENO_LOCALE", None)


@pytest.fixture(autouse=True)
def cheap_passwords(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_passwords") is None:
        from argon2 import PasswordHasher

        from services import passwords

        monkeypatch.setattr(passwords, "_hasher", PasswordHasher(**CHEAP_ARGON2))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        reason = pg_skip_reason()
        if reason:
            missing(reason)
    return request.param


@contextmanager
def private_database(db_backend: str, sqlite_file: Path, schema_prefix: str) -> Iterator[str]:
    """A fresh, empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if db_backend == "sqlite":
        yield f"sqlite+aiosqlite:///{sqlite_file}"
        return
    schema = f"{schema_prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_exec(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{pg_base_url()}?search_path={schema}"
    finally:
        asyncio.run(_pg_exec(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for a fresh, empty database private to this test."""
    with private_database(db_backend, tmp_path / "porucheno.sqlite3", "t") as url:
        yield url


async def _pg_exec(sql: str) -> None:
    engine = create_async_engine(pg_base_url(), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        bot_token="123456:TEST-token",
        files_dir=tmp_path / "files",
        secret_key="test-secret-key-0123456789abcdef0123456789",
        timezone="Europe/Moscow",
        locale="ru",
    )


@asynccontextmanager
async def engine_with_schema(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on ``database_url`` with every table created, disposed on the way out."""
    eng = create_engine(database_url)
    async with eng.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    async with engine_with_schema(settings.database_url) as eng:
        yield eng


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as s:
        yield s


@pytest.fixture(scope="session")
def render_pool() -> Iterator[Offload]:
    """The render process pool as the running service has it (``porucheno/runtime.py``), one for the
    whole session: its worker starts once (on first use), not per test."""
    pool = Offload()
    yield pool
    pool.close()
