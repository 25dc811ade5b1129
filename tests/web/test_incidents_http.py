"""The ЕДДС journal over HTTP: who may open and change it, and hostile or mistyped input coming back
as a form error (never a 500)."""

from __future__ import annotations

import io

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Incident, OutboxMessage, ShiftHandover
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_token, login
from tests.web.journal_support import PASSWORD, make_journal

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def _status(client: TestClient, path: str) -> int:
    response = await client.get(path, allow_redirects=False)
    await response.read()
    return response.status


async def _post(client: TestClient, path: str, data: dict[str, str], page: str) -> tuple[int, str]:
    token = await csrf_token(client, page)
    response = await client.post(path, data={**data, "csrf_token": token}, allow_redirects=False)
    return response.status, await response.text()


async def test_who_may_see_and_act(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    j = await make_journal(session_factory)
    card = f"/incidents/{j.incident_id}"
    pages = ["/incidents", card, "/shift", "/shift/current.xlsx", "/shift/current.pdf"]
    anonymous = await client.get("/incidents", allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/login")

    await login(client, "worker", PASSWORD)
    assert [await _status(client, p) for p in [*pages, "/incidents/new"]] == [403] * (len(pages) + 1)
    assert "Журнал ЕДДС" not in await (await client.get("/")).text()
    status, _ = await _post(client, card + "/close", {"note": "Сам закрыл"}, "/")
    assert status == 403

    client.session.cookie_jar.clear()
    await login(client, "boss", PASSWORD)  # a manager reads, but does not act
    assert [await _status(client, p) for p in pages] == [200] * len(pages)
    assert await _status(client, "/incidents/new") == 403
    html = await (await client.get(card)).text()
    assert j.number in html and "close-form" not in html
    status, _ = await _post(client, card + "/close", {"note": "Закрыл руководитель"}, "/incidents")
    assert status == 403
    status, html = await _post(client, "/shift", {"note": "Сдаю"}, "/shift")
    assert status == 403

    client.session.cookie_jar.clear()
    await login(client, "dispatch", PASSWORD)
    assert "Журнал ЕДДС" in await (await client.get("/")).text()
    assert await _status(client, "/incidents/999999") == 404
    row = f'data-number="{j.number}"'
    for query, found in (
        ("q=дерево", True),  # any case, Cyrillic on SQLite too
        ("q=Ленина", True),  # the street of its house
        ("q=Мира", False),
        ("status=open&kind=fallen_tree", True),
        ("status=closed", False),
        ("kind=fire", False),
        (f"org={j.org_id}", False),
        ("from=2000-01-01&to=2000-01-02", False),
        ("status=<script>&sort=');--&page=-5", True),  # junk falls back to no filter
    ):
        assert (row in await (await client.get(f"/incidents?{query}")).text()) is found, query
    async with session_factory() as s:
        incident = await s.get(Incident, j.incident_id)
        assert incident is not None and incident.status == "open"


async def test_hostile_input_gets_a_form_error(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    j = await make_journal(session_factory)
    card = f"/incidents/{j.incident_id}"
    await login(client, "dispatch", PASSWORD)
    bad_new = {
        "kind": "'; DROP TABLE incidents; --",
        "informant_kind": "resident",
        "received_at": "9999-99-99T99:99",
        "latitude": "nan",
        "longitude": "1e999",
        "description": "<script>alert(1)</script>",
        "responsible_organisation_id": "99999999999999999999",
        "building_id": "abc",
    }
    status, html = await _post(client, "/incidents/new", bad_new, "/incidents/new")
    assert status == 200
    assert (
        "Выберите значение из списка." in html and "Укажите дату и время." in html and "Введите число" in html
    )
    assert "<script>alert(1)</script>" not in html  # escaped back into the form
    future = {
        "kind": "fire",
        "informant_kind": "service",
        "received_at": "2999-01-01T10:00",
        "description": "Пожар",
        "address_text": "ул. Лесная",
    }
    status, html = await _post(client, "/incidents/new", future, "/incidents/new")
    assert status == 200 and "Время поступления не может быть в будущем." in html
    nowhere = {
        "kind": "fire",
        "informant_kind": "service",
        "received_at": "2020-01-01T10:00",
        "description": "Пожар",
    }
    status, html = await _post(client, "/incidents/new", nowhere, "/incidents/new")
    assert status == 200 and "Укажите место" in html

    status, html = await _post(client, card + "/action", {"text": "  ", "occurred_at": "junk"}, card)
    assert status == 200 and "Обязательное поле." in html
    status, html = await _post(client, card + "/action", {"text": "x" * 5000}, card)
    assert status == 200 and "Не более 4000 символов." in html
    status, html = await _post(client, card + "/responsible", {"organisation_id": "-1"}, card)
    assert status == 200 and "Выберите значение из списка." in html
    status, html = await _post(
        client, card + "/close", {"note": "Закрыто", "closed_at": "2000-01-01T00:00"}, card
    )
    assert status == 200 and "Время закрытия" in html
    status, _ = await _post(client, card + "/reopen", {"reason": "Снова"}, card)
    assert status == 303  # no reopen form on an open incident's card: the refusal comes as a notice
    assert "Происшествие не закрыто." in await (await client.get(card)).text()
    status, html = await _post(client, card + "/place", {"latitude": "abc", "longitude": "1"}, card)
    assert status == 200 and "Введите число, например 55.75580." in html
    status, html = await _post(client, card + "/place", {"latitude": "91", "longitude": "1"}, card)
    assert status == 200 and "Точка на карте указана неверно." in html
    status, html = await _post(client, card + "/place", {"building_query": "Ленина", "find": "1"}, card)
    assert status == 200 and html.count('name="building_id"') == 2  # Lenina 1 and 3 to pick from
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Incident)) == 1

    status, _ = await _post(client, card + "/place", {"building_query": "Ленина 3"}, card)
    assert status == 303
    async with session_factory() as s:
        moved = await s.get(Incident, j.incident_id)
        assert moved is not None and moved.building_id == j.town.houses["l3"]

    # A valid hand-over to the organisation notifies its member; closing is then possible.
    status, _ = await _post(client, card + "/responsible", {"organisation_id": str(j.org_id)}, card)
    assert status == 303
    async with session_factory() as s:
        chats = (await s.scalars(select(OutboxMessage.chat_id))).all()
        assert 9301 in chats


async def test_hand_over_and_download(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    j = await make_journal(session_factory)
    await login(client, "dispatch", PASSWORD)
    html = await (await client.get("/shift")).text()
    assert j.number in html and "Сдать смену" in html
    status, _ = await _post(client, "/shift", {"note": "Дерево на Ленина ещё лежит"}, "/shift")
    assert status == 303
    async with session_factory() as s:
        handover = await s.scalar(select(ShiftHandover))
        assert handover is not None and handover.note == "Дерево на Ленина ещё лежит"
    page = await (await client.get(f"/shift/{handover.id}")).text()
    assert "Дерево на Ленина ещё лежит" in page
    response = await client.get(f"/shift/{handover.id}.xlsx")
    assert response.status == 200
    book = load_workbook(io.BytesIO(await response.read()))
    assert j.number in [row[0] for row in book.active.iter_rows(values_only=True)]
    response = await client.get(f"/shift/{handover.id}.pdf")
    assert response.status == 200 and response.content_type == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(await response.read())).pages)
    assert j.number in text and "Дерево на Ленина ещё лежит" in text
