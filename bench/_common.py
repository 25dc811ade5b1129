"""What every benchmark script shares: timing, and running once per backend on a throwaway database.

Each script passes its own ``bench(url, backend)`` coroutine; the SQLite run uses a temporary file,
the PostgreSQL run a fresh schema that is dropped afterwards (or a "skipped" line when no server answers).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from models.db import create_engine

PG_URL = os.environ.get("PORUCHENO_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")

Bench = Callable[[str, str], Awaitable[dict[str, object]]]


def rows_parser(description: str | None, *, runs: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: how many assignments, which backend, how many timed runs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=runs)
    return parser


async def timed(fn: Callable[[], Awaitable[None]], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(samples), 2), "max_ms": round(max(samples), 2)}


def median_to_target(results: dict[str, dict[str, float]], target: float) -> dict[str, float]:
    return {k: round(r["median_ms"] / target, 3) for k, r in results.items()}


async def run_backends(benchmark: str, backend: str, bench: Bench) -> None:
    """Run ``bench`` on the chosen backend(s) and print one JSON line per backend."""
    if backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            print(json.dumps(await bench(url, "sqlite"), ensure_ascii=False), flush=True)
    if backend in ("postgresql", "both"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL)
        try:
            async with admin.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # no server: say so instead of failing the whole run
            print(json.dumps({"benchmark": benchmark, "backend": "postgresql", "skipped": str(exc)}))
            await admin.dispose()
            return
        try:
            url = f"{PG_URL}?search_path={schema}"
            print(json.dumps(await bench(url, "postgresql"), ensure_ascii=False), flush=True)
        finally:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
