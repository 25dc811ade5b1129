"""Open311 GeoReport v2 over HTTP in JSON: keys issued in the panel, services, posting and reading requests.

XML, definitions, jurisdiction, discovery: test_open311_spec.py; a client library: test_open311_client.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.views.public.common import OPEN311_LIMITER_KEY
from models import ApiClient, Appeal, AuditEvent, Correspondent, CorrespondentSuggestion, User
from porucheno.settings import Settings
from services.audit import Actor
from services.staff import create_department
from tests.web.conftest import (
    IGNORE_SESSION_KEY_WARNING,
    AppFactory,
    csrf_of,
    csrf_token,
    login,
    make_user,
)
from tests.web.test_public_form_http import make_topics

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

KEY_RE = re.compile(r'id="new-key-value" value="([^"]+)"')
API = "/open311/v2"


async def issue_key(client: TestClient, name: str) -> str:
    token = await csrf_token(client, "/api-keys")
    response = await client.post("/api-keys", data={"csrf_token": token, "name": name})
    html = await response.text()
    match = KEY_RE.search(html)
    assert response.status == 200 and match, html
    return match.group(1)


def request_fields(key: str | None, **overrides: str) -> dict[str, str]:
    fields = {
        "service_code": "roads",
        "lat": "55.751244",
        "long": "37.618423",
        "address_string": "Красная площадь, 1",
        "description": "Провал асфальта на проезжей части",
        "email": "Petr@Example.ru",
        "first_name": "Пётр",
        "last_name": "Иванов",
        "media_url": "https://photos.example/hole.jpg",
    } | overrides
    if key is not None:
        fields["api_key"] = key
    return fields


async def post_request(client: TestClient, fields: dict[str, str]) -> tuple[int, object]:
    response = await client.post(f"{API}/requests.json", data=fields)
    return response.status, await response.json()


async def test_keys_are_issued_once_listed_and_revoked_by_admins(
    client: TestClient, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    await login(client)
    page = await (await client.get("/")).text()
    assert 'href="/api-keys"' in page  # the nav link (its label lives in the "web" catalog)
    key = await issue_key(client, "Городской портал")
    html = await (await client.get("/api-keys")).text()
    assert "Городской портал" in html and key[:8] in html and key not in html
    async with session_factory() as s:
        stored = await s.scalar(select(ApiClient))
        assert stored is not None and stored.key_prefix == key[:8] and key not in stored.key_hash

    status, body = await post_request(client, request_fields(key))
    assert status == 201
    token = csrf_of(html)
    response = await client.post(f"/api-keys/{stored.id}/revoke", data={"csrf_token": token})
    assert "Ключ «Городской портал» отозван" in await response.text()
    status, body = await post_request(client, request_fields(key))
    assert status == 403 and body == [{"code": 403, "description": "Ключ API неверен или отозван."}]
    async with session_factory() as s:
        actions = (
            await s.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "api_client"))
        ).all()
        assert sorted(actions) == ["created", "revoked"]

    await make_user(session_factory, "clerk", "clerk-password-123", ["clerk"])
    await client.post("/logout", data={"csrf_token": await csrf_token(client, "/")})
    await login(client, "clerk", "clerk-password-123")
    assert (await client.get("/api-keys")).status == 403


async def test_services_and_errors_in_the_spec_format(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_topics(session_factory)
    response = await client.get(f"{API}/services.json")
    assert response.status == 200 and response.content_type == "application/json"
    services = await response.json()
    assert [s["service_code"] for s in services] == ["roads", "lighting"]
    assert services[0] == {
        "service_code": "roads",
        "service_name": "Дороги и тротуары",
        "description": "Срок ответа — 15 дн.",
        "metadata": True,  # the shared attributes (subject, address details)
        "type": "realtime",
        "keywords": "roads",
        "group": "Отдел дорожного хозяйства",
    }
    response = await client.get(f"{API}/services.html")  # neither format: the spec's default, XML
    assert response.status == 404 and response.content_type == "text/xml"
    response = await client.delete(f"{API}/services.json")
    assert response.status == 405 and (await response.json())[0]["code"] == 405
    response = await client.get(f"{API}/nothing.json")
    assert response.status == 404 and (await response.json())[0]["code"] == 404
    response = await client.get(f"{API}/requests/2026-999999.json")
    assert response.status == 404
    assert await response.json() == [{"code": 404, "description": "Заявки с таким номером нет."}]

    status, body = await post_request(client, request_fields(None))
    assert status == 403 and body == [{"code": 403, "description": "Нужен ключ API."}]
    status, body = await post_request(client, request_fields("wrong-key"))
    assert status == 403
    status, body = await post_request(client, request_fields("wrong-key", description="x" * (1100 * 1024)))
    assert status == 413 and body[0]["code"] == 413  # type: ignore[index]


async def test_post_then_read_requests_with_filters(
    client: TestClient,
    admin: User,
    session_factory: async_sessionmaker[AsyncSession],
    app_factory: AppFactory,
    settings: Settings,
) -> None:
    await make_topics(session_factory)
    await login(client)
    key = await issue_key(client, "Мобильное приложение")

    status, body = await post_request(client, request_fields(key, service_code="nope"))
    assert status == 400 and "nope" in body[0]["description"]  # type: ignore[index]
    status, body = await post_request(client, request_fields(key, lat="", long="", address_string=""))
    assert status == 400 and body[0]["code"] == 400  # type: ignore[index]

    status, first = await post_request(client, request_fields(key))
    assert status == 201
    [created] = first  # type: ignore[misc]
    assert created["account_id"] is None and created["service_request_id"] in created["service_notice"]
    status, second = await post_request(
        client, request_fields(key, email="petr@example.ru")
    )  # the same again
    status, light = await post_request(
        client, request_fields(key, service_code="lighting", email="", phone="+7 900 000-00-01", media_url="")
    )
    ids = [first[0]["service_request_id"], second[0]["service_request_id"], light[0]["service_request_id"]]  # type: ignore[index]
    assert len(set(ids)) == 3
    async with session_factory() as s:
        appeals = (await s.scalars(select(Appeal).order_by(Appeal.id))).all()
        assert [a.channel for a in appeals] == ["open311"] * 3
        # Contacts typed in a civic app prove nothing: each post has its own record, and the same
        # e-mail twice becomes a duplicate suggestion for a clerk.
        assert len({a.correspondent_id for a in appeals}) == 3
        suggestion = await s.scalar(select(CorrespondentSuggestion))
        assert suggestion is not None and suggestion.reason == "email"
        assert (suggestion.correspondent_id, suggestion.candidate_id) == (
            appeals[1].correspondent_id,
            appeals[0].correspondent_id,
        )
        assert "https://photos.example/hole.jpg" in appeals[0].text
        assert await s.scalar(select(func.count()).select_from(Correspondent)) == 3
        appeals[0].status, appeals[0].answer_text = "answered", "Асфальт уложен."
        appeals[0].answered_at = datetime.now(UTC)
        # Routing sent the second one to another department at registration: that one answers for it.
        routed = await create_department(s, Actor.system("test"), "Управление ЖКХ")
        appeals[1].department_id = routed.id
        await s.commit()

    response = await client.get(f"{API}/requests/{ids[0]}.json")
    [item] = await response.json()
    # Reading needs no key: the answer text is not published unless the setting says so.
    assert item["status"] == "closed" and item["status_notes"] is None
    assert "Асфальт уложен." not in await (await client.get(f"{API}/requests.json")).text()
    publishing = app_factory(settings=settings.model_copy(update={"open311_publish_answers": True}))
    async with TestClient(TestServer(publishing, host="127.0.0.1")) as reader:
        [published] = await (await reader.get(f"{API}/requests/{ids[0]}.json")).json()
        assert published["status_notes"] == "Асфальт уложен."
    assert item["service_code"] == "roads" and item["agency_responsible"] == "Отдел дорожного хозяйства"
    [second_item] = await (await client.get(f"{API}/requests/{ids[1]}.json")).json()
    assert second_item["agency_responsible"] == "Управление ЖКХ"
    assert item["lat"] == pytest.approx(55.751244) and item["address"] == "Красная площадь, 1"
    assert item["media_url"] == "https://photos.example/hole.jpg"
    assert item["requested_datetime"].endswith("+03:00") and item["expected_datetime"].endswith("+03:00")

    async def listed(query: str) -> list[str]:
        response = await client.get(f"{API}/requests.json{query}")
        assert response.status == 200, await response.text()
        return [r["service_request_id"] for r in await response.json()]

    assert await listed("") == ids[::-1]
    assert await listed("?status=open") == [ids[2], ids[1]]
    assert await listed("?status=closed&service_code=roads") == [ids[0]]
    assert await listed(f"?service_request_id={ids[0]},{ids[2]}&status=open") == [ids[2], ids[0]]
    past = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    assert await listed(f"?start_date={past}&end_date={(datetime.now(UTC) - timedelta(days=1)).date()}") == []
    response = await client.get(f"{API}/requests.json?status=pending")
    assert response.status == 400
    response = await client.get(f"{API}/requests.json?start_date=yesterday")
    assert response.status == 400

    client.server.app[OPEN311_LIMITER_KEY].limit = 5  # five posts so far with this key
    status, body = await post_request(client, request_fields(key))
    assert status == 429 and body[0]["code"] == 429  # type: ignore[index]
