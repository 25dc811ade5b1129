"""Nothing slow on the event loop (issue #18): the panel's analytics page, its charts and the XLSX
exports are rendered in the render pool, and the loop never stalls for more than 50 ms meanwhile."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment
from models.enums import AssignmentStatus as S
from porucheno.collector import serving_collector
from services import staff
from services.audit import Actor
from services.offload import Offload
from tests.bulk_appeals import add_appeals
from tests.loop_guard import LoopGuard, responsive
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, AppFactory, login, make_user

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]
PASSWORD = "offload-pass-12345"


async def _data(factory: async_sessionmaker[AsyncSession]) -> None:
    await make_user(factory, "boss", PASSWORD, ["manager"], full_name="Глава Администрации")
    sys = Actor.system("test")
    async with factory() as session:
        people = []
        for d in range(6):
            dept = await staff.create_department(session, sys, f"Отдел {d}")
            for p in range(4):
                people.append(
                    await staff.create_user(
                        session, sys, full_name=f"Сотрудник {d}-{p}", department_id=dept.id
                    )
                )
        start = datetime(2026, 9, 1, 9, tzinfo=UTC)
        rows = []
        for i in range(400):
            who = people[i % len(people)]
            created = start + timedelta(hours=7 * i)
            done = created + timedelta(days=i % 9) if i % 3 else None
            rows.append(
                Assignment(
                    title=f"Поручение {i}",
                    status=S.DONE if done else S.IN_PROGRESS,
                    executor_id=who.id,
                    department_id=who.department_id,
                    created_at=created,
                    deadline=created + timedelta(days=5),
                    done_at=done,
                )
            )
        session.add_all(rows)
        await session.commit()


def _compute(seconds: float) -> int:
    """Hold the loop computing, as a chart drawn on it would; how many rounds it computed."""
    import time

    end = time.process_time() + seconds
    rounds = 0
    while time.process_time() < end:
        rounds += 1
    return rounds


async def test_the_guard_sees_a_blocked_loop() -> None:
    async with LoopGuard() as guard:
        assert _compute(0.12) > 0
    assert guard.worst >= 0.1
    with pytest.raises(AssertionError, match="blocked"):
        await responsive(lambda _attempt: _block(), attempts=2)


async def _block() -> None:
    _compute(0.08)


async def test_analytics_charts_and_exports_leave_the_loop_free(
    app_factory: AppFactory, session_factory: async_sessionmaker[AsyncSession], render_pool: Offload
) -> None:
    await _data(session_factory)
    await render_pool.warm()  # the worker's first start is slow (off the loop too, but not measured here)
    render_pool.clear()  # the pool serves the whole session: the other backend's run drew the same
    async with TestClient(TestServer(app_factory(offload=render_pool), host="127.0.0.1")) as client:
        await login(client, "boss", PASSWORD)
        warm = "from=2026-09-01&to=2026-09-30"
        for path in ("/analytics", "/analytics/trend.png", "/analytics/breakdown.png", "/analytics/kpi.xlsx"):
            assert (await client.get(f"{path}?{warm}")).status == 200  # compiled queries, loaded templates

        async def panel(attempt: int) -> None:
            query = f"from=2026-10-01&to=2026-11-{20 + attempt}"  # new inputs: nothing comes from the cache
            misses = render_pool.misses
            page = await client.get(f"/analytics?{query}")
            assert page.status == 200
            for path, kind in (
                ("/analytics/trend.png", "image/png"),
                ("/analytics/breakdown.png", "image/png"),
            ):
                response = await client.get(f"{path}?{query}")
                assert response.status == 200 and response.content_type == kind
                assert (await response.read()).startswith(b"\x89PNG")
            xlsx = await client.get(f"/analytics/kpi.xlsx?{query}")
            assert load_workbook(io.BytesIO(await xlsx.read())).sheetnames
            listed = await client.get(f"/projects/export.xlsx?q=x{attempt}")
            assert listed.status == 200
            # Drawn in the pool, not served from the cache: the trend and the workbook (its period line)
            # always differ; the breakdown and the empty project list may repeat an earlier attempt.
            assert render_pool.misses >= misses + 2

        await responsive(panel)
        # The same page again: the charts come from the cache, nothing is redrawn.
        hits = render_pool.hits
        for path in ("/analytics/trend.png", "/analytics/breakdown.png"):
            assert (await client.get(f"{path}?from=2026-10-01&to=2026-11-20")).status == 200
        assert render_pool.hits == hits + 2


EXPORTED = 10_000


@pytest.fixture
def frozen_startup() -> Iterator[None]:
    """The collector as the running service has it (``serve``): what start-up built is frozen out of
    its way (else a full collection here would walk the whole test process), young passes rarer."""
    with serving_collector():
        yield


async def test_a_long_export_leaves_the_loop_free(
    app_factory: AppFactory,
    session_factory: async_sessionmaker[AsyncSession],
    render_pool: Offload,
    frozen_startup: None,
) -> None:
    """10,000 appeals as CSV: loaded in parts, their rows made a part at a time, the file written in
    the render pool. Loaded in one statement, the same list held the loop for 150–400 ms."""
    await make_user(session_factory, "clerk", PASSWORD, ["clerk"], full_name="Делопроизводитель")
    now = datetime.now(UTC)
    async with session_factory() as session:
        await add_appeals(
            session,
            EXPORTED,
            now,
            registered_step=timedelta(minutes=1),
            subject=lambda i: f"Обращение {i}",
            text=lambda _i: "Прошу отремонтировать дорогу у дома",
        )
        await session.commit()
    await render_pool.warm()
    async with TestClient(TestServer(app_factory(offload=render_pool), host="127.0.0.1")) as client:
        await login(client, "clerk", PASSWORD)
        assert (await client.get("/appeals/export.csv?sort=number")).status == 200  # compiled, warmed

        async def export(attempt: int) -> None:
            # Another order each time: nothing comes from the render pool's cache.
            order = ("registered", "number", "due")[attempt % 3]
            response = await client.get(f"/appeals/export.csv?sort={order}&dir=desc")
            assert response.status == 200
            lines = (await response.read()).decode("utf-8-sig").splitlines()
            assert len(lines) == EXPORTED + 1
            if order != "due":
                assert lines[1].startswith("2026-000001;") == (order == "registered")
                assert lines[1].startswith("2026-010000;") == (order == "number")

        await responsive(export)
