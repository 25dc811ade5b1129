"""The ``buildings-gar`` kind: the state address register (ГАР XML), read by services/addresses/gar.py.

It is not row-based (a region's folder or a .zip of XML files), so it only shares the report with
the spreadsheet kinds: the parser's (where, reason) rejections become report lines.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import Actor
from services.errors import InvalidInput
from services.imports.kinds import GAR_KIND
from services.imports.report import ImportReport, RejectedRow
from services.notify import N_

_OKTMO = re.compile(r"^\d{8}(\d{3})?$")


def check_oktmo(value: str | None) -> str:
    oktmo = (value or "").strip()
    if not _OKTMO.match(oktmo):
        raise InvalidInput("OKTMO is 8 or 11 digits.")
    return oktmo


async def run_gar(
    session: AsyncSession,
    source: Path,
    *,
    oktmo: str,
    dry_run: bool,
    actor: Actor,
    progress: Callable[[int], Awaitable[None] | None] | None = None,
) -> ImportReport:
    oktmo = check_oktmo(oktmo)
    try:
        from services.addresses.gar import import_gar  # the ГАР reader; imported when used
    except ImportError as exc:
        raise InvalidInput("This installation has no ГАР reader.") from exc
    result = await import_gar(session, source, oktmo=oktmo, dry_run=dry_run, actor=actor, progress=progress)
    report = ImportReport(kind=GAR_KIND, dry_run=dry_run, format="gar")
    report.created, report.updated, report.unchanged = result.created, result.updated, result.unchanged
    report.rows = result.created + result.updated + result.unchanged + result.skipped + len(result.rejected)
    report.rejected = [
        RejectedRow(0, N_("%(where)s: %(reason)s"), {"where": w, "reason": r}) for w, r in result.rejected
    ]
    return report
