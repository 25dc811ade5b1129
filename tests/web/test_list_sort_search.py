"""Sorting and searching the lists over HTTP: staff and appeals (Cyrillic case-insensitive on SQLite
and PostgreSQL alike), assignments sorted descending across keyset pages, and the analytics
drill-down limited to the chosen period."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, Assignment, Correspondent
from porucheno.settings import Settings
from services.audit import Actor
from services.correspondents.normalize import name_key
from services.staff import create_department, create_user
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login, make_user
from tests.web.outages_support import make_town
from tests.web.test_analytics import OCTOBER, make_data
from tests.web.test_analytics import PASSWORD as ANALYTICS_PASSWORD
from tests.web.test_appeals_http import make_office
from tests.web.test_assignments_http import PASSWORD

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
ROW_RE = re.compile(r'<tr data-id="(\d+)"')
NEXT_RE = re.compile(r'href="([^"]+)" id="page-next"')
PREV_RE = re.compile(r'href="([^"]+)" id="page-prev"')


async def ids(client: TestClient, url: str) -> list[int]:
    response = await client.get(url)
    assert response.status == 200, url
    return [int(i) for i in ROW_RE.findall(await response.text())]


async def walk(client: TestClient, url: str, link: re.Pattern[str] = NEXT_RE) -> tuple[list[int], str]:
    """Every row id following "Next" (or "Back") links from ``url``, and the last page's HTML."""
    found: list[int] = []
    next_url: str | None = url
    text = ""
    for _ in range(20):
        if next_url is None:
            break
        text = await (await client.get(html_lib.unescape(next_url))).text()
        found += [int(i) for i in ROW_RE.findall(text)]
        match = link.search(text)
        next_url = match.group(1) if match else None
    return found, text


async def test_staff_search_and_sort(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    actor = Actor.system("test")
    await make_user(session_factory, "root", PASSWORD, ["admin"], full_name="Анна Админова")
    async with session_factory() as s:
        housing = await create_department(s, actor, "Отдел ЖКХ")
        roads = await create_department(s, actor, "Дорожный отдел")
        ivanov = await create_user(
            s, actor, full_name="ИВАНОВ Пётр", position="Главный инженер", department_id=housing.id,
            email="Petr@Example.ru", phone="+7 916 123-45-67", login="pivanov",
        )  # fmt: skip
        ivanova = await create_user(
            s, actor, full_name="иванова Анна", position="Специалист", department_id=roads.id
        )
        elkin = await create_user(s, actor, full_name="Ёлкин Семён", position="Инженер")
        boris1 = await create_user(s, actor, full_name="Борисов Борис", department_id=roads.id)
        boris2 = await create_user(s, actor, full_name="Борисов Борис", department_id=housing.id)
        await s.commit()
        ivanov_id, ivanova_id, elkin_id, b1, b2 = ivanov.id, ivanova.id, elkin.id, boris1.id, boris2.id
    await login(client, "root", PASSWORD)

    assert set(await ids(client, "/staff?q=иванов")) == {ivanov_id, ivanova_id}  # any case, both DBs
    assert set(await ids(client, "/staff?q=ИВАНОВА")) == {ivanova_id}
    assert await ids(client, "/staff?q=елкин") == [elkin_id]  # «ё» typed as «е»
    assert set(await ids(client, "/staff?q=ИНЖЕНЕР")) == {ivanov_id, elkin_id}  # position
    assert set(await ids(client, "/staff?q=жкх")) == {ivanov_id, b2}  # department
    assert await ids(client, "/staff?q=жкх%20петр") == []  # one fragment, not words in any order
    assert await ids(client, "/staff?q=example.RU") == [ivanov_id]  # e-mail
    assert await ids(client, "/staff?q=8%20916%20123") == [ivanov_id]  # phone, typed the Russian way
    assert await ids(client, "/staff?q=PIVANOV") == [ivanov_id]  # login
    assert await ids(client, "/staff?q=%25") == []  # a LIKE wildcard is just a character

    by_name = await ids(client, "/staff?sort=name")
    # Folded order (SQLite alone would put «иванова» after every capital); equal names by id.
    root_id = by_name[0]
    assert by_name == [root_id, b1, b2, elkin_id, ivanov_id, ivanova_id]
    assert await ids(client, "/staff?sort=name&dir=desc") == by_name[::-1]
    assert await ids(client, "/staff?sort=nonsense;drop") == by_name  # unknown keys: the default order
    assert await ids(client, "/staff?sort=name&dir=sideways") == by_name

    page = await (await client.get("/staff?q=иванов&sort=name&dir=desc")).text()
    # The header link keeps the search and flips the direction; the export keeps search and sort.
    assert 'href="/staff?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2&amp;sort=name&amp;dir=asc"' in page
    assert "/staff/export.csv?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2&amp;sort=name&amp;dir=desc" in page
    assert 'class="chip"' in page
    csv = (await (await client.get("/staff/export.csv?q=иванов&sort=name&dir=desc")).read()).decode(
        "utf-8-sig"
    )
    assert [line.split(";")[0] for line in csv.splitlines()[1:]] == ["иванова Анна", "ИВАНОВ Пётр"]


async def test_appeals_search_and_sort_across_pages(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    office = await make_office(session_factory, settings.files_dir)
    now = datetime.now(UTC)
    async with session_factory() as s:
        for i in range(30):
            s.add(
                Appeal(
                    reg_year=2026, reg_seq=500 + i, reg_number=f"2026-{500 + i:06d}", channel="paper",
                    text=f"ПОДЪЕЗД № {i}", due_at=now + timedelta(days=(i * 7) % 30, hours=1),
                )
            )  # fmt: skip
        await s.commit()
        rows = (await s.execute(select(Appeal.id, Appeal.due_at))).all()
    by_due = [r.id for r in sorted(rows, key=lambda r: (r.due_at, r.id))]
    await login(client, "clerk", PASSWORD)

    assert await ids(client, "/appeals?q=ЯМА") == [office.appeal_id]  # text, any case
    assert await ids(client, "/appeals?q=ольга%20КУЗНЕЦОВА") == [office.appeal_id]  # correspondent
    assert len(await ids(client, "/appeals?q=подъезд")) == 25  # a full first page of 30

    forward, last = await walk(client, "/appeals?sort=due&dir=asc")
    assert forward == by_due  # the order holds across pages
    backward, _ = await walk(client, "/appeals?sort=due&dir=desc")
    assert backward == by_due[::-1]
    back = PREV_RE.search(last)  # "Back" keeps the sort too
    assert back is not None and "sort=due&amp;dir=asc" in back.group(1)
    filtered, _ = await walk(client, "/appeals?q=подъезд&sort=number&dir=desc")
    assert len(filtered) == 30 and office.appeal_id not in filtered
    page = await (await client.get("/appeals?q=подъезд&sort=number&dir=desc")).text()
    assert (
        "/appeals/export.csv?q=%D0%BF%D0%BE%D0%B4%D1%8A%D0%B5%D0%B7%D0%B4&amp;sort=number&amp;dir=desc"
        in page
    )


async def test_assignments_sorted_by_creation_descending_across_keyset_pages(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(session_factory, "boss", PASSWORD, ["manager"])
    base = datetime.now(UTC).replace(microsecond=0)
    async with session_factory() as s:
        for i in range(40):
            s.add(
                Assignment(
                    title=f"Поручение {i}", deadline=base + timedelta(days=i),
                    created_at=base - timedelta(hours=i // 3),  # three rows share each moment
                )
            )  # fmt: skip
        await s.commit()
        rows = (await s.execute(select(Assignment.id, Assignment.created_at))).all()
    newest_first = [r.id for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]
    await login(client, "boss", PASSWORD)
    forward, last = await walk(client, "/assignments?sort=created&dir=desc")
    assert forward == newest_first
    back = PREV_RE.search(last)
    assert back is not None and "sort=created" in back.group(1)
    backward, _ = await walk(client, back.group(1), PREV_RE)
    assert backward == newest_first[:25]
    assert await ids(client, "/assignments?sort=created&dir=asc") == newest_first[::-1][:25]
    for hostile in (
        "/assignments?sort=deadline;drop&dir=%27",
        "/assignments?created_from=2026-13-45&done_to=x&control=99999999999999999999999&due=year",
        "/assignments?department=none&executor=none&q=%25_",
        "/appeals?sort=__class__&dir=desc&due=never&unassigned=yes",
    ):
        assert (await client.get(hostile)).status == 200, hostile  # ignored, never a traceback
    page = await (await client.get("/assignments?sort=created&dir=desc")).text()
    assert "/assignments/export.csv?sort=created&amp;dir=desc" in page
    body = (await (await client.get("/assignments/export.csv?sort=created&dir=desc")).read()).decode(
        "utf-8-sig"
    )
    assert [int(line.split(";")[0]) for line in body.splitlines()[1:]] == newest_first


async def test_analytics_drill_down_keeps_the_period(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    data = await make_data(session_factory)  # five received and three done in October, one in September
    async with session_factory() as s:  # and one without a department, overdue now
        s.add(
            Assignment(
                title="Ничьё",
                created_at=datetime(2026, 10, 7, tzinfo=UTC),
                deadline=datetime(2026, 10, 9, tzinfo=UTC),
            )
        )
        await s.commit()
    await login(client, "boss", ANALYTICS_PASSWORD)
    page = await (await client.get(f"/analytics?{OCTOBER}")).text()

    def link(block_id: str) -> str:
        match = re.search(rf'id="{block_id}"><span class="num"><a href="([^"]+)">(\d+)</a>', page)
        assert match, block_id
        return html_lib.unescape(match.group(1))

    received, done = link("kpi-received"), link("kpi-done")
    assert "created_from=2026-10-01" in received and "created_to=2026-10-31" in received
    assert "done_from=2026-10-01" in done and "done_to=2026-10-31" in done
    assert len(await ids(client, received)) == 6  # not seven: the September one is outside the period
    assert len(await ids(client, done)) == 3
    housing_done = re.search(rf'<tr data-id="{data["housing"]}">.*?<a href="([^"]+)">(\d+)</a>', page, re.S)
    assert housing_done is not None
    assert len(await ids(client, html_lib.unescape(housing_done.group(1)))) == int(housing_done.group(2)) == 2
    nobody = re.search(r'<tr data-id="">.*?class="overdue-link" href="([^"]+)">(\d+)</a>', page, re.S)
    assert nobody is not None and "department=none" in nobody.group(1)  # the "No department" row
    assert len(await ids(client, html_lib.unescape(nobody.group(1)))) == int(nobody.group(2)) == 1
    listing = await (await client.get(received)).text()
    assert 'data-param="created_from"' in listing  # shown as a removable chip


async def test_departments_correspondents_and_outages_sort_and_search(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    town = await make_town(session_factory)  # an active hot-water outage and a resolved heating one
    actor = Actor.system("test")
    await make_user(session_factory, "root", PASSWORD, ["admin"], full_name="Анна Админова")
    async with session_factory() as s:
        housing = await create_department(s, actor, "Отдел ЖКХ", short_name="ЖКХ")
        roads = await create_department(s, actor, "дорожный отдел")
        culture = await create_department(s, actor, "Ёлочный отдел")
        people = [
            Correspondent(name=name, name_search=name_key(name), appeals_count=n)
            for name, n in (("ЯКОВЛЕВ Яков", 1), ("абрамов Абрам", 5), ("Ёжиков Пётр", 3))
        ]
        s.add_all(people)
        await s.commit()
        yakov, abram, ezhikov = (p.id for p in people)
    await login(client, "root", PASSWORD)

    assert await ids(client, "/departments?sort=name") == [roads.id, culture.id, housing.id]
    assert await ids(client, "/departments?sort=name&dir=desc") == [housing.id, culture.id, roads.id]
    assert await ids(client, "/departments?q=ОТДЕЛ%20Ж") == [housing.id]
    assert await ids(client, "/departments?q=елочный") == [culture.id]
    assert "/departments/export.csv?q=" in await (await client.get("/departments?q=жкх")).text()

    assert await ids(client, "/correspondents") == [ezhikov, abram, yakov]  # newest first
    assert await ids(client, "/correspondents?sort=name") == [abram, ezhikov, yakov]
    assert await ids(client, "/correspondents?sort=appeals&dir=desc") == [abram, ezhikov, yakov]
    assert await ids(client, "/correspondents?q=ЯКОВЛЕВ") == [yakov]
    assert await ids(client, "/correspondents?q=ов&sort=name&dir=desc") == [yakov, ezhikov, abram]

    assert await ids(client, "/outages") == [town.active_id, town.past_id]  # active first
    assert await ids(client, "/outages?sort=start") == [town.past_id, town.active_id]
    assert await ids(client, "/outages?sort=resource&dir=desc") == [town.active_id, town.past_id]
    assert await ids(client, "/outages?q=ПОРЫВ") == [town.active_id]  # description, any case
    assert await ids(client, "/outages?q=теплотрасс") == [town.past_id]
    page = await (await client.get("/outages?q=порыв&sort=start&dir=desc")).text()
    assert 'data-param="q"' in page and "/outages/export.csv?q=" in page and "sort=start" in page
