"""The shift report as files: an XLSX workbook and a PDF, laid out by ``shift_render.sections`` so
they list the same rows under the same headings as the panel's preview.

Building a file is CPU work holding the GIL (openpyxl, fpdf2): the async helpers send it to the
render pool (services/offload.py), off the event loop; without a pool (tools, some tests) a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.documents import PDF_FAMILY, a4_pdf
from services.incidents.shift import ShiftReport
from services.incidents.shift_render import Cell, Section, cell_text, period_text, sections
from services.notify import NoticeContext, Translator
from services.offload import Offload, render
from services.spreadsheets import xlsx_bytes

DATE_FORMAT = "DD.MM.YYYY HH:MM"
FAMILY = PDF_FAMILY


def _local(ctx: NoticeContext, value: Cell) -> Cell:
    # Excel has no time zones: write the wall-clock time of the administration's zone.
    return ctx.local(value).replace(tzinfo=None) if isinstance(value, datetime) else value


@dataclass(frozen=True, slots=True)
class ShiftSheet:
    """What both files show, as plain data: built on the loop from the report (whose rows are
    database objects), then sent to the render pool."""

    since: datetime
    until: datetime
    period: str
    sections: tuple[Section, ...]
    note: str | None
    handed_by: str | None


def sheet_of(
    report: ShiftReport, ctx: NoticeContext, t: Translator, note: str | None, handed_by: str | None
) -> ShiftSheet:
    return ShiftSheet(
        since=report.since,
        until=report.until,
        period=period_text(report, ctx, t),
        sections=tuple(sections(report, ctx, t)),
        note=note,
        handed_by=handed_by,
    )


def sheet_workbook(sheet: ShiftSheet, ctx: NoticeContext, t: Translator) -> bytes:
    """One sheet: the period and note on top, then each list under its heading (empty ones say so)."""
    from openpyxl import Workbook  # imported lazily: the bot process never needs it until a handover
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("Shift report")[:31]
    ws.append([t("Shift hand-over report")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([t("Period"), _local(ctx, sheet.since), _local(ctx, sheet.until)])
    for cell in ws[2][1:]:
        cell.number_format = DATE_FORMAT
    if sheet.handed_by:
        ws.append([t("Handed over by"), sheet.handed_by])
    if sheet.note:
        ws.append([t("Note"), sheet.note])
    widths: dict[int, int] = {}
    for section in sheet.sections:
        ws.append([])
        ws.append([f"{section.title}: {len(section.rows)}"])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        if not section.rows:
            ws.append([t("None.")])
            continue
        ws.append(section.header)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in section.rows:
            ws.append([_local(ctx, v) for v in row])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, datetime):
                    cell.number_format = DATE_FORMAT
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, width in enumerate(section.widths, start=1):
            widths[i] = max(widths.get(i, 0), width)
    for i, width in widths.items():
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    return xlsx_bytes(wb)


def sheet_pdf(sheet: ShiftSheet, ctx: NoticeContext, t: Translator) -> bytes:
    from fpdf.fonts import FontFace  # imported lazily: only document builders need fpdf

    pdf = a4_pdf(left=12, top=12, right=12, landscape=True)
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 8, t("Shift hand-over report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 6, t("Period: %(period)s", period=sheet.period), new_x="LMARGIN", new_y="NEXT")
    if sheet.handed_by:
        name = sheet.handed_by
        pdf.multi_cell(0, 6, t("Handed over by: %(name)s", name=name), new_x="LMARGIN", new_y="NEXT")
    if sheet.note:
        pdf.multi_cell(0, 6, t("Note: %(note)s", note=sheet.note), new_x="LMARGIN", new_y="NEXT")
    for section in sheet.sections:
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(0, 7, f"{section.title}: {len(section.rows)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 8)
        if not section.rows:
            pdf.multi_cell(0, 5, t("None."), new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(
            col_widths=section.widths,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=4,
            text_align="LEFT",
        ) as table:
            table.row(section.header)
            for row in section.rows:
                table.row([cell_text(v, ctx) for v in row])
    return bytes(pdf.output())


async def report_files(
    report: ShiftReport,
    ctx: NoticeContext,
    t: Translator,
    *,
    note: str | None = None,
    handed_by: str | None = None,
    offload: Offload | None = None,
) -> tuple[bytes, bytes]:
    """XLSX and PDF, built off the event loop."""
    sheet = sheet_of(report, ctx, t, note, handed_by)
    xlsx = await render(offload, sheet_workbook, sheet, ctx, t)
    pdf = await render(offload, sheet_pdf, sheet, ctx, t)
    return xlsx, pdf


async def report_file(
    fmt: str,
    report: ShiftReport,
    ctx: NoticeContext,
    t: Translator,
    *,
    note: str | None = None,
    handed_by: str | None = None,
    offload: Offload | None = None,
) -> bytes:
    """One of the files (``xlsx`` or ``pdf``), built off the event loop."""
    build = sheet_workbook if fmt == "xlsx" else sheet_pdf
    return await render(offload, build, sheet_of(report, ctx, t, note, handed_by), ctx, t)


def file_name(report: ShiftReport, ctx: NoticeContext, ext: str) -> str:
    return f"shift-{ctx.local(report.until).strftime('%Y-%m-%d-%H%M')}.{ext}"
