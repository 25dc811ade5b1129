"""Lists as XLSX or CSV downloads: one helper so every panel list exports the same way.

CSV uses ";" and a UTF-8 BOM, which is what Excel expects in a Russian locale; XLSX keeps dates as
real dates (local wall-clock time: Excel has no time zones) and numbers as numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import OFFLOAD_KEY
from services.offload import render
from services.spreadsheets import table_csv, table_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = "xlsx|csv"
EXPORT_LIMIT = 20_000  # rows: a download, not a database dump


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
    """``rows`` hold plain values; datetimes must already be local and naive. Both formats are
    built in the render pool: 20,000 rows take openpyxl seconds, and the CSV's formatting a
    quarter of one, which the bot sharing this loop would wait through."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    offload = request.app.get(OFFLOAD_KEY)
    if fmt == "csv":
        body = await render(offload, table_csv, tuple(header), list(rows), current_locale.get())
        return web.Response(body=body, content_type="text/csv", charset="utf-8", headers=disposition)
    if fmt != "xlsx":
        raise web.HTTPNotFound()
    body = await render(offload, table_xlsx, tuple(header), list(rows), sheet, tuple(widths))
    return web.Response(body=body, content_type=XLSX_TYPE, headers=disposition)
