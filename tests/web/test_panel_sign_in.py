"""Signing in to the panel as an attacker would try it: redirects out of the site, parallel guesses,
forged proxy headers, a login sprayed from many addresses, a session cookie replayed after sign-out,
and weak passwords."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.keys import LOGIN_ACCOUNT_LIMITER_KEY
from admin_web.ratelimit import SlidingWindowLimiter
from admin_web.security import SESSION_COOKIE
from models import AuditEvent, User
from porucheno.settings import Settings
from tests.web.conftest import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    IGNORE_SESSION_KEY_WARNING,
    AppFactory,
    csrf_of,
    csrf_token,
    login,
    make_user,
)
from tests.web.test_units import OFF_SITE, FakeClock

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


def proxied(settings: Settings) -> Settings:
    return settings.model_copy(update={"trusted_proxies": "127.0.0.1, 10.0.0.0/8"})


async def post_login(
    client: TestClient, password: str, *, login_name: str = ADMIN_LOGIN, **extra: str
) -> aiohttp.ClientResponse:
    token = await csrf_token(client)
    headers = {"X-Forwarded-For": extra.pop("forwarded_for")} if "forwarded_for" in extra else {}
    return await client.post(
        "/login",
        data={"login": login_name, "password": password, "csrf_token": token, **extra},
        headers=headers,
        allow_redirects=False,
    )


async def test_next_leads_only_to_paths_of_this_site(client: TestClient, admin: User) -> None:
    for bad in OFF_SITE:
        response = await post_login(client, ADMIN_PASSWORD, next=bad)
        assert response.status == 303 and response.headers["Location"] == "/", repr(bad)
        token = csrf_of(await (await client.get("/")).text())
        locale = await client.post(
            "/locale", data={"lang": "en", "next": bad, "csrf_token": token}, allow_redirects=False
        )
        assert locale.headers["Location"] == "/", repr(bad)
        await client.post("/logout", data={"csrf_token": csrf_of(await (await client.get("/")).text())})
    response = await post_login(client, ADMIN_PASSWORD, next="/staff?role=admin")
    assert response.headers["Location"] == "/staff?role=admin"
    # Signed in already: ?next= on the login page is checked the same way.
    response = await client.get("/login?next=%2F%09%2Fevil.example", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_parallel_guesses_do_not_slip_past_the_limit(client: TestClient, admin: User) -> None:
    token = await csrf_token(client)
    data = {"login": ADMIN_LOGIN, "password": "wrong-password", "csrf_token": token}
    responses = await asyncio.gather(
        *(client.post("/login", data=data, allow_redirects=False) for _ in range(20))
    )
    statuses = sorted(r.status for r in responses)
    assert statuses.count(200) == 5 and statuses.count(429) == 15  # five guesses, as the limit says
    # The owner, from the same address, waits too: the address is blocked for this login.
    assert (await post_login(client, ADMIN_PASSWORD)).status == 429


async def test_behind_a_trusted_proxy_one_address_cannot_lock_out_another(
    app_factory: AppFactory,
    settings: Settings,
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with TestClient(TestServer(app_factory(settings=proxied(settings)), host="127.0.0.1")) as client:
        for _ in range(5):
            assert (await post_login(client, "wrong-password", forwarded_for="203.0.113.5")).status == 200
        assert (await post_login(client, ADMIN_PASSWORD, forwarded_for="203.0.113.5")).status == 429
        # A forged left part does not make the attacker someone else.
        forged = await post_login(client, ADMIN_PASSWORD, forwarded_for="198.51.100.7, 203.0.113.5")
        assert forged.status == 429
        ok = await post_login(client, ADMIN_PASSWORD, forwarded_for="198.51.100.7")
        assert ok.status == 303
    async with session_factory() as s:
        ips = (await s.scalars(select(AuditEvent.data).where(AuditEvent.action == "login_failed"))).all()
        assert {d["ip"] for d in ips} == {"203.0.113.5"}
        [signed_in] = (await s.scalars(select(AuditEvent.data).where(AuditEvent.action == "login"))).all()
        assert signed_in["ip"] == "198.51.100.7"

    # Without the setting nobody's header is believed: the proxy's own address is the client.
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as client:
        for n in range(5):
            await post_login(client, "wrong-password", forwarded_for=f"203.0.113.{n}")
        assert (await post_login(client, ADMIN_PASSWORD, forwarded_for="198.51.100.8")).status == 429


async def test_a_login_sprayed_from_many_addresses_is_throttled_for_minutes_only(
    app_factory: AppFactory,
    settings: Settings,
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(session_factory, "boss", ADMIN_PASSWORD, ["manager"])
    app = app_factory(settings=proxied(settings))
    clock = FakeClock()
    limiter = app[LOGIN_ACCOUNT_LIMITER_KEY]
    app[LOGIN_ACCOUNT_LIMITER_KEY] = SlidingWindowLimiter(limiter.limit, limiter.window, clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for n in range(limiter.limit):  # one guess from each address: no per-address limit is hit
            response = await post_login(client, f"guess-{n}", forwarded_for=f"203.0.113.{n}")
            assert response.status == 200
        blocked = await post_login(client, ADMIN_PASSWORD, forwarded_for="198.51.100.20")
        assert blocked.status == 429 and 0 < int(blocked.headers["Retry-After"]) <= limiter.window
        assert "Слишком много неудачных попыток" in await blocked.text()
        # Another login is not affected.
        other = await post_login(client, ADMIN_PASSWORD, login_name="boss", forwarded_for="198.51.100.21")
        assert other.status == 303
        clock.now += limiter.window + 1  # the short window passes: the owner gets in
        assert (await post_login(client, ADMIN_PASSWORD, forwarded_for="198.51.100.20")).status == 303
        assert app[LOGIN_ACCOUNT_LIMITER_KEY].retry_after(ADMIN_LOGIN) == 0


async def test_a_session_cookie_is_worthless_after_sign_out(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    stolen = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as thief:

        async def replay() -> int:
            response = await thief.get(
                client.make_url("/"), headers={"Cookie": f"{SESSION_COOKIE}={stolen}"}, allow_redirects=False
            )
            return response.status

        assert await replay() == 200  # the copy works while the owner is signed in
        token = csrf_of(await (await client.get("/")).text())
        assert (await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)).status == 303
        assert await replay() == 303  # ...and not after sign-out: sent to the login page


async def test_deactivation_and_a_new_password_end_sessions_at_once(
    client: TestClient,
    app_factory: AppFactory,
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(session_factory, "clerk", ADMIN_PASSWORD, ["clerk"], full_name="Пётр Писарев")
    await make_user(session_factory, "boss", ADMIN_PASSWORD, ["manager"], full_name="Борис Начальников")
    async with (
        TestClient(TestServer(app_factory(), host="127.0.0.1")) as clerk,
        TestClient(TestServer(app_factory(), host="127.0.0.1")) as boss,
    ):
        await login(clerk, "clerk")
        await login(boss, "boss")
        assert (await clerk.get("/", allow_redirects=False)).status == 200
        await login(client)
        async with session_factory() as s:
            ids = dict((await s.execute(select(User.login, User.id))).all())
        token = await csrf_token(client, f"/staff/{ids['clerk']}")
        response = await client.post(
            f"/staff/{ids['clerk']}",
            data={"full_name": "Пётр Писарев", "roles": "clerk", "login": "clerk", "csrf_token": token},
            allow_redirects=False,
        )  # "is_active" unticked: deactivated
        assert response.status == 303
        assert (await clerk.get("/", allow_redirects=False)).status == 303
        response = await client.post(
            f"/staff/{ids['boss']}",
            data={
                "full_name": "Борис Начальников",
                "roles": "manager",
                "login": "boss",
                "is_active": "1",
                "password": "Gorod-lipa-9-mostovaya",
                "csrf_token": token,
            },
            allow_redirects=False,
        )
        assert response.status == 303
        assert (await boss.get("/", allow_redirects=False)).status == 303


async def test_short_and_common_passwords_are_refused_when_creating_staff(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    token = await csrf_token(client, "/staff/new")
    base = {"full_name": "Пётр Иванов", "roles": "executor", "is_active": "1", "csrf_token": token}
    for password, message in (
        ("Zq7-x!p2", "Пароль должен содержать не менее 10 символов."),
        ("password123", "Этот пароль слишком распространён"),
        ("qwertyuiop", "Этот пароль слишком распространён"),
        ("petr.ivanov1", "Этот пароль слишком распространён"),  # the login itself
    ):
        response = await client.post(
            "/staff/new", data={**base, "login": "petr.ivanov", "password": password}, allow_redirects=False
        )
        page = await response.text()
        assert response.status == 200 and message in page, password
        assert password not in page
    async with session_factory() as s:
        assert await s.scalar(select(User.id).where(User.login == "petr.ivanov")) is None
    response = await client.post(
        "/staff/new",
        data={**base, "login": "petr.ivanov", "password": "Vokzal-tulpan-7-sinica"},
        allow_redirects=False,
    )
    assert response.status == 303
