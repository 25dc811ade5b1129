"""Lists as XLSX or CSV downloads: one helper so every panel list exports the same way.

CSV uses ";" and a UTF-8 BOM, which is what Excel expects in a Russian locale; XLSX keeps dates as
real dates (local wall-clock time: Excel has no time zones) and numbers as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import OFFLOAD_KEY
from porucheno.numbers import format_decimal_cell
from services.offload import render
from services.spreadsheets import csv_cell, table_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = "xlsx|csv"
EXPORT_LIMIT = 20_000  # rows: a download, not a database dump


def _text(value: object, locale: str) -> object:
    """A CSV cell as the panel writes it: local dates as dd.mm.yyyy hh:mm (what Excel reads back as
    a date), numbers with the reader's decimal comma («3,2»)."""
    if isinstance(value, float):
        return format_decimal_cell(value, locale)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else csv_cell(value)


async def table_response(
    request: web.Request,
    fmt: str,
    filename: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "Sheet",
    widths: Sequence[int] = (),
) -> web.Response:
    """``rows`` hold plain values; datetimes must already be local and naive. The XLSX is built in
    the render pool: 20,000 rows take openpyxl seconds."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        locale = current_locale.get()
        writer.writerows([_text(v, locale) for v in row] for row in rows)
        return web.Response(
            body=("\ufeff" + out.getvalue()).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers=disposition,
        )
    if fmt != "xlsx":
        raise web.HTTPNotFound()
    body = await render(
        request.app.get(OFFLOAD_KEY), table_xlsx, tuple(header), tuple(map(tuple, rows)), sheet, tuple(widths)
    )
    return web.Response(body=body, content_type=XLSX_TYPE, headers=disposition)
