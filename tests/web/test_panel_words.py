"""The panel speaks Russian, not codes: audit histories in words, numbers with the locale's decimal
comma, exports with the panel's column titles, units, states and local dates."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.i18n import LOCALE_COOKIE
from models import Assignment, User, utcnow
from models.enums import AssignmentStatus
from porucheno.numbers import format_count, format_days, format_number, format_share
from porucheno.settings import Settings
from services.assignments import commands
from services.assignments.lifecycle import Action
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login
from tests.web.layout_support import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, seed_long_demo

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
# A stored code leaking into a Russian page shows up as a Latin word: "create", "in_progress".
LATIN_WORD = re.compile(r"\b[a-z][a-z_]{2,}\b")
TAG = re.compile(r"<[^>]+>")
LOCAL_MOMENT = re.compile(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d$")


def _timeline_text(html: str) -> str:
    start = html.index(">", html.index('id="timeline"')) + 1
    return TAG.sub(" ", html[start : html.index("</aside>", start)])


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


async def test_one_number_format_per_language() -> None:
    assert [format_number(3.24, "ru"), format_number(0, "ru"), format_number(3.24, "en")] == [
        "3,2",
        "0,0",
        "3.2",
    ]
    assert format_share(0.834, "ru") == "83\xa0%" and format_share(0.834, "en") == "83%"
    assert format_days(108, "ru") == "4,5" and format_days(None, "ru") == "—"
    assert format_count(12345, "ru") == "12\xa0345" and format_count(12345, "en") == "12,345"


async def test_histories_say_in_words_what_happened(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_long_demo(session_factory)
    async with session_factory() as s:  # the executor accepts and starts: "acknowledge", "start"
        executor = await s.get(User, ids.staff_id)
        assert executor is not None
        for action in (Action.ACKNOWLEDGE, Action.START):
            await commands.transition(s, executor, ids.assignment_id, action)
        await s.commit()
        # A demo assignment whose history was written as "create" (older records carry it too).
        demo_id = await s.scalar(select(Assignment.id).where(Assignment.status == AssignmentStatus.RETURNED))
    await login(client, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD)
    for path in (f"/assignments/{ids.assignment_id}", f"/assignments/{demo_id}", f"/appeals/{ids.appeal_id}"):
        html = await (await client.get(path)).text()
        text = _timeline_text(html)
        assert LATIN_WORD.findall(text) == [], (path, text)
    text = _timeline_text(await (await client.get(f"/assignments/{ids.assignment_id}")).text())
    assert "создано" in text and "начата работа" in text and "принято к исполнению" in text, text
    appeal = _timeline_text(await (await client.get(f"/appeals/{ids.appeal_id}")).text())
    assert "зарегистрировано" in appeal.lower(), appeal
    kpi = await (await client.get("/analytics")).text()
    assert "README" not in kpi


async def test_numbers_and_exports_use_the_panels_words_and_units(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await seed_long_demo(session_factory)
    await login(client, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD)
    # The panel's periods are days of the configured zone: between 21:00 and 24:00 UTC Moscow is
    # already in the next day, where the demo's outage (begun two hours ago) may fall.
    today = utcnow().astimezone(settings.tz).date()
    period = f"from={(today - timedelta(days=40)).isoformat()}&to={today.isoformat()}"
    html = await (await client.get(f"/analytics?{period}")).text()
    figures = re.findall(r'<span class="num">(.*?)</span>', html)
    assert figures and not any(re.search(r"\d\.\d", TAG.sub("", f)) for f in figures), figures
    average = TAG.sub("", re.search(r'id="kpi-avg"><span class="num">(.*?)</span>', html).group(1))  # type: ignore[union-attr]
    assert re.fullmatch(r"\d+,\d", average), average

    # The assignments list: the page's column titles, its state names, overdue in days, local dates.
    page = await (await client.get("/assignments?status=all")).text()
    rows = _csv(await (await client.get("/assignments/export.csv?status=all")).read())
    header = rows[0]
    for title in ("Заголовок", "Срок", "Статус", "Исполнитель", "Подразделение", "Приоритет"):
        # A sortable header carries its direction arrow after the title.
        assert title in header and re.search(rf">{title}(?: [▲▼])?<", page), title
    assert header[-1] == "Просрочка, дн."
    states = {r[header.index("Статус")] for r in rows[1:]}
    assert states and not any(LATIN_WORD.search(s) for s in states), states
    assert all(LOCAL_MOMENT.match(r[header.index("Срок")]) for r in rows[1:])
    assert any(r[-1].isdigit() for r in rows[1:])  # the demo has overdue work

    kpi = _csv(await (await client.get(f"/analytics/kpi.csv?{period}")).read())
    assert kpi[0][4:6] == ["В срок", "Среднее время выполнения, дн."]
    assert re.fullmatch(r"\d+\xa0%|—", kpi[1][4]) and re.fullmatch(r"\d+,\d|—", kpi[1][5]), kpi[1]

    log = _csv(await (await client.get(f"/outages/log.csv?{period}")).read())
    assert log[0][7] == "Длительность, ч" and log[1][3] == "Действует", log[:2]
    assert re.fullmatch(r"\d+,\d\d?", log[1][7]), log[1]

    client.session.cookie_jar.update_cookies({LOCALE_COOKIE: "en"})
    html = await (await client.get(f"/analytics?{period}")).text()
    average = TAG.sub("", re.search(r'id="kpi-avg"><span class="num">(.*?)</span>', html).group(1))  # type: ignore[union-attr]
    assert re.fullmatch(r"\d+\.\d", average), average
    rows = _csv(await (await client.get("/assignments/export.csv?status=all")).read())
    assert rows[0][-1] == "Overdue, days"
