"""The assignments list as XLSX or CSV, with the same filters and visibility as the page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from aiohttp import web

from admin_web.exports import EXPORT_LIMIT, table_response
from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY
from admin_web.labels import PRIORITY_LABELS, state_label
from admin_web.views.assignments.listing import list_query
from admin_web.views.common import acting_user, zone
from models import Assignment, utcnow
from services.assignments import panel
from services.assignments.queries import Cursor
from services.notify import N_, Translator
from services.streamed import PART, rows_of_parts

PAGE = PART  # assignments a part: the loop is held for one part's rows at most
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
    N_("Overdue, days"),
)


async def _pages(request: web.Request) -> AsyncIterator[Sequence[Assignment]]:
    """The list's assignments (at most EXPORT_LIMIT), a page at a time."""
    db = request[DB_KEY]
    user = await acting_user(request)
    query = list_query(request.query, request)
    now = utcnow()
    cursor: Cursor | None = None
    left = EXPORT_LIMIT
    while left > 0:
        page = await panel.list_page(db, user, query, now=now, after=cursor, limit=min(PAGE, left))
        yield page.items
        left -= len(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor


async def _rows(request: web.Request) -> list[list[object]]:
    db = request[DB_KEY]
    now = utcnow()
    departments = await panel.department_names(db)
    tz = zone(request)

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    def overdue_days(a: Assignment) -> int | None:
        # Whole days past the deadline of an open assignment; empty when it is not overdue.
        if a.status not in panel.OPEN_STATUSES or a.deadline >= now:
            return None
        return max((now - a.deadline).days, 0)

    async def rows_of(part: Sequence[Assignment]) -> list[list[object]]:
        names = await panel.user_names(db, {i for a in part for i in (a.executor_id, a.controller_id)})
        return [
            [
                a.id,
                a.title,
                state_label(a.status, "assignment"),
                gettext(PRIORITY_LABELS.get(a.priority, a.priority)),
                names.get(a.executor_id, "") if a.executor_id else "",
                departments.get(a.department_id, "") if a.department_id else "",
                names.get(a.controller_id, "") if a.controller_id else "",
                local(a.deadline),
                local(a.created_at),
                local(a.done_at),
                overdue_days(a),
            ]
            for a in part
        ]

    return await rows_of_parts(_pages(request), rows_of)


async def assignments_export(request: web.Request) -> web.StreamResponse:
    rows = await _rows(request)
    t = Translator(current_locale.get())
    stamp = utcnow().astimezone(zone(request)).strftime("%Y-%m-%d")
    return await table_response(
        request,
        request.match_info["fmt"],
        f"assignments-{stamp}",
        [t(h) for h in HEADER],
        rows,
        sheet=t("Assignments"),
        widths=(8, 60, 18, 12, 30, 28, 30, 17, 17, 17, 10),
    )
