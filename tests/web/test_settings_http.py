"""Settings over HTTP: a staff-only topic never reaches residents (public form, Open311), and only
administrators may open or post the settings pages."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Category, OrgCard, User
from models.enums import CategoryAudience
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login, make_user
from tests.web.test_open311 import API, issue_key, post_request, request_fields
from tests.web.test_public_form_http import appeal_form, count, make_topics, submit

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _staff_only_topic(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as s:
        topic = Category(
            code="it_support",
            name_ru="ИТ-поддержка сотрудников",
            name_en="IT support",
            answer_days=3,
            audience=CategoryAudience.STAFF.value,
        )
        s.add(topic)
        await s.commit()
        return topic.id


async def test_staff_only_topic_is_not_offered_on_the_form_nor_over_open311(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    topics = await make_topics(session_factory)
    internal = await _staff_only_topic(session_factory)

    page = await (await client.get("/form")).text()
    assert "Дороги и тротуары" in page and "ИТ-поддержка" not in page
    # Posted anyway (a hand-made form): refused, nothing registered.
    status, html = await submit(client, appeal_form(await csrf_token(client, "/form"), internal))
    assert "Выберите значение из списка." in html, status
    assert await count(session_factory, Appeal) == 0
    status, html = await submit(client, appeal_form(await csrf_token(client, "/form"), topics.roads))
    assert await count(session_factory, Appeal) == 1

    services = await (await client.get(f"{API}/services.json")).json()
    assert [s["service_code"] for s in services] == ["roads", "lighting"]
    await login(client)
    key = await issue_key(client, "Портал")
    status, body = await post_request(client, request_fields(key, service_code="it_support"))
    assert status == 400, body
    assert await count(session_factory, Appeal) == 1

    # Staff registering on paper see and may use every active topic.
    html = await (await client.get("/appeals/new")).text()
    assert "ИТ-поддержка сотрудников" in html


async def test_only_admins_open_or_change_settings(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "clerk", "clerk-password-123", ["clerk", "manager", "dispatcher"])
    await login(client, "clerk", "clerk-password-123")
    home = await (await client.get("/")).text()
    assert 'href="/settings"' not in home
    for path in (
        "/settings",
        "/settings/categories",
        "/settings/routing",
        "/settings/organisation",
        "/settings/outages",
    ):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    token = await csrf_token(client, "/")
    response = await client.post(
        "/settings/organisation", data={"csrf_token": token, "name": "Захват"}, allow_redirects=False
    )
    assert response.status == 403
    response = await client.post(
        "/settings/categories/new",
        data={"csrf_token": token, "code": "x", "name_ru": "Икс", "answer_days": "30", "audience": "both"},
        allow_redirects=False,
    )
    assert response.status == 403
    async with session_factory() as s:
        assert await s.scalar(select(OrgCard)) is None and await s.scalar(select(Category)) is None


async def test_bad_input_gets_clear_messages(client: TestClient, admin: User) -> None:
    await login(client)
    token = await csrf_token(client, "/settings/organisation")
    response = await client.post(
        "/settings/organisation",
        data={"csrf_token": token, "name": "Администрация", "timezone": "Mars/Olympus", "inn": "12"},
    )
    assert "ИНН состоит из 10 или 12 цифр." in await response.text()
    response = await client.post(
        "/settings/organisation",
        data={"csrf_token": token, "name": "Администрация", "timezone": "Mars/Olympus"},
    )
    html = await response.text()
    assert response.status == 200 and "Неизвестный часовой пояс" in html
    response = await client.post(
        "/settings/categories/new",
        data={
            "csrf_token": token,
            "code": "Плохой код",
            "name_ru": "Икс",
            "answer_days": "много",
            "audience": "all",
        },
    )
    html = await response.text()
    assert (
        response.status == 200 and "Введите целое число." in html and "Выберите значение из списка." in html
    )
    response = await client.post(
        "/settings/outages/resource/new",
        data={"csrf_token": token, "code": "other water", "name_ru": "вода", "position": "1"},
    )
    assert "Код: латинские буквы" in await response.text()


async def test_residents_see_whom_they_write_to(client: TestClient, admin: User) -> None:
    """The public pages carry the organisation's name from its card once an admin has saved it."""
    page = await (await client.get("/form")).text()
    assert 'id="public-brand">Обращения в администрацию<' in page
    await login(client)
    token = await csrf_token(client, "/settings/organisation")
    response = await client.post(
        "/settings/organisation",
        data={"csrf_token": token, "name": "Администрация Энского района", "timezone": "Europe/Moscow"},
    )
    assert response.status == 200
    page = await (await client.get("/form")).text()
    assert 'id="public-brand">Администрация Энского района<' in page
    assert (
        "<title>Написать обращение · Администрация Энского района · Обращения в администрацию</title>" in page
    )
