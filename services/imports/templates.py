"""Downloadable templates: each kind's headers (in the user's language) and one example row."""

from __future__ import annotations

from porucheno.i18n import gettext
from services.imports.base import ImportKind
from services.imports.reader import sample_bytes_csv
from services.spreadsheets import xlsx_bytes


def template_header(kind: ImportKind, locale: str) -> list[str]:
    return [gettext(locale, c.title) for c in kind.columns]


def template_bytes(kind: ImportKind, fmt: str, locale: str) -> bytes:
    header = template_header(kind, locale)
    example = [c.example for c in kind.columns]
    if fmt == "csv":
        return sample_bytes_csv(header, [example])
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = gettext(locale, kind.title)[:31]
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    sheet.freeze_panes = "A2"
    return xlsx_bytes(workbook)
