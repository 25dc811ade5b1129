"""Assignments: the filtered list (keyset pages in deadline order) and one assignment's page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
    staff_choices,
    zone,
)
from admin_web.views.files import INLINE_TYPES
from admin_web.views.listing_params import Chip, ListState, Sort, chip_text, read_search, read_sort
from models import Appeal, Assignment, utcnow
from models.enums import Role
from services.assignments import access, control, panel, panel_detail, parent_state
from services.assignments.lifecycle import Action
from services.assignments.queries import Cursor
from services.errors import NotFound

FILTER_FIELDS = (
    "status",
    "department",
    "executor",
    "controller",
    "control",
    "priority",
    "due",
    "from",
    "to",
    "created_from",
    "created_to",
    "done_from",
    "done_to",
    "q",
)
SEARCH_LIMIT = 100
CONTROL_ROLES = (Role.CONTROLLER, Role.MANAGER)
DEFAULT_SORT = Sort("deadline")
# ``due=week``: not overdue yet and due before the end of this week (Sunday, in the panel's zone).
DUE_WINDOWS = ("week",)
NONE = "none"  # ``department=none`` / ``executor=none``: rows without one (the KPI's "No department")


def week_end(now: datetime, tz: ZoneInfo) -> datetime:
    """Next Monday 00:00 in ``tz``, in UTC: the end of the current week."""
    today = now.astimezone(tz).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(0), tzinfo=tz).astimezone(UTC)


def list_query(
    params: Mapping[str, str], request: web.Request, *, now: datetime | None = None
) -> panel.ListQuery:
    tz = zone(request)
    status = params.get("status") or "open"
    if status not in STATUS_FILTERS and status not in panel.ALL_STATUSES:
        status = "open"
    priority = params.get("priority") or None
    sort = read_sort(params, panel.SORT_KEYS, DEFAULT_SORT)
    due = params.get("due")
    return panel.ListQuery(
        status=status,
        department_id=int_or_none(params.get("department")),
        executor_id=int_or_none(params.get("executor")),
        controller_id=int_or_none(params.get("controller")),
        priority=priority if priority in PRIORITY_LABELS else None,
        deadline_from=parse_local_date(params.get("from") or "", tz),
        deadline_before=parse_local_date(params.get("to") or "", tz, next_day=True),
        text=read_search(params, SEARCH_LIMIT),
        control_id=int_or_none(params.get("control")),
        due_before=week_end(now or utcnow(), tz) if due in DUE_WINDOWS else None,
        created_from=parse_local_date(params.get("created_from") or "", tz),
        created_before=parse_local_date(params.get("created_to") or "", tz, next_day=True),
        done_from=parse_local_date(params.get("done_from") or "", tz),
        done_before=parse_local_date(params.get("done_to") or "", tz, next_day=True),
        sort=sort.key,
        desc=sort.desc,
        no_department=params.get("department") == NONE,
        no_executor=params.get("executor") == NONE,
    )


def list_state(request: web.Request) -> ListState:
    return ListState(
        request, FILTER_FIELDS, read_sort(request.query, panel.SORT_KEYS, DEFAULT_SORT), DEFAULT_SORT
    )


def _id(filters: Mapping[str, str], key: str) -> int:
    return int_or_none(filters.get(key)) or 0


def _chips(state: ListState, names: dict[int, str], departments: dict[int, str]) -> list[Chip]:
    """The filters in use, said in words (ids become names), each removable on its own."""
    f = state.filters

    def person(key: str) -> str:
        return gettext("nobody") if f.get(key) == NONE else names.get(_id(f, key), "—")

    status = f.get("status", "")
    status_text = STATUS_FILTERS.get(status) or STATUS_LABELS.get(status) or status
    described = {
        "status": chip_text(gettext("Status"), gettext(status_text)),
        "department": chip_text(
            gettext("Department"),
            gettext("none") if f.get("department") == NONE else departments.get(_id(f, "department"), "—"),
        ),
        "executor": chip_text(gettext("Executor"), person("executor")),
        "controller": chip_text(gettext("Controller"), person("controller")),
        "control": chip_text(gettext("Under control of"), person("control")),
        "priority": chip_text(gettext("Priority"), gettext(PRIORITY_LABELS.get(f.get("priority", ""), "—"))),
        "due": gettext("Due this week"),
        "from": chip_text(gettext("Deadline from"), f.get("from", "")),
        "to": chip_text(gettext("Deadline to"), f.get("to", "")),
        "created_from": chip_text(gettext("Created from"), f.get("created_from", "")),
        "created_to": chip_text(gettext("Created to"), f.get("created_to", "")),
        "done_from": chip_text(gettext("Done from"), f.get("done_from", "")),
        "done_to": chip_text(gettext("Done to"), f.get("done_to", "")),
        "q": chip_text(gettext("Title contains"), f.get("q", "")),
    }
    return state.chips(described)


async def assignment_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    now = utcnow()
    query = list_query(request.query, request, now=now)
    state = list_state(request)
    page = await panel.list_page(
        db,
        user,
        query,
        now=now,
        after=Cursor.decode(request.query.get("after")),
        before=Cursor.decode(request.query.get("before")),
    )
    filters = state.filters
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
            "executor_options": staff_choices(staff),
            "controllers": staff_choices(controllers),
            "names": names,
            "overdue": {a.id for a in page.items if panel.is_overdue(a, now)},
            "state": state,
            "chips": _chips(state, names, departments),
            "next_url": state.page_url(after=page.next_cursor.encode()) if page.next_cursor else None,
            "prev_url": state.page_url(before=page.prev_cursor.encode()) if page.prev_cursor else None,
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
        # The checklist block (task_tools/checklist.html) loads its own data from these two.
        "checklist_kind": "a",
        "checklist_owner_id": assignment.id,
    }
    await _points_context(request, assignment, context)
    if assignment.appeal_id:
        # People know an appeal by its registration number, never by the database id.
        linked = await db.get(Appeal, assignment.appeal_id)
        context["appeal_number"] = linked.reg_number if linked else None
        context["appeal_link"] = user.has_role(Role.MANAGER, Role.CLERK)
    if Action.REASSIGN in data.actions:
        scope = await access.reassign_scope(db, assignment, user)
        active = [s for s in await panel.staff_options(db) if s.is_active and scope.admits(s.department_id)]
        context["executor_options"] = staff_choices(active)
    return await render(request, "assignments/page.html", context)


async def _points_context(request: web.Request, assignment: Assignment, context: dict[str, Any]) -> None:
    """A multi-point assignment shows its points and their progress; a point links to its parent."""
    db = request[DB_KEY]
    if assignment.parent_id is not None:
        context["parent"] = await db.get(Assignment, assignment.parent_id)
        return
    items = await parent_state.points_of(db, assignment.id)
    if not items:
        return
    now = utcnow()
    context["points"] = items
    context["point_names"] = await parent_state.executor_names(db, items)
    context["point_progress"] = parent_state.progress(items)
    context["point_overdue"] = {p.id for p in items if parent_state.overdue(p, now)}
