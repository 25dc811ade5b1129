"""The import pages over HTTP: administrators only, templates download, a bad upload gets a message."""

from __future__ import annotations

import io

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import User
from tests.web.conftest import ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


async def test_imports_are_for_administrators_only(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "boss", ADMIN_PASSWORD, ["manager"])
    await login(client, "boss")
    assert (await client.get("/imports")).status == 403
    assert (await client.get("/imports/template/staff.csv")).status == 403


async def test_templates_and_a_bad_upload(client: TestClient, admin: User) -> None:
    await login(client)
    csv_template = await client.get("/imports/template/staff.csv")
    assert csv_template.status == 200
    assert (await csv_template.read()).decode("utf-8-sig").startswith("ФИО;Должность;Подразделение")
    xlsx = await client.get("/imports/template/appeals.xlsx")
    sheet = load_workbook(io.BytesIO(await xlsx.read())).active
    assert sheet is not None and sheet["A1"].value == "Регистрационный номер"
    assert (await client.get("/imports/template/cats.csv")).status == 404

    page = await client.get("/imports")
    form = FormData()
    form.add_field("csrf_token", csrf_of(await page.text()))
    form.add_field("kind", "buildings-gar")
    form.add_field("oktmo", "12")
    form.add_field("file", b"PK\x03\x04", filename="region.zip", content_type="application/zip")
    response = await client.post("/imports", data=form)
    assert response.status == 400
    assert "ОКТМО — это 8 или 11 цифр." in await response.text()
