"""Fixtures for the admin panel: the app on a real localhost port, a signed-in HTTP client, a browser.

Everything here runs on the session event loop so one Chromium serves the whole session; ``engine``
is re-declared for that loop (asyncpg connections belong to the loop that opened them).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from models import User
from porucheno.settings import Settings
from services.audit import Actor
from services.staff import create_user
from tests.conftest import engine_with_schema
from tests.prerequisites import missing

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "correct-horse-battery"
# aiohttp-session stores its state under string request keys; aiohttp 3.14 nags about it.
IGNORE_SESSION_KEY_WARNING = "ignore::aiohttp.web_exceptions.NotAppKeyWarning"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')

AppFactory = Callable[..., web.Application]


@pytest_asyncio.fixture(loop_scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    async with engine_with_schema(settings.database_url) as eng:
        yield eng


async def make_user(
    session_factory: async_sessionmaker[AsyncSession],
    login: str,
    password: str,
    roles: list[str],
    full_name: str | None = None,
) -> User:
    async with session_factory() as session:
        user = await create_user(
            session,
            Actor.system("test"),
            full_name=full_name or f"Test {login}",
            roles=roles,
            login=login,
            password=password,
        )
        await session.commit()
        return user


@pytest_asyncio.fixture(loop_scope="session")
async def admin(session_factory: async_sessionmaker[AsyncSession]) -> User:
    return await make_user(session_factory, ADMIN_LOGIN, ADMIN_PASSWORD, ["admin"], full_name="Анна Админова")


@pytest.fixture
def app_factory(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> AppFactory:
    def factory(**kwargs: object) -> web.Application:
        return create_admin_app(kwargs.pop("settings", settings), session_factory, **kwargs)  # type: ignore[arg-type]

    return factory


@pytest_asyncio.fixture(loop_scope="session")
async def client(app_factory: AppFactory) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def csrf_token(client: TestClient, path: str = "/login") -> str:
    response = await client.get(path)
    return csrf_of(await response.text())


async def login(client: TestClient, login: str = ADMIN_LOGIN, password: str = ADMIN_PASSWORD) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"login": login, "password": password, "csrf_token": token}, allow_redirects=False
    )
    assert response.status == 303, await response.text()


@pytest_asyncio.fixture(loop_scope="session")
async def live_url(app_factory: AppFactory) -> AsyncIterator[str]:
    """The panel on a free localhost port, for the browser."""
    server = TestServer(app_factory(), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        missing(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, live_url: str) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=live_url, locale="ru-RU")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()
