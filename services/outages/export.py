"""The outage log as an XLSX sheet for reports: local times, durations and house-hours in hours."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import N_, NoticeContext, Translator
from services.offload import Offload, render
from services.outages.notices import address
from services.outages.resources import resource_name, social_type_name
from services.outages.summary import LogEntry, outage_log
from services.spreadsheets import xlsx_bytes

DATE_FORMAT = "DD.MM.YYYY HH:MM"
HOURS_FORMAT = "0.00"
HEADER = (
    N_("No."),
    N_("Type"),
    N_("Resource"),
    N_("Status"),
    N_("Start"),
    N_("Expected end"),
    N_("End"),
    N_("Duration, h"),
    N_("Houses"),
    N_("House-hours"),
    N_("Social facilities"),
    N_("Addresses"),
    N_("Description"),
)
# The panel's words for kinds and states (the same message ids as admin_web's outage labels), so the
# spreadsheet and the page say the same thing.
KIND_NAMES = {"accident": N_("Emergency"), "planned": N_("Planned works")}
STATUS_NAMES = {
    "active": N_("In progress"),
    "planned": N_("Scheduled"),
    "draft": N_("Draft"),
    "resolved": N_("Resolved"),
    "cancelled": N_("Cancelled"),
}
WIDTHS = (7, 12, 18, 12, 17, 17, 17, 12, 9, 12, 30, 60, 40)


def _local(ctx: NoticeContext, moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the wall-clock time of the administration's zone.
    return ctx.local(moment).replace(tzinfo=None) if moment is not None else None


def _row(e: LogEntry, t: Translator, ctx: NoticeContext) -> list[object]:
    o = e.outage
    social = ", ".join(f"{social_type_name(k, t)}: {n}" for k, n in sorted(e.social.items()))
    return [
        o.id,
        t(KIND_NAMES.get(o.kind, o.kind)),
        resource_name(o.resource, t),
        t(STATUS_NAMES.get(o.status, o.status)),
        _local(ctx, o.starts_at),
        _local(ctx, o.expected_end_at),
        _local(ctx, o.ended_at),
        round(e.duration.total_seconds() / 3600, 2),
        e.houses,
        round(e.house_hours, 2),
        social,
        "; ".join(address(b) for b in e.buildings),
        o.description or "",
    ]


def log_rows(
    entries: list[LogEntry], ctx: NoticeContext, locale: str | None = None
) -> tuple[list[str], list[list[object]]]:
    """The log as a header and plain rows (local times), for CSV and other tables."""
    t = Translator(locale or ctx.default_locale)
    return [t(h) for h in HEADER], [_row(e, t, ctx) for e in entries]


def log_workbook(entries: list[LogEntry], ctx: NoticeContext, locale: str | None = None) -> bytes:
    """Pure and CPU-bound: run in the render pool (``services/offload.py``)."""
    from openpyxl import Workbook  # imported lazily: the bot process never needs it
    from openpyxl.styles import Font

    t = Translator(locale or ctx.default_locale)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("Outages")[:31]
    ws.append([t(h) for h in HEADER])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for e in entries:
        ws.append(_row(e, t, ctx))
        r = ws.max_row
        for col in (5, 6, 7):
            ws.cell(r, col).number_format = DATE_FORMAT
        for col in (8, 10):
            ws.cell(r, col).number_format = HOURS_FORMAT
    if entries:
        total = ws.max_row + 1
        ws.cell(total, 1, t("Total")).font = Font(bold=True)
        ws.cell(total, 9, sum(e.houses for e in entries))
        ws.cell(total, 10, round(sum(e.house_hours for e in entries), 2)).number_format = HOURS_FORMAT
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    ws.freeze_panes = "A2"
    return xlsx_bytes(wb)


async def export_xlsx(
    session: AsyncSession,
    ctx: NoticeContext,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    locale: str | None = None,
    offload: Offload | None = None,
) -> bytes:
    return await render(offload, log_workbook, await outage_log(session, start, end, now), ctx, locale)
