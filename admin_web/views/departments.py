"""Departments: list, create, edit (name, short name, parent, head)."""

from __future__ import annotations

from aiohttp import web

from admin_web.exports import table_response
from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.listing_params import ListState, Sort, chip_text, read_search, read_sort
from models import Department
from models.enums import Role
from services import org_admin
from services.errors import DomainError, NotFound
from services.staff import list_users

FILTER_FIELDS = ("active", "q")
DEFAULT_SORT = Sort("name")


async def _listed(request: web.Request) -> tuple[list[Department], ListState]:
    sort = read_sort(request.query, org_admin.DEPARTMENT_SORT_KEYS, DEFAULT_SORT)
    departments = await org_admin.list_departments_with_heads(
        request[DB_KEY],
        text=read_search(request.query),
        active_only=request.query.get("active") == "1",
        sort=sort.key,
        desc=sort.desc,
    )
    return list(departments), ListState(request, FILTER_FIELDS, sort, DEFAULT_SORT)


@requires_role(Role.ADMIN)
async def department_list(request: web.Request) -> web.StreamResponse:
    departments, state = await _listed(request)
    # Parents are named even when the search leaves them out of the list.
    names = {d.id: d.name for d in await org_admin.list_departments_with_heads(request[DB_KEY])}
    described = {
        "active": gettext("Active only"),
        "q": chip_text(gettext("Search"), state.filters.get("q", "")),
    }
    return await render(
        request,
        "departments/list.html",
        {
            "departments": departments,
            "names": names,
            "section": "departments",
            "state": state,
            "chips": state.chips(described),
        },
    )


@requires_role(Role.ADMIN)
async def department_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@requires_role(Role.ADMIN)
async def department_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["dept_id"]))


async def _edit(request: web.Request, dept_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    dept: Department | None = None
    if dept_id is not None:
        try:
            dept = await org_admin.get_department(db, dept_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    current_head = dept.head_id if dept else None  # read now: a rollback below expires ``dept``
    if request.method == "POST":
        form = Form.posted(await request.post())
        departments = await org_admin.list_departments_with_heads(db)
        users = await list_users(db)
        name = form.text("name", required=True)
        short_name = form.text("short_name", max_length=64)
        parent_id = form.choice("parent_id", {d.id for d in departments if d.id != dept_id})
        head_id = form.choice("head_id", {u.id for u in users})
        if form.ok and name:
            try:
                saved = await org_admin.save_department(
                    db,
                    request[USER_KEY].actor,
                    dept_id,
                    name=name,
                    short_name=short_name,
                    parent_id=parent_id,
                    head_id=head_id,
                )
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                message = (
                    N_("Department “%(name)s” saved.") if dept_id else N_("Department “%(name)s” created.")
                )
                await flash(request, gettext(message, name=saved.name))
                raise web.HTTPSeeOther(request.app.router["departments"].url_for())
    else:
        form = Form(values=_values(dept))
    # Choices are (re)loaded after a possible rollback, which expires loaded objects.
    departments = await org_admin.list_departments_with_heads(db)
    users = await list_users(db)
    return await render(
        request,
        "departments/edit.html",
        {
            "form": form,
            "dept_id": dept_id,
            "parent_options": [(d.id, d.name) for d in departments if d.id != dept_id],
            "head_options": [(u.id, u.full_name) for u in users if u.is_active or u.id == current_head],
            "section": "departments",
        },
    )


def _values(dept: Department | None) -> dict[str, str]:
    if dept is None:
        return {}
    return {
        "name": dept.name,
        "short_name": dept.short_name or "",
        "parent_id": str(dept.parent_id or ""),
        "head_id": str(dept.head_id or ""),
    }


DEPARTMENT_EXPORT_HEADER = (N_("Name"), N_("Short name"), N_("Parent department"), N_("Head"), N_("Active"))


@requires_role(Role.ADMIN)
async def department_export(request: web.Request) -> web.StreamResponse:
    departments, _state = await _listed(request)
    names = {d.id: d.name for d in await org_admin.list_departments_with_heads(request[DB_KEY])}
    yes, no = gettext("yes"), gettext("no")
    rows = [
        [
            d.name,
            d.short_name or "",
            names.get(d.parent_id, "") if d.parent_id else "",
            d.head.full_name if d.head else "",
            yes if d.is_active else no,
        ]
        for d in departments
    ]
    header = [gettext(h) for h in DEPARTMENT_EXPORT_HEADER]
    return await table_response(
        request,
        request.match_info["fmt"],
        "departments",
        header,
        rows,
        sheet=gettext("Departments"),
        widths=(40, 14, 40, 34, 8),
    )
