"""The assignments list as XLSX or CSV, with the same filters and visibility as the page."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from aiohttp import web
from openpyxl import Workbook
from openpyxl.styles import Font

from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY
from admin_web.labels import PRIORITY_LABELS, STATUS_LABELS
from admin_web.views.assignments import list_query
from admin_web.views.assignments_common import acting_user, zone
from models import Assignment, utcnow
from services.assignments import panel
from services.assignments.queries import Cursor
from services.notify import N_, Translator

EXPORT_LIMIT = 20_000
PAGE = 500
HEADER = (
    N_("No."),
    N_("Title"),
    N_("Status"),
    N_("Priority"),
    N_("Executor"),
    N_("Department"),
    N_("Controller"),
    N_("Deadline"),
    N_("Created"),
    N_("Done"),
    N_("Overdue now"),
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _rows(request: web.Request) -> list[list[object]]:
    db = request[DB_KEY]
    user = await acting_user(request)
    query = list_query(request.query, request)
    now = utcnow()
    items: list[Assignment] = []
    cursor: Cursor | None = None
    while len(items) < EXPORT_LIMIT:
        page = await panel.list_page(db, user, query, now=now, after=cursor, limit=PAGE)
        items.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    items = items[:EXPORT_LIMIT]
    names = await panel.user_names(db, {i for a in items for i in (a.executor_id, a.controller_id)})
    departments = await panel.department_names(db)
    tz = zone(request)

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    yes, no = gettext("yes"), gettext("no")
    return [
        [
            a.id,
            a.title,
            gettext(STATUS_LABELS.get(a.status, a.status)),
            gettext(PRIORITY_LABELS.get(a.priority, a.priority)),
            names.get(a.executor_id, "") if a.executor_id else "",
            departments.get(a.department_id, "") if a.department_id else "",
            names.get(a.controller_id, "") if a.controller_id else "",
            local(a.deadline),
            local(a.created_at),
            local(a.done_at),
            yes if a.status in panel.OPEN_STATUSES and a.deadline < now else no,
        ]
        for a in items
    ]


async def assignments_export(request: web.Request) -> web.StreamResponse:
    rows = await _rows(request)
    t = Translator(current_locale.get())
    header = [t(h) for h in HEADER]
    stamp = utcnow().astimezone(zone(request)).strftime("%Y-%m-%d")
    if request.match_info["fmt"] == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([v.strftime("%d.%m.%Y %H:%M") if isinstance(v, datetime) else v for v in row])
        return web.Response(
            body=("\ufeff" + out.getvalue()).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="assignments-{stamp}.csv"'},
        )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("Assignments")[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for column in ("H", "I", "J"):
        for cell in ws[column][1:]:
            cell.number_format = "DD.MM.YYYY HH:MM"
    for column, width in zip("ABCDEFGHIJK", (8, 60, 18, 12, 30, 28, 30, 17, 17, 17, 10), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return web.Response(
        body=out.getvalue(),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="assignments-{stamp}.xlsx"'},
    )
