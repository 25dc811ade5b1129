"""The render pool (services/offload.py) and the daily digest job with a chart and the weekly XLSX:
rendered in another process, cached by their inputs, and the event loop never held over 50 ms."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Assignment, OutboxMessage
from models.enums import AssignmentStatus as S
from models.enums import Role
from porucheno.settings import Settings
from scheduler import jobs
from services import staff
from services.audit import Actor
from services.notify import NoticeContext
from services.offload import Offload


def _pid(_x: int) -> bytes:
    return str(os.getpid()).encode()


async def test_rendering_runs_in_another_process_and_is_cached(render_pool: Offload) -> None:
    pid = await render_pool.run(_pid, 1)
    assert int(pid) != os.getpid()
    hits = render_pool.hits
    assert await render_pool.run(_pid, 1) == pid
    assert render_pool.hits == hits + 1


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "State:\tZ" in status.read()  # exited, not yet reaped by the fork server
    except FileNotFoundError:
        return True


async def test_an_idle_worker_stops_and_the_next_chart_starts_one_again() -> None:
    """The worker holds matplotlib and openpyxl (80 MB and more): nobody drawing for a while frees it."""
    pool = Offload(idle_seconds=0.3)
    try:
        first = int(await pool.run(_pid, 1))
        assert not _gone(first)
        for _ in range(100):
            if _gone(first):
                break
            await asyncio.sleep(0.1)
        assert _gone(first)
        second = int(await pool.run(_pid, 2))  # a new input: not the cache
        assert second not in (first, os.getpid()) and not _gone(second)
    finally:
        pool.close()


async def test_identical_requests_share_one_rendering_and_the_cache_is_bounded() -> None:
    pool = Offload(processes=False, cache_entries=2)
    import asyncio

    first, second = await asyncio.gather(pool.run(_pid, 2), pool.run(_pid, 2))
    assert first == second and pool.misses == 1
    for n in (3, 4, 5):
        await pool.run(_pid, n)
    assert len(pool._cache) == 2


def test_importing_the_service_does_not_import_matplotlib_or_openpyxl() -> None:
    import subprocess

    code = (
        "import sys, porucheno.runtime, porucheno.cli; "
        "print(sorted(m for m in ('matplotlib', 'openpyxl', 'docx', 'fpdf', 'zxcvbn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


async def _town(factory: async_sessionmaker[AsyncSession]) -> None:
    sys_actor = Actor.system("test")
    async with factory() as session:
        dept = await staff.create_department(session, sys_actor, "Отдел ЖКХ")
        boss = await staff.create_user(
            session, sys_actor, full_name="Глава", roles=[Role.MANAGER], telegram_id=730_000_001
        )
        worker = await staff.create_user(session, sys_actor, full_name="Иванов Иван", department_id=dept.id)
        start = datetime(2026, 10, 1, 9, tzinfo=UTC)
        for i in range(300):
            created = start + timedelta(hours=6 * i)
            done = created + timedelta(days=i % 7) if i % 4 else None
            session.add(
                Assignment(
                    title=f"Поручение {i}",
                    status=S.DONE if done else S.NEW,
                    author_id=boss.id,
                    executor_id=worker.id,
                    department_id=dept.id,
                    created_at=created,
                    deadline=created + timedelta(days=4),
                    done_at=done,
                )
            )
        await session.commit()


async def test_digest_job_with_chart_and_xlsx_leaves_the_loop_free(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    render_pool: Offload,
    tmp_path: Path,
) -> None:
    from tests.loop_guard import responsive

    await _town(session_factory)
    await render_pool.warm()
    render_pool.clear()  # the pool serves the whole session: the other backend's run drew the same
    ctx = NoticeContext.from_settings(settings)
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)  # 12:00 in Moscow, a Monday: the weekly report too
    # A first run outside the guard: SQLAlchemy compiles its statements once per process.
    await jobs.digests(session_factory, ctx, tmp_path, time(8, 30), 1, now=monday - timedelta(days=7))

    async def job(attempt: int) -> None:
        misses = render_pool.misses
        now = monday + timedelta(days=7 * (attempt + 1))  # a new day and week: new figures, no cache
        queued = await jobs.digests(
            session_factory, ctx, tmp_path, time(8, 30), 1, now=now, offload=render_pool
        )
        assert queued == 2  # the daily digest (with its chart) and the weekly XLSX
        assert render_pool.misses == misses + 2

    await responsive(job)
    async with session_factory() as session:
        methods = set(await session.scalars(select(OutboxMessage.method).distinct()))
        assert {"sendPhoto", "sendDocument"} <= methods
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) >= 4
