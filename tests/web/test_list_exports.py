"""Panel lists download as XLSX and CSV with the filters on screen: appeals, outages, addresses."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Correspondent, Outage, OutageBuilding, Project, User
from porucheno.settings import Settings
from services import staff
from services.audit import Actor
from services.correspondents.normalize import name_key
from services.streamed import PART
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING, login
from tests.web.outages_support import PASSWORD, make_town
from tests.web.test_appeals_http import make_office

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


async def test_appeals_export_keeps_the_filters(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_office(session_factory, settings.files_dir)
    await login(client, "clerk", PASSWORD)
    page = await (await client.get("/appeals?channel=telegram")).text()
    assert 'href="/appeals/export.xlsx?channel=telegram"' in page
    response = await client.get("/appeals/export.csv?channel=telegram")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="appeals-')
    rows = _csv(await response.read())
    assert rows[0][:4] == ["Регистрационный номер", "Зарегистрировано", "Канал", "Статус"]
    assert len(rows) == 2 and rows[1][5] == "Ольга Кузнецова" and rows[1][4] == "Дороги и тротуары"
    assert _csv(await (await client.get("/appeals/export.csv?channel=email")).read())[1:] == []
    wb = load_workbook(io.BytesIO(await (await client.get("/appeals/export.xlsx")).read()))
    sheet = wb.active
    assert sheet is not None and sheet["A2"].value.startswith("20") and sheet["I2"].is_date


async def test_outages_and_addresses_export(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)
    await login(client, "dispatch", PASSWORD)
    rows = _csv(await (await client.get("/outages/export.csv?resource=heating")).read())
    assert rows[0][:3] == ["№", "Вид", "Ресурс"]
    assert [r[0] for r in rows[1:]] == [str(town.past_id)]
    assert rows[1][4] == "10.03.2025 10:00" and rows[1][7] == "2"  # Moscow time; two houses
    wb = load_workbook(io.BytesIO(await (await client.get("/outages/export.xlsx")).read()))
    sheet = wb.active
    assert sheet is not None and {sheet["A2"].value, sheet["A3"].value} == {town.active_id, town.past_id}

    log = _csv(await (await client.get("/outages/log.csv?from=2025-03-10&to=2025-03-10")).read())
    assert [r[0] for r in log[1:]] == [str(town.past_id)]
    assert log[1][4:7] == ["10.03.2025 10:00", "10.03.2025 14:00", "10.03.2025 13:00"]  # start, expected, end
    assert (await client.get("/outages/log.csv?from=2025-03-10&to=2025-03-01")).status == 400

    rows = _csv(await (await client.get("/buildings/export.csv?social=1")).read())
    assert rows[0][:4] == ["Улица", "Дом", "Тип", "Социально значимый объект"]
    assert sorted((r[0], r[1]) for r in rows[1:]) == [("ул. Мира", "10"), ("ул. Школьная", "5")]
    rows = _csv(await (await client.get("/buildings/export.csv?q=Ленина")).read())  # a search's houses
    assert sorted((r[0], r[1]) for r in rows[1:]) == [("ул. Ленина", "1"), ("ул. Ленина", "3")]
    assert (await client.get("/buildings/export.pdf")).status == 404


async def test_an_export_of_several_parts_keeps_every_row_and_its_lookups(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """More outages than a part holds (services/streamed.py): each part's house counts are looked up
    for that part, and the rows come out whole and in the list's order."""
    town = await make_town(session_factory)
    houses = list(town.houses.values())
    size = 2 * PART + 13
    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    async with session_factory() as session:
        outages = [
            Outage(kind="planned", resource="gas", status="ended", starts_at=start + timedelta(hours=i))
            for i in range(size)
        ]
        session.add_all(outages)
        await session.flush()
        for i, outage in enumerate(outages):
            session.add_all(OutageBuilding(outage_id=outage.id, building_id=h) for h in houses[: i % 4])
        await session.commit()
        made = {o.id: i for i, o in enumerate(outages)}
    await login(client, "dispatch", PASSWORD)
    rows = _csv(await (await client.get("/outages/export.csv?resource=gas&sort=number")).read())[1:]
    assert [int(r[0]) for r in rows] == sorted(made)
    assert [int(r[7]) for r in rows] == [min(made[int(r[0])] % 4, len(houses)) for r in rows]


async def test_correspondents_export_follows_the_search(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await make_office(session_factory, settings.files_dir)
    await login(client, "clerk", PASSWORD)
    rows = _csv(await (await client.get("/correspondents/export.csv?q=кузнецова")).read())
    assert rows[0][:3] == ["Имя или название", "Тип", "Телефон"]
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [("Ольга Кузнецова", "гражданин", "1")]
    assert _csv(await (await client.get("/correspondents/export.csv?q=никого")).read())[1:] == []


async def test_staff_departments_and_projects_export(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], admin: User
) -> None:
    async with session_factory() as session:
        roads = await staff.create_department(
            session, Actor.system("test"), "Дорожный отдел", short_name="ДО"
        )
        worker = await staff.create_user(
            session, Actor.system("test"), full_name="Петров Пётр", department_id=roads.id, telegram_id=4242
        )
        await staff.set_department_head(session, Actor.system("test"), roads.id, worker.id)
        session.add(Project(name="Ремонт моста", manager_id=worker.id))
        await session.commit()
    await login(client, ADMIN_LOGIN, ADMIN_PASSWORD)
    rows = _csv(await (await client.get(f"/staff/export.csv?department={roads.id}")).read())
    assert rows[0][:4] == ["ФИО", "Должность", "Подразделение", "Роли"]
    assert [(r[0], r[2], r[6]) for r in rows[1:]] == [("Петров Пётр", "Дорожный отдел", "да")]
    rows = _csv(await (await client.get("/departments/export.csv")).read())
    assert ["Дорожный отдел", "ДО", "", "Петров Пётр", "да"] in rows[1:]
    wb = load_workbook(io.BytesIO(await (await client.get("/projects/export.xlsx")).read()))
    sheet = wb.active
    assert sheet is not None and [c.value for c in sheet[2]][:3] == [
        "Ремонт моста",
        "Петров Пётр",
        "в графике",
    ]


async def test_a_name_typed_as_a_formula_is_exported_as_text(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Someone calls themselves «=HYPERLINK(…)» in Telegram: the clerk's download shows the text and
    Excel runs nothing (the XLSX cell is a string, the CSV cell starts with «'»); a phone stays as is."""
    await make_office(session_factory, settings.files_dir)
    trap = '=HYPERLINK("http://evil.example/","Открыть")'
    async with session_factory() as session:
        session.add(Correspondent(name=trap, name_search=name_key(trap), phone="+7 900 555-44-33"))
        await session.commit()
    await login(client, "clerk", PASSWORD)
    rows = _csv(await (await client.get("/correspondents/export.csv?q=hyperlink")).read())
    assert [(r[0], r[2]) for r in rows[1:]] == [("'" + trap, "+7 900 555-44-33")]
    wb = load_workbook(io.BytesIO(await (await client.get("/correspondents/export.xlsx?q=hyperlink")).read()))
    cell = wb.active["A2"]
    assert (cell.value, cell.data_type) == (trap, "s")
