"""SLA compliance as an XLSX workbook: one sheet per grouping (topic, assignee, month) with a total
line. Pure and synchronous: the panel builds it in a worker thread, off the event loop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.notify import N_, Translator
from services.service_desk.compliance import ASSIGNEE, MONTH, TOPIC, Row, total
from services.spreadsheets import xlsx_bytes

SHEETS = {TOPIC: N_("By topic"), ASSIGNEE: N_("By assignee"), MONTH: N_("By month")}
FIRST_COLUMN = {TOPIC: N_("Topic"), ASSIGNEE: N_("Assignee"), MONTH: N_("Month")}
EMPTY = {TOPIC: N_("No topic"), ASSIGNEE: N_("Nobody"), MONTH: ""}
HEADER = (
    N_("Requests"),
    N_("Reaction met"),
    N_("Resolution met"),
    N_("Average reaction, working min"),
    N_("Average resolution, working min"),
    N_("Average rating"),
)


def cells(row: Row) -> list[object]:
    def rounded(value: float | None, digits: int = 0) -> float | None:
        return None if value is None else round(value, digits)

    return [
        row.requests,
        row.reaction_pct,
        row.resolution_pct,
        rounded(row.avg_react_minutes),
        rounded(row.avg_resolve_minutes),
        rounded(row.avg_rating, 2),
    ]


def workbook(groups: Mapping[str, Sequence[Row]], period: str, locale: str) -> bytes:
    from openpyxl import Workbook  # imported lazily: the bot process never needs it
    from openpyxl.styles import Font

    t = Translator(locale)
    wb = Workbook()
    first = True
    for group, rows in groups.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = t(SHEETS[group])[:31]
        ws.append([period])
        ws.append([t(FIRST_COLUMN[group]), *(t(h) for h in HEADER)])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        ws.append([t("Total"), *cells(total(list(rows)))])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for row in rows:
            label = row.label or (t(EMPTY[group]) if EMPTY[group] else "—")
            ws.append([label, *cells(row)])
        ws.column_dimensions["A"].width = 34
        for letter in "BCDEFG":
            ws.column_dimensions[letter].width = 16
        ws.freeze_panes = "B3"
    return xlsx_bytes(wb)
