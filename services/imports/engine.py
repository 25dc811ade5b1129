"""Running an import: rows streamed in chunks, each chunk one transaction.

A real run commits every chunk (a crash keeps what was done, and a re-run updates instead of
duplicating, by the kinds' external keys); a dry run rolls every chunk back, so nothing is written.
Reading the spreadsheet happens in a worker thread one chunk at a time, so the event loop stays
responsive and memory stays flat however large the file is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import Actor, record
from services.errors import InvalidInput
from services.imports.base import ChunkContext, ImportKind
from services.imports.columns import Rejected, map_columns
from services.imports.kinds import KINDS
from services.imports.reader import open_rows
from services.imports.report import ImportReport

CHUNK_ROWS = 1000
Progress = Callable[[int, int | None], Awaitable[None] | None]  # (rows done, total estimate)


def get_kind(name: str) -> ImportKind:
    kind = KINDS.get(name)
    if kind is None:
        raise InvalidInput('Unknown import kind "%(kind)s".', kind=name)
    return kind


async def run_import(
    session: AsyncSession,
    kind_name: str,
    path: Path,
    *,
    actor: Actor,
    tz: ZoneInfo,
    dry_run: bool,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    term_rule: str = "previous",
) -> ImportReport:
    """Import ``path`` as ``kind_name``. The session must have no open transaction worth keeping:
    this function commits (or, in a dry run, rolls back) after every chunk."""
    kind = get_kind(kind_name)
    source = await asyncio.to_thread(open_rows, path)
    report = ImportReport(kind=kind.name, dry_run=dry_run, format=source.format)
    ctx = ChunkContext(
        session=session, actor=actor, report=report, tz=tz, dry_run=dry_run, term_rule=term_rule
    )
    try:
        columns = map_columns(source.header, kind.columns)
        titles = {c.key: c.title for c in kind.columns}
        while chunk := await asyncio.to_thread(source.next_chunk, chunk_rows):
            parsed: list[tuple[int, object]] = []
            for number, raw in chunk:
                cells = {key: raw[i] if i < len(raw) else None for key, i in columns.items()}
                try:
                    parsed.append((number, kind.parse(cells, ctx)))
                except Rejected as exc:
                    if "column" in exc.params:  # shown by its title, in the reader's language
                        exc.params["column"] = titles.get(exc.params["column"], exc.params["column"])
                    report.reject(number, exc.reason, **exc.params)
            report.rows += len(chunk)
            try:
                await kind.apply(ctx, parsed)
            finally:
                await (session.rollback() if dry_run else session.commit())
            # Flushed rows are not needed any more: keeps the identity map (and memory) flat.
            session.expunge_all()
            if progress is not None:
                result = progress(report.rows, source.total_estimate)
                if result is not None:
                    await result
    finally:
        await asyncio.to_thread(source.close)
    report.rejected.sort(key=lambda r: r.row)
    if not dry_run:
        record(
            session,
            actor,
            "import",
            None,
            f"imported_{kind.name}"[:64],
            data={
                "file": path.name,
                "format": report.format,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": len(report.rejected),
            },
        )
        await session.commit()
    return report
