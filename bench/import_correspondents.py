"""Benchmark: importing 100,000 correspondents from CSV (and optionally XLSX), first run and re-run.

Usage: python bench/import_correspondents.py [--rows N] [--backend sqlite|postgresql|both] [--xlsx]
Prints one JSON object per backend (run one backend per process for a clean memory figure: the peak
RSS of a process only grows). Targets we set: a first import of 100,000 rows within 180 s and at most
200 MB of extra peak memory (RSS growth), i.e. "minutes, constant memory"; ratios below 1 meet them.
"""

from __future__ import annotations

import asyncio
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

import models
from bench._common import rows_parser, run_backends
from models import Correspondent
from models.db import create_engine, create_session_factory
from services.audit import Actor
from services.imports import run_import

TARGET_SECONDS = 180.0
TARGET_RSS_MB = 200.0
HEADER = ["ФИО", "Тип", "Телефон", "Эл. почта", "Почтовый адрес", "ИНН", "Код"]


def row(i: int) -> list[str]:
    organisation = i % 10 == 0
    return [
        f"ООО «Ромашка-{i}»" if organisation else f"Иванов{i} Иван Петрович",
        "организация" if organisation else "гражданин",
        f"+7 916 {i // 10000 % 1000:03d}-{i // 100 % 100:02d}-{i % 100:02d}" if i % 3 else "",
        f"person{i}@example.ru" if i % 2 else "",
        f"г. Энск, ул. Ленина, д. {i % 200 + 1}, кв. {i % 90 + 1}",
        f"77{i:08d}" if organisation else "",
        f"C-{i:07d}",
    ]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow(row(i))


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(row(i))
    workbook.save(path)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


async def one_run(url: str, path: Path, *, dry_run: bool = False) -> dict[str, float | int]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            before, started = rss_mb(), time.perf_counter()
            report = await run_import(
                session,
                "correspondents",
                path,
                actor=Actor.system("bench"),
                tz=ZoneInfo("Europe/Moscow"),
                dry_run=dry_run,
            )
            seconds = time.perf_counter() - started
            count = await session.scalar(select(func.count()).select_from(Correspondent))
        return {
            "seconds": round(seconds, 2),
            "rows_per_s": round(report.rows / seconds),
            "created": report.created,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
            "in_db": int(count or 0),
            "peak_rss_growth_mb": round(rss_mb() - before, 1),
        }
    finally:
        await engine.dispose()


async def main() -> None:
    parser = rows_parser(__doc__, runs=1)
    parser.set_defaults(rows=100_000)
    parser.add_argument("--xlsx", action="store_true", help="also import the same rows from XLSX")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "correspondents.csv"
        await asyncio.to_thread(write_csv, csv_path, args.rows)
        xlsx_path = Path(tmp) / "correspondents.xlsx"
        if args.xlsx:
            await asyncio.to_thread(write_xlsx, xlsx_path, args.rows)

        async def bench(url: str, backend: str) -> dict[str, object]:
            engine = create_engine(url)
            async with engine.begin() as conn:
                await conn.run_sync(models.Base.metadata.create_all)
            await engine.dispose()
            start_rss = rss_mb()
            first = await one_run(url, csv_path)
            rerun = await one_run(url, csv_path)
            result: dict[str, object] = {
                "benchmark": "import_correspondents",
                "backend": backend,
                "rows": args.rows,
                "csv_mb": round(csv_path.stat().st_size / 1024 / 1024, 1),
                "first_import": first,
                "re_run": rerun,
            }
            if args.xlsx:
                result["xlsx_re_run"] = await one_run(url, xlsx_path)
            growth = rss_mb() - start_rss
            result["peak_rss_growth_mb"] = round(growth, 1)
            result["ratio_to_target"] = {
                "seconds": round(float(first["seconds"]) / TARGET_SECONDS, 3),
                "memory": round(growth / TARGET_RSS_MB, 3),
            }
            return result

        await run_backends("import_correspondents", args.backend, bench)


if __name__ == "__main__":
    asyncio.run(main())
