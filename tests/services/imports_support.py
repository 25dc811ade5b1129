"""Helpers for the import tests: write a CSV or XLSX file, run an import kind on it."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import Actor
from services.imports import ImportReport, run_import

ACTOR = Actor.system("test-import")
TZ = ZoneInfo("Europe/Moscow")


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ";") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


async def run(
    session: AsyncSession, kind: str, path: Path, *, dry_run: bool = False, chunk_rows: int = 1000
) -> ImportReport:
    return await run_import(session, kind, path, actor=ACTOR, tz=TZ, dry_run=dry_run, chunk_rows=chunk_rows)


def reasons(report: ImportReport) -> list[tuple[int, str]]:
    return [(r.row, r.text("ru")) for r in report.rejected]
