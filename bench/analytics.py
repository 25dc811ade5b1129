"""Benchmark: KPI and the daily digest at 1,000,000 assignments and 300,000 appeals over 3 years.

Usage: python bench/analytics.py [--rows N] [--appeals N] [--backend sqlite|postgresql|both] [--runs K]
Prints one JSON object per backend. Target (issue #6): each operation under 1 s on SQLite and under
300 ms on PostgreSQL; the "contains" search (``search``, issue #18) under 100 ms on PostgreSQL, timed
after the migration's trigram indexes are built.
"""

from __future__ import annotations

import asyncio
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
from bench._search import count_results, search_results, trigram_indexes
from models import (
    Appeal,
    Assignment,
    AuditEvent,
    Correspondent,
    Department,
    ExtensionRequest,
    User,
    utcnow,
)
from models.db import create_engine, create_session_factory
from services.analytics.appeals_kpi import appeal_kpi
from services.analytics.digest import build_digest
from services.analytics.kpi import GroupBy, Scope, assignment_kpi, assignment_kpi_by
from services.notify import NoticeContext

USERS = 500
DEPARTMENTS = 20
CORRESPONDENTS = 50_000
SPAN = timedelta(days=3 * 365)
OPEN = ["new", "acknowledged", "in_progress", "on_review", "returned"]
CHANNELS = ["telegram", "email", "web", "open311", "paper"]
CHUNK = 20_000
SEARCH_TARGET_MS = 100.0  # issue #18: title / name search on PostgreSQL (pg_trgm)


async def _insert(engine: AsyncEngine, model: type, rows: list[dict]) -> None:  # type: ignore[type-arg]
    async with engine.begin() as conn:
        await conn.execute(insert(model), rows)


async def load(engine: AsyncEngine, rows: int, appeals: int) -> float:
    started = time.perf_counter()
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    await _insert(engine, Department, [{"name": f"Отдел {i}"} for i in range(DEPARTMENTS)])
    await _insert(
        engine,
        User,
        [{"full_name": f"Сотрудник {i}", "department_id": i % DEPARTMENTS + 1} for i in range(USERS)],
    )
    rnd = random.Random(7)
    now = utcnow()
    for start in range(0, rows, CHUNK):
        batch, events, extensions = [], [], []
        for i in range(start, min(start + CHUNK, rows)):
            created = now - SPAN + timedelta(seconds=rnd.randint(0, int(SPAN.total_seconds())))
            deadline = created + timedelta(days=rnd.randint(1, 30))
            executor = rnd.randint(1, USERS)
            done_at = None
            status = rnd.choice(OPEN)
            if deadline < now - timedelta(days=30) or rnd.random() < 0.5:
                done_at = created + timedelta(hours=rnd.randint(1, 40 * 24))
                status = "done" if done_at < now else status
                done_at = done_at if done_at < now else None
            batch.append(
                {
                    "id": i + 1,
                    "title": f"Поручение {i}",
                    "text": "",
                    "status": status,
                    "priority": "normal",
                    "author_id": rnd.randint(1, USERS),
                    "executor_id": executor,
                    "department_id": (executor - 1) % DEPARTMENTS + 1,
                    "deadline": deadline,
                    "created_at": created,
                    "updated_at": created,
                    "done_at": done_at,
                    "returns_count": 0,
                    "version": 1,
                }
            )
            if rnd.random() < 0.1:
                events.append(
                    {
                        "at": created + timedelta(days=1),
                        "actor_user_id": rnd.randint(1, USERS),
                        "entity_type": "assignment",
                        "entity_id": i + 1,
                        "action": rnd.choice(["return", "return", "decline"]),
                    }
                )
            if rnd.random() < 0.05:
                extensions.append(
                    {
                        "assignment_id": i + 1,
                        "old_deadline": deadline,
                        "new_deadline": deadline + timedelta(days=7),
                        "reason": "",
                        "status": rnd.choice(["approved", "rejected"]),
                        "created_at": created + timedelta(hours=12),
                    }
                )
        await _insert(engine, Assignment, batch)
        if events:
            await _insert(engine, AuditEvent, events)
        if extensions:
            await _insert(engine, ExtensionRequest, extensions)
    await _insert(
        engine,
        Correspondent,
        [{"name": f"Житель {i}", "name_search": f"житель {i}"} for i in range(CORRESPONDENTS)],
    )
    seq: dict[int, int] = {}
    for start in range(0, appeals, CHUNK):
        batch = []
        for _ in range(start, min(start + CHUNK, appeals)):
            registered = now - SPAN + timedelta(seconds=rnd.randint(0, int(SPAN.total_seconds())))
            year = registered.year
            seq[year] = seq.get(year, 0) + 1
            answered = registered + timedelta(days=rnd.randint(1, 40))
            answered = answered if answered < now else None
            batch.append(
                {
                    "reg_year": year,
                    "reg_seq": seq[year],
                    "reg_number": f"{year}-{seq[year]:06d}",
                    "channel": rnd.choice(CHANNELS),
                    "correspondent_id": rnd.randint(1, CORRESPONDENTS),
                    "category_id": None,
                    "text": "",
                    "status": "answered" if answered else "in_work",
                    "registered_at": registered,
                    "due_at": registered + timedelta(days=30),
                    "answered_at": answered,
                }
            )
        await _insert(engine, Appeal, batch)
    if engine.dialect.name == "postgresql":
        # The steady state autovacuum keeps: statistics and the visibility map (index-only scans).
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def bench(url: str, backend: str, rows: int, appeals: int, runs: int) -> dict[str, object]:
    engine = create_engine(url)
    load_s = await load(engine, rows, appeals)
    factory = create_session_factory(engine)
    ctx = NoticeContext()
    now = utcnow()
    year_start, year_end = now - timedelta(days=365), now

    async def organisation_year() -> None:
        async with factory() as session:
            await assignment_kpi(session, year_start, year_end, now=now)
            await appeal_kpi(session, year_start, year_end, now=now)

    async def department_year() -> None:
        async with factory() as session:
            await assignment_kpi(session, year_start, year_end, now=now, scope=Scope(department_id=3))

    async def departments_breakdown_year() -> None:
        async with factory() as session:
            await assignment_kpi_by(session, year_start, year_end, now=now, group=GroupBy.DEPARTMENT)

    async def daily_digest() -> None:
        async with factory() as session:
            await build_digest(session, ctx, now=now)

    async def department_digest() -> None:
        async with factory() as session:
            await build_digest(session, ctx, now=now, scope=Scope(department_id=3))

    results = {
        "organisation_kpi_year": await timed(organisation_year, runs),
        "department_kpi_year": await timed(department_year, runs),
        "kpi_by_department_year": await timed(departments_breakdown_year, runs),
        "daily_digest_organisation": await timed(daily_digest, runs),
        "daily_digest_department": await timed(department_digest, runs),
    }
    trgm_s = await trigram_indexes(engine)
    # A fragment a clerk types: a few rows match out of a million (12345, 123450..123459).
    # The worst case: a word in every title (the seeded titles are "Поручение N").
    search = await search_results(
        factory, runs, title="Поручение 12345", name="Житель 4242", common_title="Поручение"
    )
    totals = await count_results(factory, runs, title="Поручение 12345", common_title="Поручение")
    await engine.dispose()
    target = 1000.0 if backend == "sqlite" else 300.0
    return {
        "benchmark": "analytics",
        "backend": backend,
        "assignments": rows,
        "appeals": appeals,
        "load_seconds": round(load_s, 1),
        "results": results,
        "target_ms": target,
        "median_to_target": median_to_target(results, target),
        "trigram_index_seconds": round(trgm_s, 1),
        "search": search,
        "search_target_ms": SEARCH_TARGET_MS,
        "search_median_to_target": median_to_target(search, SEARCH_TARGET_MS),
        "search_totals": totals,
    }


async def main() -> None:
    parser = rows_parser(__doc__, runs=7)
    parser.add_argument("--appeals", type=int, default=300_000)
    args = parser.parse_args()
    await run_backends(
        "analytics",
        args.backend,
        lambda url, backend: bench(url, backend, args.rows, args.appeals, args.runs),
    )


if __name__ == "__main__":
    asyncio.run(main())
