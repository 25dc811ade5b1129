"""Creating an assignment from the panel; the executor gets the card in Telegram through the outbox.

Attachments are stored as soon as they arrive (each checked by its bytes) and kept across a form that
comes back with errors, so a refused file or a missing field never costs the user the other files.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY
from admin_web.labels import PRIORITY_LABELS
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views import uploads
from admin_web.views.assignments import points_form
from admin_web.views.common import (
    acting_user,
    int_or_none,
    local_input,
    notice_context,
    parse_local,
    staff_choices,
    zone,
)
from models import Department, Project, StoredFile, User, utcnow
from models.enums import Priority, Role
from services.appeals import numbering, workflow
from services.assignment_files import link_to_assignment
from services.assignments import commands, panel, points
from services.directory import active_departments
from services.errors import DomainError
from services.files import MAX_FILE_BYTES
from services.templates import assignments as assignment_templates
from services.work_calendar import store as calendar_store

MAX_ATTACHMENTS = 10
MAX_REQUEST_BYTES = 50 * 1024 * 1024  # a few files of up to 20 MB each; bigger ones get a clear refusal
CONTROL_ROLES = (Role.CONTROLLER, Role.MANAGER)
MULTI = ("co_executors", "observers", "file_ids")


@requires_role(Role.CONTROLLER, Role.MANAGER, Role.CLERK)
async def assignment_new(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    user_id = user.id  # kept: a rollback below expires ``user``
    upload_errors: list[str] = []
    if request.method != "POST":
        form = Form(values={"controller_id": str(user_id), "priority": Priority.NORMAL.value})
        await _prefill(request, form)
        return await _render(request, form, user_id, upload_errors)

    data = await request.post()
    form = Form.posted(data, multi=MULTI + points_form.co_names(data.keys()))
    uploads = await _keep_uploads(request, form, user_id, data.getall("attachments", []), upload_errors)
    if points_form.row_numbers(form):
        return await _create_with_points(request, form, user_id, uploads, upload_errors)
    fields = await _validate(request, form, user_id)
    if fields is not None and form.ok and not upload_errors:
        try:
            assignment = await workflow.create_linked_assignment(
                db, user, fields, notify=notice_context(request)
            )
            await link_to_assignment(db, assignment.id, uploads, uploaded_by_user_id=user_id)
            if (template_id := int_or_none(str(form.values.get("template_id") or ""))) is not None:
                await assignment_templates.copy_checklist(db, assignment.id, template_id)
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("Assignment №%(id)s created.", id=assignment.id))
            raise web.HTTPSeeOther(
                request.app.router["assignment_page"].url_for(assignment_id=str(assignment.id))
            )
    return await _render(request, form, user_id, upload_errors)


async def _prefill(request: web.Request, form: Form) -> None:
    """«From a template» (``?template=<id>``): its title, text, executor, priority and deadline; its
    checklist is copied when the assignment is created. An unknown or inactive id prefills nothing."""
    template_id = int_or_none(request.query.get("template"))
    if template_id is None:
        return
    db = request[DB_KEY]
    try:
        template = await assignment_templates.get(db, template_id, active=True)
    except DomainError:
        return
    tz = zone(request)
    prefill = assignment_templates.apply(template, utcnow(), await calendar_store.load(db, tz))
    form.values.update(
        {
            "template_id": str(template.id),
            "title": prefill.title,
            "text": prefill.text,
            "executor_id": str(prefill.executor_id or ""),
            "department_id": str(prefill.department_id or ""),
            "priority": prefill.priority,
            "deadline": local_input(prefill.deadline, tz),
        }
    )


async def _create_with_points(
    request: web.Request, form: Form, user_id: int, uploads: list[int], upload_errors: list[str]
) -> web.StreamResponse:
    """The form's «Points» rows are filled: a multi-point assignment (services.assignments.points)."""
    db = request[DB_KEY]
    user = await acting_user(request)
    active = {s.id for s in await panel.staff_options(db) if s.is_active}
    departments = {d.id for d in await _departments(request)}
    controllers = {c.id for c in await _controllers(request, user_id)}
    title = form.text("title", required=True, max_length=commands.TITLE_LIMIT)
    text = form.text("text", max_length=commands.TEXT_LIMIT) or ""
    raw = form.text("deadline", max_length=32)
    deadline = parse_local(raw, zone(request)) if raw else None
    if raw and deadline is None:
        form.fail("deadline", N_("Enter a date and time."))
    priority = str(form.values.get("priority") or Priority.NORMAL.value)
    if priority not in PRIORITY_LABELS:
        form.fail("priority", N_("Choose a value from the list."))
    if form.text("appeal_id", max_length=numbering.REFERENCE_LIMIT):
        form.fail("appeal_id", N_("An appeal is linked to an assignment without points."))
    rows = points_form.parse(request, form, active=active, departments=departments)
    if rows is not None:
        data = points.NewParent(
            title=title or "",
            text=text,
            points=rows,
            controller_id=form.choice("controller_id", controllers) or user_id,
            deadline=deadline,
            priority=priority,
            project_id=form.choice("project_id", {p for p, _name in await _projects(request)}),
        )
        points_form.place_problems(form, await points.problems(db, data))
        if form.ok and not upload_errors:
            try:
                parent = await points.create(db, user, data, notify=notice_context(request))
                await link_to_assignment(db, parent.id, uploads, uploaded_by_user_id=user_id)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Assignment №%(id)s created.", id=parent.id))
                raise web.HTTPSeeOther(
                    request.app.router["assignment_page"].url_for(assignment_id=str(parent.id))
                )
    return await _render(request, form, user_id, upload_errors)


async def _keep_uploads(
    request: web.Request, form: Form, user_id: int, fields: list[Any], errors: list[str]
) -> list[int]:
    """Store the new files, keep the ones stored by an earlier try (see ``uploads.keep_uploads``)."""
    kept = form.values.get("file_ids") or []
    ids = await uploads.keep_uploads(request, user_id, fields, kept, errors, max_files=MAX_ATTACHMENTS)
    form.values["file_ids"] = [str(i) for i in ids]
    return ids


async def _pending_files(request: web.Request, user_id: int, raw_ids: list[str]) -> list[StoredFile]:
    return await uploads.pending_uploads(request, user_id, raw_ids, limit=MAX_ATTACHMENTS)


async def _validate(request: web.Request, form: Form, user_id: int) -> commands.NewAssignment | None:
    db = request[DB_KEY]
    staff = await panel.staff_options(db)
    active = {s.id for s in staff if s.is_active}
    departments = {d.id for d in await _departments(request)}
    controllers = {c.id for c in await _controllers(request, user_id)}
    projects = {p for p, _name in await _projects(request)}
    title = form.text("title", required=True, max_length=commands.TITLE_LIMIT)
    text = form.text("text", max_length=commands.TEXT_LIMIT) or ""
    executor_id = form.choice("executor_id", active)
    department_id = form.choice("department_id", departments)
    deadline_raw = form.text("deadline", required=True, max_length=32)
    deadline = parse_local(deadline_raw, zone(request)) if deadline_raw else None
    if deadline_raw and deadline is None:
        form.fail("deadline", N_("Enter a date and time."))
    priority = str(form.values.get("priority") or Priority.NORMAL.value)
    if priority not in PRIORITY_LABELS:
        form.fail("priority", N_("Choose a value from the list."))
    appeal_id = await _appeal_id(request, form)
    allowed = [str(i) for i in active]
    controller_id = form.choice("controller_id", controllers) or user_id
    project_id = form.choice("project_id", projects)
    co_executor_ids = tuple(int(v) for v in form.choices("co_executors", allowed))
    observer_ids = tuple(int(v) for v in form.choices("observers", allowed))
    if deadline is None:
        return None
    new = commands.NewAssignment(
        title=title or "",
        text=text,
        executor_id=executor_id,
        department_id=department_id,
        controller_id=controller_id,
        deadline=deadline,
        priority=priority,
        appeal_id=appeal_id,
        project_id=project_id,
        co_executor_ids=co_executor_ids,
        observer_ids=observer_ids,
    )
    # The rules themselves are the service's (the bot checks the same): each refusal by its field;
    # a field the form has already refused keeps the form's own message.
    for problem in await commands.problems(db, new):
        form.fail_domain(problem)
    return new


async def _appeal_id(request: web.Request, form: Form) -> int | None:
    """The linked appeal, typed as the panel shows it (``2026-000004``), ``4/2026`` or ``000004``."""
    raw = form.text("appeal_id", max_length=numbering.REFERENCE_LIMIT)
    if raw is None:
        return None
    try:
        appeal = await numbering.find_by_reference(
            request[DB_KEY], raw, year=numbering.current_year(zone(request))
        )
    except DomainError as exc:
        form.errors.setdefault("appeal_id", translate_error(exc.message, exc.params))
        return None
    form.values["appeal_id"] = appeal.reg_number  # shown back as the number, never the internal id
    return appeal.id


async def _departments(request: web.Request) -> list[Department]:
    return list(await active_departments(request[DB_KEY]))


async def _controllers(request: web.Request, user_id: int) -> list[panel.StaffOption]:
    options = [c for c in await panel.staff_options(request[DB_KEY], roles=CONTROL_ROLES) if c.is_active]
    if all(c.id != user_id for c in options):
        me = await request[DB_KEY].get(User, user_id)
        if me is not None:
            options.insert(0, panel.StaffOption(me.id, me.full_name, me.department_id, me.is_active))
    return options


async def _projects(request: web.Request) -> list[tuple[int, str]]:
    rows = await request[DB_KEY].execute(select(Project.id, Project.name).order_by(Project.name))
    return [(r.id, r.name) for r in rows]


async def _render(request: web.Request, form: Form, user_id: int, upload_errors: list[str]) -> web.Response:
    db = request[DB_KEY]
    departments = await _departments(request)
    active = [s for s in await panel.staff_options(db) if s.is_active]
    return await render(
        request,
        "assignments/new.html",
        {
            "form": form,
            "executor_options": staff_choices(active),
            "staff": staff_choices(active),
            "department_options": [(d.id, d.name) for d in departments],
            "controller_options": staff_choices(await _controllers(request, user_id)),
            "priority_options": [(code, gettext(label)) for code, label in PRIORITY_LABELS.items()],
            "project_options": await _projects(request),
            "uploads": await _pending_files(request, user_id, form.values.get("file_ids") or []),
            "upload_errors": upload_errors,
            "max_files": MAX_ATTACHMENTS,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "template_options": [
                (t.id, t.name) for t in await assignment_templates.list_all(db, active_only=True)
            ],
            "point_rows": points_form.rows_for_template(form),
            "section": "assignments",
        },
    )
