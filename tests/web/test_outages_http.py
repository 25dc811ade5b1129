"""Dispatch pages over HTTP: who may open them, the log as XLSX, the registry search and import."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login
from tests.web.outages_support import OUTAGE_LOG_HEADER, PASSWORD, make_town

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _status(client: TestClient, path: str) -> int:
    response = await client.get(path, allow_redirects=False)
    await response.read()
    return response.status


async def test_access_by_role(client: TestClient, session_factory: async_sessionmaker[AsyncSession]) -> None:
    town = await make_town(session_factory)
    a, house = town.active_id, town.houses["s5"]
    pages = [
        "/outages",
        "/outages/summary",
        "/outages/log",
        "/outages/log.xlsx",
        f"/outages/{a}",
        f"/outages/{a}/progress",
        "/buildings",
        f"/buildings/{house}",
        "/buildings/sample.csv",
        "/buildings/import",
    ]
    anonymous = await client.get("/outages/log.xlsx", allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/login")

    await login(client, "worker", PASSWORD)
    assert [await _status(client, p) for p in pages] == [403] * len(pages)
    assert "Отключения" not in await (await client.get("/")).text()

    client.session.cookie_jar.clear()
    await login(client, "clerk", PASSWORD)
    assert [await _status(client, p) for p in pages] == [200] * (len(pages) - 1) + [403]  # read-only
    home = await (await client.get("/")).text()
    assert "Отключения" in home and "Адреса" in home
    assert "Импорт из файла" not in await (await client.get("/buildings")).text()

    client.session.cookie_jar.clear()
    await login(client, "dispatch", PASSWORD)
    assert [await _status(client, p) for p in pages] == [200] * len(pages)
    assert await _status(client, "/outages/999999") == 404
    progress = await (await client.get(f"/outages/{a}/progress")).json()
    assert progress["done"] is False
    assert [(b["total"], b["sent"], b["pending"]) for b in progress["batches"]] == [(3, 0, 3)]


async def test_log_page_and_xlsx(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)
    b = town.past_id
    await login(client, "dispatch", PASSWORD)
    html = await (await client.get("/outages/log?from=2025-03-10&to=2025-03-10")).text()
    assert f'<tr data-id="{b}">' in html and f'<tr data-id="{town.active_id}">' not in html
    assert "3 ч 0 мин" in html and "отопление" in html

    response = await client.get("/outages/log.xlsx?from=2025-03-10&to=2025-03-10")
    assert response.status == 200
    assert response.content_type == XLSX_TYPE
    assert 'filename="outages_2025-03-10_2025-03-10.xlsx"' in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(await response.read())).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:10] == OUTAGE_LOG_HEADER[:10]
    assert rows[1][:10] == [
        b,
        "Аварийное",
        "отопление",
        "Устранено",
        datetime(2025, 3, 10, 10, 0),  # Moscow wall-clock time
        datetime(2025, 3, 10, 14, 0),
        datetime(2025, 3, 10, 13, 0),
        3,
        2,
        6,
    ]
    assert rows[1][10] == "больницы: 1"
    assert rows[1][11] == "ул. Ленина, 1; ул. Мира, 10 (ЦРБ)"
    assert (rows[2][0], rows[2][8], rows[2][9]) == ("Итого", 2, 6)
    assert len(rows) == 3

    for query in ("status=resolved", "resource=heating", "from=2025-03-01&to=2025-03-31"):
        listed = await (await client.get(f"/outages?{query}")).text()
        assert f'data-id="{b}"' in listed and f'data-id="{town.active_id}"' not in listed, query
    everything = await (await client.get("/outages")).text()
    assert everything.index(f'data-id="{town.active_id}"') < everything.index(f'data-id="{b}"')

    bad = await (await client.get("/outages/log?from=2025-03-10&to=2025-03-01")).text()
    assert "Период заканчивается раньше, чем начинается." in bad
    assert (await client.get("/outages/log.xlsx?from=2025-03-10&to=2025-03-01")).status == 400


async def test_registry_search_building_page_and_bad_upload(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)
    await login(client, "dispatch", PASSWORD)
    found = await (await client.get("/buildings", params={"q": "Ленена 3"})).text()
    assert f'<tr data-id="{town.houses["l3"]}">' in found and "Найдено: 1" in found
    social = await (await client.get("/buildings?social=1")).text()
    assert "Школа № 2" in social and "ЦРБ" in social and "Найдено: 2" in social

    page = await (await client.get(f"/buildings/{town.houses['l1']}")).text()
    assert '<dd id="subscribers">1</dd>' in page
    assert f'<tr data-id="{town.active_id}">' in page and f'<tr data-id="{town.past_id}">' in page

    sample = await client.get("/buildings/sample.csv")
    assert sample.content_type == "text/csv"
    assert (await sample.text()).lstrip("\ufeff").startswith("Улица;Дом;")

    form = FormData()
    form.add_field("csrf_token", await csrf_token(client, "/buildings/import"))
    form.add_field("file", b"\xd0\xcf\x11\xe0" + b"\0" * 64, filename="реестр.xls")
    refused = await (await client.post("/buildings/import", data=form)).text()
    assert "Это файл старого формата Excel (.xls)" in refused
