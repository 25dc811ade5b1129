"""Spreadsheets the product writes: what people typed never becomes a formula.

openpyxl stores a string that begins with «=» as a formula, and Excel runs formulas when a file is
opened: a name typed in Telegram as ``=HYPERLINK("http://…")`` would turn an export into a trap for
the clerk who opens it (CSV/XLSX injection). The product writes no formulas of its own, so every
workbook is saved through ``xlsx_bytes``, which turns such cells back into text; CSV cells go through
``csv_cell``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

# A CSV cell Excel would read as a formula: «=…», «@…», a leading tab or CR, or «+»/«−» followed by
# something that calls or refers (a letter, a bracket, a pipe) — «+7 900 555-44-33» stays a phone.
_CSV_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-].*[A-Za-zА-Яа-яЁё(|!])", re.S)


def xlsx_bytes(workbook: Any) -> bytes:
    """The workbook as XLSX bytes, every formula cell stored as the text it was given as."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_xlsx(
    header: Sequence[str], rows: Sequence[Sequence[object]], sheet: str, widths: Sequence[int]
) -> bytes:
    """One sheet: a bold frozen header, then ``rows`` of plain values (naive local datetimes).
    Pure and CPU-bound: run in the render pool (``services/offload.py``)."""
    from openpyxl import Workbook  # imported lazily: the bot process never needs it
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"
    return xlsx_bytes(wb)


def table_csv(header: Sequence[str], rows: Sequence[Sequence[object]], locale: str) -> bytes:
    """The panel's CSV: «;» between cells and a UTF-8 BOM (what Excel expects in a Russian locale),
    local dates as dd.mm.yyyy hh:mm (Excel reads them back as dates), numbers with the reader's
    decimal comma («3,2»). Pure: run in the render pool like the workbook (20,000 rows are a
    quarter of a second of formatting)."""
    from porucheno.numbers import format_decimal_cell  # babel: only where a CSV is written

    def text(value: object) -> object:
        if isinstance(value, float):
            return format_decimal_cell(value, locale)
        if isinstance(value, datetime):
            return value.strftime("%d.%m.%Y %H:%M")
        if isinstance(value, date):
            return value.strftime("%d.%m.%Y")
        return "" if value is None else csv_cell(value)

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows([text(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_cell(value: object) -> object:
    """A text cell for CSV, quoted with «'» when Excel would run it; other values as they are."""
    if isinstance(value, str) and _CSV_FORMULA.match(value):
        return "'" + value
    return value
