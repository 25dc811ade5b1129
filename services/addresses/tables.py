"""Reading an uploaded table (CSV in any usual encoding and delimiter, or XLSX) into plain rows.

Untrusted bytes: every way a file can be unreadable ends in an :class:`InvalidInput` the user can
act on, never in a traceback.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.errors import InvalidInput

MAX_ROWS = 100_000
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls container
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CellValue = object  # str from CSV; str, int, float, datetime, ... or None from XLSX


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[CellValue]]]  # (row number as the user sees it, cells)
    format: str  # "csv" or "xlsx"


def read_table(data: bytes, *, filename: str | None = None) -> Table:
    if not data.strip():
        raise InvalidInput("The file is empty.")
    if data.startswith(_OLE_MAGIC):
        raise InvalidInput("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
    is_xlsx_name = (filename or "").lower().endswith((".xlsx", ".xlsm"))
    if data.startswith(_ZIP_MAGIC) or is_xlsx_name:
        return _with_header(_xlsx_rows(data), "xlsx")
    return _with_header(_csv_rows(_decode(data)), "csv")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's «Unicode text» is UTF-16 with a BOM
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1251")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # cp1251 decodes almost any bytes; control characters betray a binary file.
        if _CONTROL.search(text):
            raise InvalidInput("The file is not a CSV or XLSX table.")
        return text
    raise InvalidInput("Cannot read the file's text. Save it as CSV in UTF-8 or Windows-1251.")


def _sniff_delimiter(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str) -> list[tuple[int, list[CellValue]]]:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
        return _capped((number, list(row)) for number, row in enumerate(reader, 1))
    except csv.Error as exc:
        raise InvalidInput("The file is not a CSV or XLSX table.") from exc


def _xlsx_rows(data: bytes) -> list[tuple[int, list[CellValue]]]:
    from openpyxl import load_workbook  # only imports cost when a workbook arrives

    # openpyxl fails in many ways on damaged or foreign zips (BadZipFile, KeyError, XML errors...):
    # all of them mean the same thing to the user.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidInput("The file is not a valid XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        return _capped((number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), 1))
    except InvalidInput:
        raise
    except Exception as exc:
        raise InvalidInput("The file is not a valid XLSX workbook.") from exc
    finally:
        workbook.close()


def _capped(rows: Iterable[tuple[int, list[CellValue]]]) -> list[tuple[int, list[CellValue]]]:
    result: list[tuple[int, list[CellValue]]] = []
    for item in rows:
        if len(result) > MAX_ROWS:
            raise InvalidInput("The table has more than %(n)d rows.", n=MAX_ROWS)
        result.append(item)
    return result


def is_blank(cell: CellValue) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _with_header(rows: list[tuple[int, list[CellValue]]], fmt: str) -> Table:
    filled = [(n, cells) for n, cells in rows if not all(is_blank(c) for c in cells)]
    if not filled:
        raise InvalidInput("The file is empty.")
    (_, header), body = filled[0], filled[1:]
    if not body:
        raise InvalidInput("The table has no rows below its header.")
    return Table([str(c).strip() if c is not None else "" for c in header], body, fmt)
