"""Assignments: the filtered list (keyset pages in deadline order) and one assignment's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.labels import PRIORITY_LABELS, STATUS_FILTERS, STATUS_LABELS
from admin_web.render import render
from admin_web.views.common import (
    acting_user,
    int_or_none,
    local_input,
    parse_local_date,
    zone,
)
from admin_web.views.files import INLINE_TYPES
from models import utcnow
from models.enums import Role
from services.assignments import access, control, panel, panel_detail
from services.assignments.lifecycle import Action
from services.assignments.queries import Cursor
from services.errors import NotFound

FILTER_FIELDS = ("status", "department", "executor", "controller", "priority", "from", "to", "q")
SEARCH_LIMIT = 100
CONTROL_ROLES = (Role.CONTROLLER, Role.MANAGER)


def list_query(params: Mapping[str, str], request: web.Request) -> panel.ListQuery:
    tz = zone(request)
    status = params.get("status") or "open"
    if status not in STATUS_FILTERS and status not in panel.ALL_STATUSES:
        status = "open"
    priority = params.get("priority") or None
    return panel.ListQuery(
        status=status,
        department_id=int_or_none(params.get("department")),
        executor_id=int_or_none(params.get("executor")),
        controller_id=int_or_none(params.get("controller")),
        priority=priority if priority in PRIORITY_LABELS else None,
        deadline_from=parse_local_date(params.get("from") or "", tz),
        deadline_before=parse_local_date(params.get("to") or "", tz, next_day=True),
        text=(params.get("q") or "").strip()[:SEARCH_LIMIT] or None,
    )


def _page_url(request: web.Request, filters: dict[str, str], **cursor: str) -> str:
    return str(request.rel_url.with_query({**filters, **cursor}))


async def assignment_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    query = list_query(request.query, request)
    now = utcnow()
    page = await panel.list_page(
        db,
        user,
        query,
        now=now,
        after=Cursor.decode(request.query.get("after")),
        before=Cursor.decode(request.query.get("before")),
    )
    filters = {k: request.query[k] for k in FILTER_FIELDS if request.query.get(k)}
    departments = await panel.department_names(db)
    staff = await panel.staff_options(db)
    controllers = await panel.staff_options(db, roles=CONTROL_ROLES)
    names = {s.id: s.full_name for s in staff}
    return await render(
        request,
        "assignments/list.html",
        {
            "page": page,
            "now": now,
            "filters": filters,
            "status_filters": STATUS_FILTERS,
            "statuses": STATUS_LABELS,
            "priorities": PRIORITY_LABELS,
            "departments": departments,
            "executor_groups": panel.grouped(staff, departments, gettext("No department")),
            "controllers": [(c.id, c.full_name) for c in controllers],
            "names": names,
            "overdue": {a.id for a in page.items if panel.is_overdue(a, now)},
            "next_url": _page_url(request, filters, after=page.next_cursor.encode())
            if page.next_cursor
            else None,
            "prev_url": _page_url(request, filters, before=page.prev_cursor.encode())
            if page.prev_cursor
            else None,
            "can_create": user.has_role(Role.CONTROLLER, Role.MANAGER, Role.CLERK),
            "section": "assignments",
        },
    )


async def assignment_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    try:
        assignment = await panel_detail.load_for_panel(db, int(request.match_info["assignment_id"]), user)
    except NotFound:
        raise web.HTTPNotFound() from None
    data = await panel_detail.page_data(db, assignment, user)
    context: dict[str, Any] = {
        "p": data,
        "a": assignment,
        "overdue": panel.is_overdue(assignment, utcnow()),
        "previewable": INLINE_TYPES,
        "can_change_deadline": access.is_control(assignment, user)
        and assignment.status not in control.CLOSED,
        "deadline_value": local_input(assignment.deadline, zone(request)),
        "section": "assignments",
    }
    if Action.REASSIGN in data.actions:
        departments = await panel.department_names(db)
        scope = await access.reassign_scope(db, assignment, user)
        active = [s for s in await panel.staff_options(db) if s.is_active and scope.admits(s.department_id)]
        context["executor_groups"] = panel.grouped(active, departments, gettext("No department"))
    return await render(request, "assignments/page.html", context)
