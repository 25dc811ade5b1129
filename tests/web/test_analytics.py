"""The KPI dashboard: figures, access, drill-down, XLSX/CSV exports (HTTP) and the page in Chromium."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment
from models.enums import AssignmentStatus as S
from services import staff
from services.audit import Actor
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login, make_user
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "analytics-pass-1"
OCTOBER = "from=2026-10-01&to=2026-10-31"
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def d(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


async def make_data(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    await make_user(factory, "boss", PASSWORD, ["manager"], full_name="Глава Администрации")
    await make_user(factory, "worker", PASSWORD, ["executor"], full_name="Рядовой Сотрудник")
    sys = Actor.system("test")
    async with factory() as session:
        housing = await staff.create_department(session, sys, "Отдел ЖКХ")
        roads = await staff.create_department(session, sys, "Дорожный отдел")
        ivanov = await staff.create_user(session, sys, full_name="Иванов Иван", department_id=housing.id)
        petrov = await staff.create_user(session, sys, full_name="Петров Пётр", department_id=roads.id)
        head = await staff.create_user(
            session,
            sys,
            full_name="Начальник Дорог",
            department_id=roads.id,
            login="roadhead",
            password=PASSWORD,
        )
        await staff.set_department_head(session, sys, roads.id, head.id)

        def a(title: str, who, created, deadline, status=S.NEW, done=None) -> Assignment:  # type: ignore[no-untyped-def]
            return Assignment(
                title=title, status=status, executor_id=who.id, department_id=who.department_id,
                created_at=created, deadline=deadline, done_at=done,
            )  # fmt: skip

        session.add_all(
            [
                a("Вывоз мусора", ivanov, d(10, 1), d(10, 10), S.DONE, done=d(10, 5)),
                a("Покос травы", ivanov, d(10, 2), d(10, 6), S.DONE, done=d(10, 8)),
                a("Ремонт ограды", ivanov, d(10, 3), d(10, 20), S.IN_PROGRESS),  # overdue now
                a("Яма на дороге", petrov, d(10, 4), d(10, 15), S.DONE, done=d(10, 15)),  # exactly on time
                a("Разметка", petrov, d(10, 5), FAR, S.NEW),
                a("Прошлогоднее", petrov, d(9, 1), d(9, 5), S.DONE, done=d(9, 4)),  # outside the period
            ]
        )
        await session.commit()
        return {"housing": housing.id, "roads": roads.id, "ivanov": ivanov.id}


async def test_kpi_page_access_and_exports(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await make_data(session_factory)
    await login(client, "worker", PASSWORD)
    assert (await client.get(f"/analytics?{OCTOBER}")).status == 403
    client.session.cookie_jar.clear()  # sign in as someone else

    await login(client, "boss", PASSWORD)
    html = await (await client.get(f"/analytics?{OCTOBER}")).text()
    assert 'id="kpi-received"><span class="num"><a' in html
    assert '>5</a></span><span class="label">Поступило' in html  # the September one is outside
    assert '>3</a></span><span class="label">Выполнено' in html
    assert "67\xa0%" in html  # 2 of 3 on time, as Russian writes a percentage
    assert "Отдел ЖКХ" in html and "Дорожный отдел" in html
    assert f"/assignments?status=overdue&amp;department={ids['housing']}" in html  # drill-down link

    response = await client.get(f"/analytics/kpi.xlsx?{OCTOBER}")
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await response.read()))
    sheet = wb["Подразделения"]
    assert [c.value for c in sheet[1]][:4] == ["Подразделение", "Поступило", "Выполнено", "Выполнено в срок"]
    assert [c.value for c in sheet[2]][:5] == ["Вся администрация", 5, 3, 2, pytest.approx(2 / 3)]
    rows = {r[0].value: [c.value for c in r[1:6]] for r in sheet.iter_rows(min_row=3) if r[0].value}
    assert rows["Отдел ЖКХ"] == [3, 2, 1, 0.5, pytest.approx(5)]  # 96 h and 144 h: 5 days on average
    assert rows["Дорожный отдел"][:4] == [2, 1, 1, 1]

    response = await client.get(f"/analytics/kpi.csv?{OCTOBER}&department={ids['housing']}")
    text = (await response.read()).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:3] == ["Сотрудник", "Поступило", "Выполнено"]  # the page's column titles
    assert table[1][:4] == ["Итого", "3", "2", "1"]
    assert table[2][0] == "Иванов Иван"

    # The assignments list exports with its filters: overdue only, in the housing department.
    response = await client.get(f"/assignments/export.csv?status=overdue&department={ids['housing']}")
    rows_csv = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig")), delimiter=";"))
    assert rows_csv[0][:3] == ["№", "Заголовок", "Статус"]
    assert [r[1] for r in rows_csv[1:]] == ["Ремонт ограды"]
    assert rows_csv[0][-1] == "Просрочка, дн." and int(rows_csv[1][-1]) > 0
    response = await client.get("/assignments/export.xlsx?status=all")
    wb = load_workbook(io.BytesIO(await response.read()))
    titles = sorted(c.value for c in wb.active["B"][1:])  # type: ignore[index]
    assert titles == sorted(
        ["Вывоз мусора", "Покос травы", "Ремонт ограды", "Яма на дороге", "Разметка", "Прошлогоднее"]
    )


async def test_department_head_sees_only_their_department(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await make_data(session_factory)
    await login(client, "roadhead", PASSWORD)
    for chart in ("trend", "breakdown"):
        response = await client.get(f"/analytics/{chart}.png?{OCTOBER}")
        assert response.status == 200, await response.text()
        assert (await response.read()).startswith(b"\x89PNG")
    html = await (await client.get(f"/analytics?{OCTOBER}&department={ids['housing']}")).text()
    assert "Петров Пётр" in html and "Иванов Иван" not in html
    assert '>2</a></span><span class="label">Поступило' in html


@pytest.mark.browser
async def test_dashboard_in_the_browser(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_data(session_factory)
    await page.goto("/login")
    await page.fill("#f-login", "boss")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.get_by_role("link", name="Аналитика").click()
    await page.fill("#f-from", "2026-10-01")
    await page.fill("#f-to", "2026-10-31")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.locator("#kpi-received .num")).to_have_text("5")
    for chart in ("#trend-chart", "#breakdown-chart"):
        await expect(page.locator(chart)).to_be_visible()
        # Charts are drawn on the server: wait until the picture has arrived and decoded.
        await page.wait_for_function(
            "sel => { const i = document.querySelector(sel); return i.complete && i.naturalWidth > 100 }",
            arg=chart,
        )
    # Drill down: the department's row, then its overdue assignments in the list.
    await page.locator("#kpi-table").get_by_role("link", name="Отдел ЖКХ").click()
    await expect(page.locator("#kpi-table")).to_contain_text("Иванов Иван")
    await page.locator("#kpi-overdue a").click()
    await expect(page.locator("#assignment-table tbody tr")).to_have_count(1)
    await expect(page.locator("#assignment-table")).to_contain_text("Ремонт ограды")


@pytest.mark.browser
async def test_project_stages_and_linked_work(
    page: Page, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_data(session_factory)
    async with session_factory() as session:
        task = Assignment(title="Установить скамейки", status=S.IN_PROGRESS, deadline=FAR)
        session.add(task)
        await session.commit()
        task_id = task.id
    await page.goto("/login")
    await page.fill("#f-login", "boss")
    await page.fill("#f-password", PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await open_nav(page, "Работа", "Проекты")
    await page.click("#new-project")
    await page.click("#create-project")
    await expect(page.locator("#project-form")).to_contain_text("Обязательное поле")  # the name is required
    await page.fill("#f-name", "Благоустройство сквера")
    await page.fill("#f-starts_on", "2026-10-01")
    await page.click("#create-project")
    await expect(page.locator(".flash")).to_have_text("Проект «Благоустройство сквера» создан.")

    await page.fill("#s-name", "Проектирование")
    await page.fill("#s-start", "2026-10-01")
    await page.fill("#s-end", "2026-10-20")  # already past: the stage is late
    await page.locator("#add-stage").get_by_role("button", name="Добавить этап").click()
    await expect(page.locator("#stage-table .stage-status")).to_have_text("с отставанием")
    await expect(page.locator("#project-status")).to_have_text("с отставанием")

    row = page.locator("#stage-table tbody tr").first
    await row.locator("input[name=actual_start]").fill("2026-10-01")
    await row.locator("input[name=actual_end]").fill("2026-10-19")
    await row.get_by_role("button", name="Сохранить").click()
    await expect(page.locator("#stage-table .stage-status")).to_have_text("завершён")
    await expect(page.locator("#project-status")).to_have_text("завершён")

    await page.fill("#l-assignment", f"№{task_id}")
    await page.locator("#link-assignment").get_by_role("button", name="Связать").click()
    await expect(page.locator("#linked-table")).to_contain_text("Установить скамейки")
    await expect(page.locator("#project-progress")).to_have_text("0 / 1 (0\xa0%)")
    await page.fill("#l-assignment", "999999")
    await page.locator("#link-assignment").get_by_role("button", name="Связать").click()
    await expect(page.locator(".flash")).to_have_text("Поручение не найдено.")
