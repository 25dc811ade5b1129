"""Streaming rows out of an uploaded table: CSV (UTF-8, UTF-8 with BOM or cp1251; ``;``, tab or ``,``)
or XLSX (openpyxl read-only mode). Nothing here holds the whole file in memory.

The rules of what a readable table is are those of :mod:`services.addresses.tables` (same messages,
same magic numbers); that module reads small registries whole, this one streams large ones.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from services.addresses.tables import _OLE_MAGIC, _ZIP_MAGIC, CellValue, is_blank
from services.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PROBE = 64 * 1024
_BLOCK = 1024 * 1024

Row = tuple[int, list[CellValue]]  # (row number as the user sees it, cells)


@dataclass(slots=True)
class RowSource:
    """An open table: its header, an iterator over the rows below it, a row-count estimate."""

    format: str  # "csv" or "xlsx"
    header: list[str]
    rows: Iterator[Row]
    total_estimate: int | None
    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for closer in self._closers:
            closer()

    def next_chunk(self, size: int) -> list[Row]:
        """Up to ``size`` non-blank rows (blocking: call it through ``asyncio.to_thread``)."""
        chunk: list[Row] = []
        for number, cells in self.rows:
            if all(is_blank(c) for c in cells):
                continue
            chunk.append((number, cells))
            if len(chunk) >= size:
                break
        return chunk


def open_rows(path: Path) -> RowSource:
    """Open ``path`` (blocking); raises :class:`InvalidInput` with a message the user can act on."""
    try:
        with path.open("rb") as probe:
            head = probe.read(_PROBE)
    except OSError as exc:
        raise InvalidInput("Cannot read the file.") from exc
    if not head.strip():
        raise InvalidInput("The file is empty.")
    if head.startswith(_OLE_MAGIC):
        raise InvalidInput("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
    if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(path)
    return _open_csv(path, head)


def _encoding(path: Path, head: bytes) -> str:
    """UTF-8 when the whole file decodes as UTF-8 (checked block by block), else cp1251."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as stream:
            while block := stream.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1251"


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_csv(path: Path, head: bytes) -> RowSource:
    encoding = _encoding(path, head)
    sample = head.decode(encoding, errors="ignore")
    if _CONTROL.search(sample):  # cp1251 decodes almost any bytes; control characters betray a binary
        raise InvalidInput("The file is not a CSV or XLSX table.")
    stream: IO[str] = path.open("r", encoding=encoding, newline="")
    lines = sample.splitlines()
    first_line = next((line for line in lines if line.strip()), "")
    reader = csv.reader(stream, delimiter=_sniff_delimiter(first_line))
    numbered = _csv_numbered(reader)
    header = _header(numbered)
    size = path.stat().st_size
    # Rows in the probe (minus a partial last one) scale to the file's size: a progress estimate.
    probe_rows = max(len([line for line in lines[1:-1] if line.strip()]), 1)
    estimate = int(size / max(len(head), 1) * probe_rows) if len(head) >= _PROBE else len(lines) - 1
    source = RowSource("csv", header, numbered, max(estimate, 1))
    source._closers.append(stream.close)
    return source


def _csv_numbered(reader: Any) -> Iterator[Row]:
    try:
        for row in reader:
            # A quoted cell may span lines: the reader's line number is where the row ends.
            yield reader.line_num, list(row)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("The file is not a CSV or XLSX table.") from exc


def _open_xlsx(path: Path) -> RowSource:
    from openpyxl import load_workbook  # imported only when a workbook arrives

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        total = sheet.max_row  # from the sheet's <dimension>; None when the writer left it out
    except Exception as exc:  # damaged or foreign zips fail in many ways; all mean the same here
        raise InvalidInput("The file is not a valid XLSX workbook.") from exc
    numbered = _xlsx_numbered(sheet)
    try:
        header = _header(numbered)
    except InvalidInput:
        workbook.close()
        raise
    source = RowSource("xlsx", header, numbered, (total - 1) if total else None)
    source._closers.append(workbook.close)
    return source


def _xlsx_numbered(sheet: Any) -> Iterator[Row]:
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(row)
    except Exception as exc:
        raise InvalidInput("The file is not a valid XLSX workbook.") from exc


def _header(rows: Iterator[Row]) -> list[str]:
    for _number, cells in rows:
        if not all(is_blank(c) for c in cells):
            return [str(c).strip() if c is not None else "" for c in cells]
    raise InvalidInput("The file is empty.")


def sample_bytes_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """A CSV as the panel's exports write it (``;``, UTF-8 with BOM): used for templates."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
