"""The hours report as an XLSX workbook. Pure and synchronous: the panel builds it in a worker thread."""

from __future__ import annotations

from collections.abc import Sequence

from services.notify import Translator
from services.spreadsheets import xlsx_bytes
from services.volunteers.hours import ReportRow


def workbook(rows: Sequence[ReportRow], period: str, locale: str) -> bytes:
    from openpyxl import Workbook  # imported lazily: the bot process never needs it
    from openpyxl.styles import Font

    t = Translator(locale)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("Volunteer hours")[:31]
    ws.append([period])
    ws.append([t("Volunteer"), t("Shifts"), t("Hours")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row.name, row.shifts, row.hours])
    ws.append([t("Total"), sum(r.shifts for r in rows), round(sum(r.hours for r in rows), 2)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 12
    return xlsx_bytes(wb)
