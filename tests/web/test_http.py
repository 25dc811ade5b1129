"""The panel over plain HTTP: CSRF, cookies, headers, access rules, locale, health, error pages."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Department, User
from porucheno.settings import Settings
from tests.web.conftest import (
    ADMIN_PASSWORD,
    IGNORE_SESSION_KEY_WARNING,
    AppFactory,
    csrf_of,
    csrf_token,
    login,
    make_user,
)

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def count(session_factory: async_sessionmaker[AsyncSession], model: type, *where: object) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


async def test_anonymous_visitor_is_sent_to_login(client: TestClient) -> None:
    response = await client.get("/staff?department=1", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login?next=/staff?department%3D1"


async def test_unsafe_request_needs_the_csrf_token(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    token = await csrf_token(client, "/departments/new")
    for data in ({"name": "Без токена"}, {"name": "Чужой токен", "csrf_token": "forged-" + token}):
        response = await client.post("/departments/new", data=data, allow_redirects=False)
        assert response.status == 403
        assert "Форма устарела" in await response.text()
    response = await client.post(
        "/departments/new", data={"name": "С токеном"}, headers={"X-CSRF-Token": "x"}, allow_redirects=False
    )
    assert response.status == 403
    assert await count(session_factory, Department) == 0

    response = await client.post(
        "/departments/new", data={"name": "С токеном", "csrf_token": token}, allow_redirects=False
    )
    assert response.status == 303
    assert await count(session_factory, Department) == 1


async def test_logout_is_post_only_and_protected(client: TestClient, admin: User) -> None:
    await login(client)
    assert (await client.get("/logout", allow_redirects=False)).status == 405
    assert (await client.post("/logout", allow_redirects=False)).status == 403
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_session_cookie_flags_and_security_headers(app_factory: AppFactory, settings: Settings) -> None:
    async with TestClient(TestServer(app_factory(), host="127.0.0.1")) as client:
        response = await client.get("/login")
        cookie = response.cookies["porucheno_session"]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert not cookie["secure"]
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"

    https = settings.model_copy(update={"public_url": "https://panel.example.ru"})
    async with TestClient(TestServer(app_factory(settings=https), host="127.0.0.1")) as client:
        response = await client.get("/login")
        assert response.cookies["porucheno_session"]["secure"] is True
        assert "Strict-Transport-Security" in response.headers


async def test_login_rotates_the_session_and_is_audited(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    before = await csrf_token(client)
    anonymous_cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[
        "porucheno_session"
    ].value
    await login(client)
    after = csrf_of(await (await client.get("/")).text())
    assert after != before
    assert (
        client.session.cookie_jar.filter_cookies(client.make_url("/"))["porucheno_session"].value
        != anonymous_cookie
    )

    token = await csrf_token(client, "/")
    await client.post("/logout", data={"csrf_token": token})
    token = await csrf_token(client)
    await client.post("/login", data={"login": "admin", "password": "nope-nope", "csrf_token": token})
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions[-3:] == ["login", "logout", "login_failed"]


async def test_password_change_ends_other_sessions(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    async with session_factory() as session:
        from services.audit import Actor
        from services.staff import set_password

        await set_password(session, Actor.system("test"), admin.id, "another-password-1")
        await session.commit()
    response = await client.get("/", allow_redirects=False)
    assert response.status == 303


async def test_non_admin_cannot_manage_staff(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "boss", ADMIN_PASSWORD, ["manager"])
    await login(client, "boss")
    assert (await client.get("/")).status == 200
    for path in ("/staff", "/staff/new", f"/staff/{admin.id}", "/departments", "/departments/new"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
        assert "У вас нет доступа к этой странице." in await response.text()
    token = await csrf_token(client, "/")
    response = await client.post(f"/staff/{admin.id}/invite", data={"csrf_token": token})
    assert response.status == 403
    response = await client.post(
        "/staff/new",
        data={"full_name": "Хакер", "roles": "admin", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 403
    assert await count(session_factory, User) == 2


async def test_english_locale_switch(client: TestClient, admin: User) -> None:
    page = await (await client.get("/login")).text()
    assert "Вход в панель администратора" in page
    response = await client.post(
        "/locale", data={"lang": "en", "next": "/login", "csrf_token": csrf_of(page)}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == "/login"
    assert response.cookies["porucheno_lang"]["httponly"] is True
    page = await (await client.get("/login")).text()
    assert '<html lang="en">' in page
    assert "Sign in to the admin panel" in page
    await login(client)
    page = await (await client.get("/")).text()
    assert "Linked to Telegram" in page and "Open invites" in page


async def test_form_errors_are_shown_next_to_fields(client: TestClient, admin: User) -> None:
    await login(client)
    token = await csrf_token(client, "/departments/new")
    await client.post("/departments/new", data={"name": "Финансовый отдел", "csrf_token": token})
    response = await client.post("/departments/new", data={"name": "финансовый отдел", "csrf_token": token})
    assert response.status == 200
    page = await response.text()
    assert '<p class="error" id="e-name">Подразделение с таким названием уже есть.</p>' in page

    response = await client.post(
        "/staff/new",
        data={
            "full_name": "",
            "email": "not-an-email",
            "login": "admin",
            "password": "short",
            "roles": ["executor", "superuser"],
            "csrf_token": token,
        },
    )
    page = await response.text()
    assert 'id="e-full_name">Обязательное поле.' in page
    assert 'id="e-email">Введите корректный адрес эл. почты.' in page
    assert 'id="e-roles">Выберите значение из списка.' in page
    assert "short" not in page  # a password is never echoed back

    response = await client.post(
        "/staff/new",
        data={
            "full_name": "Пётр",
            "login": "Admin",
            "password": "short",
            "roles": "executor",
            "csrf_token": token,
        },
    )
    page = await response.text()
    assert 'id="e-login">Этот логин уже занят.' in page

    response = await client.post(
        f"/staff/{admin.id}",
        data={"full_name": "Анна", "roles": "executor", "is_active": "1", "csrf_token": token},
    )
    assert "Нельзя снять права администратора с самого себя." in await response.text()


async def test_healthz(app_factory: AppFactory) -> None:
    async def ok() -> bool:
        return True

    async def broken() -> bool:
        raise ConnectionError("scheduler is gone")

    async with TestClient(TestServer(app_factory(health_checks={"bot": ok, "scheduler": ok}))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "db": True, "bot": True, "scheduler": True}

    async with TestClient(TestServer(app_factory(health_checks={"bot": ok, "scheduler": broken}))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "degraded", "db": True, "bot": True, "scheduler": False}


async def test_error_pages_never_show_a_traceback(app_factory: AppFactory, admin: User) -> None:
    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals")

    app = app_factory()
    app.router.add_get("/boom", boom)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        await login(client)
        response = await client.get("/boom")
        assert response.status == 500
        page = await response.text()
        assert "Что-то пошло не так" in page and "secret internals" not in page and "Traceback" not in page
        response = await client.get("/no/such/page")
        assert response.status == 404
        assert "Страница не найдена" in await response.text()
        assert (await client.get("/staff/999999")).status == 404


async def test_sandbox_is_mounted_and_linked(app_factory: AppFactory, admin: User) -> None:
    sandbox = web.Application()

    async def chat(request: web.Request) -> web.Response:
        return web.Response(text="sandbox chat")

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text="posted")

    sandbox.router.add_get("/chat", chat)
    sandbox.router.add_post("/send", echo)
    app = app_factory(sandbox_app=sandbox, sandbox_personas_url="/sandbox/personas")
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert await (await client.get("/sandbox/chat")).text() == "sandbox chat"
        # The sandbox owns its requests: the panel's CSRF and login rules do not apply there.
        assert (await client.post("/sandbox/send")).status == 200
        await login(client)
        page = await (await client.get("/")).text()
        assert '<a href="/sandbox/chat">Чат-песочница</a>' in page
        token = csrf_of(page)
        page = await (await client.post(f"/staff/{admin.id}/invite", data={"csrf_token": token})).text()
        assert re.search(r'value="/start inv_[\w-]{32}" id="start-command"', page)  # the demo hint
        assert '<a href="/sandbox/personas">' in page


async def test_editing_departments_and_staff_is_audited(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await login(client)
    token = await csrf_token(client, "/")
    for name in ("Администрация", "Отдел ЖКХ"):
        await client.post("/departments/new", data={"name": name, "csrf_token": token})
    async with session_factory() as session:
        top, housing = (await session.scalars(select(Department).order_by(Department.id))).all()

    response = await client.post(
        f"/departments/{housing.id}",
        data={"name": "Отдел ЖКХ и благоустройства", "parent_id": str(top.id), "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    response = await client.post(
        f"/departments/{top.id}",
        data={"name": "Администрация", "parent_id": str(housing.id), "csrf_token": token},
    )
    assert 'id="e-parent_id">Подразделение не может входить само в себя.' in await response.text()

    response = await client.post(
        "/staff/new",
        data={"full_name": "Олег", "roles": "executor", "is_active": "1", "csrf_token": token},
        allow_redirects=False,
    )
    oleg_url = response.headers["Location"]
    response = await client.post(
        oleg_url,
        data={
            "full_name": "Олег Сидоров",
            "department_id": str(housing.id),
            "roles": ["executor", "dispatcher"],
            "login": "oleg",
            "password": "long-enough-pass",
            "csrf_token": token,
        },
        allow_redirects=False,
    )
    assert response.status == 303
    async with session_factory() as session:
        oleg = await session.scalar(select(User).where(User.login == "oleg"))
        assert oleg is not None and not oleg.is_active and oleg.department_id == housing.id
        events = (await session.execute(select(AuditEvent.entity_type, AuditEvent.action))).all()
    assert {("department", "updated"), ("user", "updated"), ("user", "roles_changed")} <= set(events)
    assert {("user", "deactivated"), ("user", "password_set")} <= set(events)
