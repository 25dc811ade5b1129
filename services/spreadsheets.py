"""Spreadsheets the product writes: what people typed never becomes a formula.

openpyxl stores a string that begins with «=» as a formula, and Excel runs formulas when a file is
opened: a name typed in Telegram as ``=HYPERLINK("http://…")`` would turn an export into a trap for
the clerk who opens it (CSV/XLSX injection). The product writes no formulas of its own, so every
workbook is saved through ``xlsx_bytes``, which turns such cells back into text; CSV cells go through
``csv_cell``.
"""

from __future__ import annotations

import io
import re
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


def csv_cell(value: object) -> object:
    """A text cell for CSV, quoted with «'» when Excel would run it; other values as they are."""
    if isinstance(value, str) and _CSV_FORMULA.match(value):
        return "'" + value
    return value
