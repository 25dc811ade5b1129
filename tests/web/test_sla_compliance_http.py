"""SLA compliance: the figures per topic, assignee and month against a hand-made data set (the
expected numbers are computed here from the same rows), the panel page and its XLSX over HTTP."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ServiceRequest, ServiceTopic
from models.enums import ServiceStatus as S
from services import staff
from services.audit import Actor
from services.service_desk import compliance
from services.work_calendar.clock import WorkCalendar
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
MSK = ZoneInfo("Europe/Moscow")
PASSWORD = "sla-pass-1"
PERIOD = "from=2026-09-01&to=2026-10-31"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=MSK).astimezone(UTC)


@dataclass
class Spec:
    topic: str  # "ws" / "av"
    assignee: str | None  # "petrov" / "sidorov" / None
    created: datetime
    status: S
    reaction_due: datetime
    resolution_due: datetime
    responded: datetime | None = None
    resolved: datetime | None = None
    rating: int | None = None
    paused_minutes: int = 0
    paused: bool = False


# Weekdays of September–October 2026 with no holidays; hours 09:00–18:00.
SPECS = [
    Spec(
        "ws", "petrov", at(9, 14, 10), S.CLOSED, at(9, 14, 12), at(9, 14, 16), at(9, 14, 11), at(9, 14, 15), 5
    ),
    Spec(
        "ws",
        "petrov",
        at(9, 15, 10),
        S.CLOSED,
        at(9, 15, 11),
        at(9, 15, 14),
        at(9, 15, 12),
        at(9, 16, 10),
        3,
        paused_minutes=60,
    ),
    Spec(
        "ws", "sidorov", at(10, 5, 9), S.RESOLVED, at(10, 5, 11), at(10, 5, 13), at(10, 5, 10), at(10, 5, 12)
    ),
    Spec("av", None, at(10, 6, 9), S.NEW, at(10, 6, 11), at(10, 6, 13)),  # breached twice, open
    Spec("av", "sidorov", at(10, 7, 9), S.WAITING, at(10, 7, 11), at(10, 7, 13), at(10, 7, 9), paused=True),
    Spec("av", "petrov", at(10, 30, 9), S.CANCELLED, at(10, 30, 11), at(10, 30, 13)),  # left out
    Spec(
        "ws", "petrov", at(8, 20, 9), S.CLOSED, at(8, 20, 11), at(8, 20, 13), at(8, 20, 10), at(8, 20, 11), 1
    ),
]


def expected(calendar: WorkCalendar, specs: list[Spec], key) -> dict:  # type: ignore[no-untyped-def]
    """The figures by hand: stopped clocks and breached open ones count, running ones do not."""
    start, end = at(9, 1, 0), at(11, 1, 0)
    out: dict = {}
    for s in specs:
        if not start <= s.created < end or s.status == S.CANCELLED:
            continue
        g = out.setdefault(
            key(s), {"n": 0, "rm": 0, "rc": 0, "sm": 0, "sc": 0, "react": [], "res": [], "rate": []}
        )
        g["n"] += 1
        running = s.status in (S.NEW, S.IN_WORK, S.WAITING) and not s.paused
        if s.responded is not None:
            g["rc"] += 1
            g["rm"] += s.responded <= s.reaction_due
            g["react"].append(calendar.working_minutes(s.created, s.responded))
        elif running and s.reaction_due < NOW:
            g["rc"] += 1
        if s.resolved is not None:
            g["sc"] += 1
            g["sm"] += s.resolved <= s.resolution_due
            g["res"].append(calendar.working_minutes(s.created, s.resolved) - s.paused_minutes)
        elif running and s.resolution_due < NOW:
            g["sc"] += 1
        if s.rating is not None:
            g["rate"].append(s.rating)
    return out


def pct(met: int, counted: int) -> float | None:
    return round(100 * met / counted, 1) if counted else None


def mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


async def make_data(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    await make_user(factory, "slaboss", PASSWORD, ["manager"], full_name="Глава")
    await make_user(factory, "slaworker", PASSWORD, ["executor"], full_name="Рядовой")
    sys = Actor.system("test")
    async with factory() as session:
        dept = await staff.create_department(session, sys, "Отдел ИТ")
        petrov = await staff.create_user(session, sys, full_name="Петров", department_id=dept.id)
        sidorov = await staff.create_user(session, sys, full_name="Сидоров", department_id=dept.id)
        ws = ServiceTopic(code="ws", name_ru="Рабочее место", name_en="Workplace", department_id=dept.id)
        av = ServiceTopic(
            code="av", name_ru="Мультимедиа в залах", name_en="Meeting rooms", department_id=dept.id
        )
        session.add_all([ws, av])
        await session.flush()
        ids = {"ws": ws.id, "av": av.id, "petrov": petrov.id, "sidorov": sidorov.id}
        for n, s in enumerate(SPECS, start=1):
            session.add(
                ServiceRequest(
                    year=2026, seq=n, number=f"2026-{n:04d}", topic_id=ids[s.topic], subject=f"Заявка {n}",
                    status=s.status, department_id=dept.id, assignee_id=ids.get(s.assignee or ""),
                    created_at=s.created, updated_at=s.created, reaction_target_min=120,
                    resolution_target_min=240, reaction_due_at=s.reaction_due,
                    resolution_due_at=s.resolution_due,
                    first_response_at=s.responded, resolved_at=s.resolved,
                    reaction_met=None if s.responded is None else s.responded <= s.reaction_due,
                    resolution_met=None if s.resolved is None else s.resolved <= s.resolution_due,
                    rating=s.rating, paused_minutes=s.paused_minutes,
                    paused_at=s.created + timedelta(hours=1) if s.paused else None,
                    cancelled_at=s.created if s.status == S.CANCELLED else None,
                )
            )  # fmt: skip
        await session.commit()
        return ids


def check(rows: list[compliance.Row], want: dict, keys: dict) -> None:  # type: ignore[type-arg]
    got = {r.key: r for r in rows}
    assert set(got) == {keys.get(k, k) for k in want}
    for k, g in want.items():
        row = got[keys.get(k, k)]
        assert row.requests == g["n"]
        assert (row.reaction_pct, row.resolution_pct) == (pct(g["rm"], g["rc"]), pct(g["sm"], g["sc"]))
        assert row.avg_react_minutes == mean(g["react"]) and row.avg_resolve_minutes == mean(g["res"])
        assert row.avg_rating == mean(g["rate"])


async def test_figures_page_and_xlsx(
    client: TestClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await make_data(session_factory)
    calendar = WorkCalendar(tz=MSK)
    async with session_factory() as session:
        for group, key in (
            (compliance.TOPIC, lambda s: s.topic),
            (compliance.ASSIGNEE, lambda s: s.assignee),
            (compliance.MONTH, lambda s: s.created.astimezone(MSK).strftime("%Y-%m")),
        ):
            rows = await compliance.compliance(session, calendar, at(9, 1, 0), at(11, 1, 0), NOW, group=group)
            check(rows, expected(calendar, SPECS, key), ids)
        # Open and past due right now: the new one (both clocks); the waiting one is paused.
        assert await compliance.breached_open(session, NOW) == 1

    await login(client, "slaworker", PASSWORD)
    assert (await client.get(f"/service-desk/compliance?{PERIOD}")).status == 403
    assert (await client.get(f"/service-desk/compliance.xlsx?{PERIOD}")).status == 403
    client.session.cookie_jar.clear()
    await login(client, "slaboss", PASSWORD)
    html = await (await client.get(f"/service-desk/compliance?{PERIOD}")).text()
    assert "Соблюдение SLA" in html and "Мультимедиа в залах" in html and "Сидоров" in html
    everything = expected(calendar, SPECS, lambda s: "all")["all"]
    assert f'id="sla-requests"><span class="num">{everything["n"]}<' in html

    response = await client.get(f"/service-desk/compliance.xlsx?{PERIOD}")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await response.read()))
    assert wb.sheetnames == ["По темам", "По исполнителям", "По месяцам"]
    topics = wb["По темам"]
    assert [c.value for c in topics[2]][:3] == ["Тема", "Заявки", "Реакция в срок"]
    assert [c.value for c in topics[3]][:4] == [
        "Итого",
        everything["n"],
        pct(everything["rm"], everything["rc"]),
        pct(everything["sm"], everything["sc"]),
    ]
    by_topic = expected(calendar, SPECS, lambda s: s.topic)
    lines = {r[0].value: [c.value for c in r[1:]] for r in topics.iter_rows(min_row=4)}
    assert lines["Рабочее место"][0] == by_topic["ws"]["n"]
    assert lines["Рабочее место"][5] == round(mean(by_topic["ws"]["rate"]), 2)
    months = {r[0].value for r in wb["По месяцам"].iter_rows(min_row=4)}
    assert months == {"2026-09", "2026-10"}
