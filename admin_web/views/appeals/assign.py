"""Creating an assignment from an appeal: title and text come from the appeal, the rest as on
``/assignments/new`` (executor or department, deadline); the appeal then follows its assignments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.appeals.common import OPEN_STATUSES, STAFF_ROLES, load_appeal, page_url
from admin_web.views.common import (
    acting_user,
    local_input,
    notice_context,
    parse_local,
    staff_choices,
    zone,
)
from models import Appeal, utcnow
from services.appeals import workflow
from services.assignments import commands, panel
from services.config import routing
from services.directory import active_departments
from services.errors import DomainError

# The executor gets a few days' margin before the legal answer date, when there is room for it.
MARGIN = timedelta(days=3)
MIN_LEAD = timedelta(days=1)


def _default_deadline(appeal: Appeal, now: datetime) -> datetime:
    due = appeal.due_at - MARGIN
    return due if due > now + MIN_LEAD else max(appeal.due_at, now + MIN_LEAD)


def _prefill(appeal: Appeal, department_id: int | None, request: web.Request) -> Form:
    lead = next(iter((appeal.subject or appeal.text or "").strip().splitlines()), "")
    title = gettext("Appeal %(number)s: %(text)s", number=appeal.reg_number, text=lead[:200]).strip()
    parts = [appeal.text.strip()] if appeal.text else []
    if appeal.address:
        parts.append(gettext("Address: %(address)s", address=appeal.address))
    return Form(
        values={
            "title": title.rstrip(": "),
            "text": "\n\n".join(parts)[: commands.TEXT_LIMIT],
            "department_id": str(department_id or ""),
            "deadline": local_input(_default_deadline(appeal, utcnow()), zone(request)),
        }
    )


async def _validate(request: web.Request, form: Form) -> dict[str, Any]:
    db = request[DB_KEY]
    active = {s.id for s in await panel.staff_options(db) if s.is_active}
    departments = {d.id for d in await active_departments(db)}
    title = form.text("title", required=True, max_length=commands.TITLE_LIMIT)
    text = form.text("text", max_length=commands.TEXT_LIMIT) or ""
    executor_id = form.choice("executor_id", active)
    department_id = form.choice("department_id", departments)
    if executor_id is None and department_id is None and "executor_id" not in form.errors:
        form.fail("executor_id", N_("Choose an executor or a department."))
    raw = form.text("deadline", required=True, max_length=32)
    deadline = parse_local(raw, zone(request)) if raw else None
    if raw and deadline is None:
        form.fail("deadline", N_("Enter a date and time."))
    elif deadline is not None and deadline <= utcnow():
        form.fail("deadline", N_("The deadline must be in the future."))
    return {
        "title": title or "",
        "description": text,
        "executor_id": executor_id,
        "department_id": department_id,
        "deadline": deadline,
    }


@requires_role(*STAFF_ROLES)
async def appeal_assign(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    appeal = await load_appeal(request)
    if appeal.status not in OPEN_STATUSES:
        await flash(request, gettext("The appeal is no longer open: no new assignments can be made."))
        raise web.HTTPSeeOther(page_url(request, appeal.id))
    if request.method != "POST":
        # The routing rules (topic, street or district) suggest the department; the clerk may change it.
        department_id = appeal.department_id
        if department_id is None:  # registered before routing, or imported history
            place = routing.Place(building_id=appeal.building_id, address=appeal.address)
            department_id = await routing.route_department(db, appeal.category_id, place)
        return await _render(request, appeal, _prefill(appeal, department_id, request))
    form = Form.posted(await request.post())
    fields = await _validate(request, form)
    if form.ok:
        try:
            assignment = await workflow.create_assignment_from_appeal(
                db,
                appeal.id,
                workflow.AppealAssignment(**fields),
                actor=await acting_user(request),
                notify=notice_context(request),
            )
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("Assignment №%(id)s created.", id=assignment.id))
            raise web.HTTPSeeOther(page_url(request, appeal.id))
    return await _render(request, await load_appeal(request), form)


async def _render(request: web.Request, appeal: Appeal, form: Form) -> web.Response:
    db = request[DB_KEY]
    departments = list(await active_departments(db))
    active = [s for s in await panel.staff_options(db) if s.is_active]
    return await render(
        request,
        "appeals/assign.html",
        {
            "a": appeal,
            "form": form,
            "executor_options": staff_choices(active),
            "department_options": [(d.id, d.name) for d in departments],
            "section": "appeals",
        },
    )
