"""The public map's JSON and page over HTTP: what a site embedding them receives.

Only current outages (active, or planned within 48 hours) and open public incidents; no personal
data; readable from any origin; hostile parameters get a clear 400, never a traceback.
"""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porucheno.settings import Settings
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory
from tests.web.public_map_support import CAUSE, PUBLISHED_UPDATE, SECRETS, seed_map_town

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

# Keys that would carry personal or internal data if the service ever let them through.
FORBIDDEN_KEYS = {
    "informant_kind",
    "informant_name",
    "informant_phone",
    "informant_text",
    "informant_organisation_id",
    "informant_telegram_id",
    "created_by_id",
    "author_user_id",
    "responsible_organisation_id",
    "organisation_id",
    "description_internal",
    "closing_note",
    "phone",
}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_json_lists_current_outages_and_public_incidents_only(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await seed_map_town(session_factory)
    response = await client.get("/public/map.json")
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in response.headers
    data = await response.json()

    assert [(o["id"], o["resource"], o["planned"]) for o in data["outages"]] == [
        (town.active_id, "hot_water", False),
        (town.planned_id, "electricity", True),
    ]
    assert [(r["code"], r["name"]) for r in data["resources"]] == [
        ("hot_water", "горячая вода"),
        ("electricity", "электроэнергия"),
    ]
    active = data["outages"][0]
    assert active["resource_name"] == "горячая вода"
    assert active["cause"] == CAUSE
    assert active["update"]["text"] == PUBLISHED_UPDATE  # the latest published one, not the internal note
    assert [h["address"] for h in active["houses"]] == ["ул. Ленина, 5", "ул. Ленина, 7", "ул. Ленина, 12"]
    school = active["houses"][2]
    assert (school["latitude"], school["longitude"]) == (56.398, 38.7148)
    assert school["name"] == "Школа № 3" and school["social"] == "школы"
    assert active["starts_at"]["utc"].endswith("+00:00")

    assert [i["id"] for i in data["incidents"]] == [town.public_incident_id]
    tree = data["incidents"][0]
    assert tree["kind_name"] == "Упавшее дерево" or tree["kind"] == "fallen_tree"
    assert tree["address"] == "ул. Советская, у дома 3"
    assert tree["update"]["text"] == "Дерево распиливают"

    body = await response.text()
    for secret in SECRETS:
        assert secret not in body, secret
    assert not (_keys(data) & FORBIDDEN_KEYS)


async def test_json_filters_by_resource_and_speaks_english(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await seed_map_town(session_factory)
    data = await (await client.get("/public/map.json?resource=electricity&lang=en")).json()
    assert [o["id"] for o in data["outages"]] == [town.planned_id]
    assert data["incidents"] == []
    assert data["outages"][0]["resource_name"] == "electricity"
    assert data["labels"]["expected_end"] == "Expected restoration"

    only_incidents = await (await client.get("/public/map.json?resource=incidents")).json()
    assert only_incidents["outages"] == []
    assert [i["id"] for i in only_incidents["incidents"]] == [town.public_incident_id]
    assert only_incidents["labels"]["expected_end"] == "Ожидаемое восстановление"

    street = await (await client.get("/public/map.json?street=ул. Лен")).json()
    assert [o["id"] for o in street["outages"]] == [town.active_id]
    assert street["incidents"] == []  # the fallen tree is off the register, on Sovetskaya
    wildcard = await (await client.get("/public/map.json?street=%25")).json()
    assert wildcard["outages"] == [] and wildcard["incidents"] == []


@pytest.mark.parametrize(
    "query",
    [
        "resource=water%27%20OR%201=1--",
        "resource=" + "x" * 5000,
        "resource=%3Cscript%3E",
        "resource[]=1",
        "lang=xx&resource=nuclear",
    ],
)
async def test_hostile_parameters_get_a_clear_400_or_are_ignored(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], query: str
) -> None:
    await seed_map_town(session_factory)
    response = await client.get(f"/public/map.json?{query}")
    assert response.status in (200, 400)
    data = await response.json()
    if response.status == 400:
        assert "Неизвестный ресурс" in data["error"] or "Unknown resource" in data["error"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    page = await client.get(f"/public/map?{query}")
    assert page.status in (200, 400)
    text = await page.text()
    assert "<script>" not in text.replace("<script src=", "")
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "query", ["street=%00%01", "street=" + "ул.%20" * 300, "embed=%FF", "lang=../../etc", "street=%27--"]
)
async def test_odd_parameters_do_not_break_the_page(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], query: str
) -> None:
    await seed_map_town(session_factory)
    for path in ("/public/map", "/public/map.json"):
        response = await client.get(f"{path}?{query}")
        assert response.status == 200, (path, query, await response.text())


async def test_page_is_frameable_cacheable_and_sets_no_cookie(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed_map_town(session_factory)
    response = await client.get("/public/map")
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "X-Frame-Options" not in response.headers  # it would forbid what the CSP allows
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in response.headers
    html = await response.text()
    assert "ул. Ленина, 12" in html and "Школа № 3" in html
    assert 'id="public-map"' not in html  # no tile server configured: the list only
    for secret in SECRETS:
        assert secret not in html, secret


async def test_tile_server_is_allowed_by_the_page_policy(
    app_factory: AppFactory, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed_map_town(session_factory)
    tiled = settings.model_copy(
        update={"map_tile_url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png", "map_zoom": 14}
    )
    async with TestClient(TestServer(app_factory(settings=tiled), host="127.0.0.1")) as tiled_client:
        response = await tiled_client.get("/public/map")
        assert (
            "img-src 'self' data: https://*.tiles.example.org;" in response.headers["Content-Security-Policy"]
        )
        html = await response.text()
        assert 'id="public-map"' in html and 'data-zoom="14"' in html
        start = html.index('id="public-map-data">') + len('id="public-map-data">')
        data = json.loads(html[start : html.index("</script>", start)])
        assert len(data["outages"]) == 2


async def test_settings_refuse_a_tile_url_that_is_not_a_template() -> None:
    for bad in ("javascript:alert(1)", "https://tiles.example.org/tile.png", "https://x/{z}/{x}/{y}.png' x"):
        with pytest.raises(ValueError, match="URL template"):
            Settings(_env_file=None, map_tile_url=bad)  # type: ignore[call-arg]


async def test_language_follows_the_url_not_the_cookie(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed_map_town(session_factory)
    client.session.cookie_jar.update_cookies({"porucheno_lang": "en"})
    html = await (await client.get("/public/map")).text()
    assert "Отключения и происшествия сейчас" in html  # a cached copy never swaps languages
    html = await (await client.get("/public/map?lang=en")).text()
    assert "Outages and incidents now" in html and "hot water" in html
