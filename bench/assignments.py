"""Benchmark: the deadline-scan job and the "my assignments" page at 1,000,000 assignments.

Usage: python bench/assignments.py [--rows N] [--backend sqlite|postgresql|both] [--runs K]
Prints one JSON object per backend. Target (issue #3): each operation under 100 ms per run on SQLite.
Each timed run is rolled back, so every run does the same work (nothing is "already nudged").
"""

from __future__ import annotations

import asyncio
import gc
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

import models
from bench._common import median_to_target, rows_parser, run_backends, timed
from models import Assignment, Department, User, utcnow
from models.db import create_engine, create_session_factory
from services.assignments import deadlines, queries
from services.notify import NoticeContext

USERS = 500
DEPARTMENTS = 20
OPEN = ["new", "acknowledged", "in_progress", "on_review", "returned"]


async def load(engine: AsyncEngine, rows: int) -> float:
    started = time.perf_counter()
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
        await conn.execute(insert(Department), [{"name": f"Отдел {i}"} for i in range(DEPARTMENTS)])
        await conn.execute(
            insert(User),
            [
                {
                    "full_name": f"Сотрудник {i}",
                    "department_id": i % DEPARTMENTS + 1,
                    "telegram_id": 10_000 + i,
                }
                for i in range(USERS)
            ],
        )
    rnd = random.Random(42)
    now = utcnow()
    chunk = 20_000
    for start in range(0, rows, chunk):
        batch = []
        for i in range(start, min(start + chunk, rows)):
            deadline = now + timedelta(minutes=rnd.randint(-3 * 365 * 24 * 60, 30 * 24 * 60))
            is_open = (deadline > now - timedelta(days=30) and rnd.random() < 0.6) or rnd.random() < 0.02
            executor = rnd.randint(1, USERS)
            batch.append(
                {
                    "title": f"Поручение {i}",
                    "text": "",
                    "status": rnd.choice(OPEN) if is_open else "done",
                    "priority": "normal",
                    "author_id": rnd.randint(1, USERS),
                    "controller_id": rnd.randint(1, USERS),
                    "executor_id": executor,
                    "department_id": (executor - 1) % DEPARTMENTS + 1,
                    "deadline": deadline,
                    "created_at": deadline - timedelta(days=7),
                    "updated_at": deadline - timedelta(days=7),
                    "returns_count": 0,
                    "version": 1,
                }
            )
        async with engine.begin() as conn:
            await conn.execute(insert(Assignment), batch)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))
        else:
            await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def bench(url: str, backend: str, rows: int, runs: int) -> dict[str, object]:
    engine = create_engine(url)
    load_s = await load(engine, rows)
    # As the service does once started (porucheno/runtime.py): what lives on is frozen, so the
    # collector does not walk it on every full collection during the timed runs.
    gc.collect()
    gc.freeze()
    factory = create_session_factory(engine)
    ctx = NoticeContext()
    policy = deadlines.NudgePolicy(quiet_start=deadlines.time(0, 0), quiet_end=deadlines.time(0, 0))
    now = utcnow()
    async with factory() as session:
        busiest = (
            await session.execute(
                text(
                    "select executor_id from assignments where status in ('new','acknowledged','in_progress',"
                    "'on_review','returned') group by executor_id order by count(*) desc limit 1"
                )
            )
        ).scalar_one()
        user = await session.get(User, busiest)
    assert user is not None
    scan_counts: dict[str, int] = {}

    async def scan_cold() -> None:
        """First run after a long outage: every nudge in the 24 h window is due at once."""
        async with factory() as session:
            result = await deadlines.scan(session, ctx, policy, now)
            scan_counts.update(reminders=result.reminders, at_deadline=result.deadline_notices)
            await session.rollback()

    async def scan_steady() -> None:
        """The job's normal run, 5 minutes after the previous one (which is committed once below)."""
        async with factory() as session:
            result = await deadlines.scan(session, ctx, policy, now + timedelta(minutes=5))
            scan_counts.update(steady_reminders=result.reminders, steady_at_deadline=result.deadline_notices)
            await session.rollback()

    async def my_page() -> None:
        async with factory() as session:
            page = await queries.my_assignments(session, user, now=now)
            assert page.items

    async def my_overdue_page() -> None:
        async with factory() as session:
            await queries.my_assignments(session, user, queries.ListFilter.OVERDUE, now=now)

    async def control_page() -> None:
        async with factory() as session:
            await queries.under_control(session, user, now=now)

    results = {"deadline_scan_cold": await timed(scan_cold, runs)}
    async with factory() as session:
        await deadlines.scan(session, ctx, policy, now)
        await session.commit()
    results |= {
        "deadline_scan_steady": await timed(scan_steady, runs),
        "my_assignments_page": await timed(my_page, runs),
        "my_overdue_page": await timed(my_overdue_page, runs),
        "under_control_page": await timed(control_page, runs),
    }
    await engine.dispose()
    target = 100.0
    return {
        "benchmark": "assignments",
        "backend": backend,
        "rows": rows,
        "load_seconds": round(load_s, 1),
        "scan_found": scan_counts,
        "results": results,
        "target_ms": target,
        "median_to_target": median_to_target(results, target),
    }


async def main() -> None:
    args = rows_parser(__doc__, runs=15).parse_args()
    await run_backends(
        "assignments", args.backend, lambda url, backend: bench(url, backend, args.rows, args.runs)
    )


if __name__ == "__main__":
    asyncio.run(main())
