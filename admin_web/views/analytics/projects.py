"""Projects in the panel: the list with progress, a new project, a project's page with its stages
(planned and actual dates, derived status, linked work) and the actions on them."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.exports import table_response
from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views.common import acting_user, int_or_none, zone
from models import Assignment, Department, Project, User, utcnow
from services.assignments import access as assignment_access
from services.errors import DomainError, NotFound
from services.projects import access as project_access
from services.projects import commands
from services.projects.progress import ProjectProgress, all_projects, project_progress

STATUS_LABELS = {
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "late": N_("late"),
    "done": N_("finished"),
}


def _today(request: web.Request) -> date:
    return utcnow().astimezone(zone(request)).date()


def _date(form: Form, name: str, *, required: bool = False) -> date | None:
    raw = form.text(name, required=required, max_length=10)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.fail(name, N_("Enter a date."))
        return None


async def _viewer(request: web.Request) -> User:
    """Projects are for those who see all work or have a project to see (services/projects/access)."""
    user = await acting_user(request)
    condition = await project_access.visible_condition(request[DB_KEY], user)
    if condition is not None:
        if await request[DB_KEY].scalar(select(Project.id).where(condition).limit(1)) is None:
            raise web.HTTPForbidden()
    return user


async def _listed(request: web.Request) -> tuple[User, bool, list[ProjectProgress], dict[int, str]]:
    """The projects the page and its export show: the viewer, whether finished ones are included,
    each project's progress and the names of the people behind them."""
    user = await _viewer(request)
    db = request[DB_KEY]
    show_done = request.query.get("done") == "1"
    progresses = await all_projects(
        db, today=_today(request), now=utcnow(), include_done=show_done, viewer=user
    )
    names = dict((await db.execute(select(User.id, User.full_name))).all())
    await db.commit()  # derived statuses that changed are stored (and audited)
    return user, show_done, progresses, names


async def project_list(request: web.Request) -> web.StreamResponse:
    user, show_done, progresses, names = await _listed(request)
    return await render(
        request,
        "analytics/projects.html",
        {
            "section": "projects",
            "progresses": progresses,
            "names": names,
            "labels": STATUS_LABELS,
            "show_done": show_done,
            "can_create": commands.can_manage(user),
        },
    )


async def project_new(request: web.Request) -> web.StreamResponse:
    user = await acting_user(request)
    if not commands.can_manage(user):
        raise web.HTTPForbidden()
    db = request[DB_KEY]
    people = list(
        (
            await db.execute(select(User.id, User.full_name).where(User.is_active).order_by(User.full_name))
        ).all()
    )
    departments = list(
        (await db.execute(select(Department.id, Department.name).order_by(Department.name))).all()
    )
    if request.method == "POST":
        form = Form.posted(await request.post())
        name = form.text("name", required=True)
        description = form.text("description", max_length=5000) or ""
        manager_id = form.choice("manager_id", {i for i, _n in people})
        department_id = form.choice("department_id", {i for i, _n in departments})
        starts_on, ends_on = _date(form, "starts_on"), _date(form, "ends_on")
        if form.ok and name:
            try:
                project = await commands.create_project(
                    db, user, name=name, description=description, manager_id=manager_id,
                    department_id=department_id, starts_on=starts_on, ends_on=ends_on,
                )  # fmt: skip
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await db.commit()
                await flash(request, gettext(N_("Project “%(name)s” created."), name=project.name))
                raise web.HTTPSeeOther(request.app.router["project_page"].url_for(project_id=str(project.id)))
    else:
        form = Form(values={"manager_id": str(user.id)})
    return await render(
        request,
        "analytics/project_new.html",
        {"section": "projects", "form": form, "people": people, "departments": departments},
    )


async def project_page(request: web.Request) -> web.StreamResponse:
    user = await acting_user(request)
    db = request[DB_KEY]
    try:
        project = await project_access.visible_project(db, int(request.match_info["project_id"]), user)
        progress = await project_progress(db, project.id, today=_today(request), now=utcnow())
    except NotFound:
        raise web.HTTPNotFound() from None
    await db.commit()
    stage_ids = [s.stage.id for s in progress.stages]
    # The stages' figures count all their work; the list names only what this user may see.
    linked = (
        [
            a
            for a in await db.scalars(
                select(Assignment).where(Assignment.stage_id.in_(stage_ids)).order_by(Assignment.deadline)
            )
            if await assignment_access.can_view(db, a, user)
        ]
        if stage_ids
        else []
    )
    names = dict((await db.execute(select(User.id, User.full_name))).all())
    return await render(
        request,
        "analytics/project_page.html",
        {
            "section": "projects",
            "p": progress,
            "linked": linked,
            "names": names,
            "labels": STATUS_LABELS,
            "can_manage": commands.can_manage(user, progress.project),
            "errors": request.query.get("error"),
        },
    )


async def project_act(request: web.Request) -> web.StreamResponse:
    """One POST endpoint for the page's forms: add a stage, set a stage's dates, link or unlink work."""
    user = await acting_user(request)
    db = request[DB_KEY]
    project_id = int(request.match_info["project_id"])
    try:
        await project_access.visible_project(db, project_id, user)
    except NotFound:
        raise web.HTTPNotFound() from None
    form = Form.posted(await request.post())
    action = form.values.get("action")
    try:
        if action == "add_stage":
            name = form.text("name", required=True)
            start, end = _date(form, "planned_start"), _date(form, "planned_end")
            if form.ok and name:
                await commands.add_stage(
                    db, user, project_id, name=name, planned_start=start, planned_end=end
                )
        elif action == "stage_dates":
            stage_id = int_or_none(str(form.values.get("stage_id")))
            stage = await commands.get_stage(db, stage_id or 0)
            if stage.project_id != project_id:
                raise web.HTTPNotFound()
            dates: dict[str, Any] = {
                k: _date(form, k) for k in ("planned_start", "planned_end", "actual_start", "actual_end")
            }
            if form.ok:
                await commands.set_stage_dates(db, user, stage.id, **dates)
        elif action == "link":
            stage_id = int_or_none(str(form.values.get("stage_id")))
            stage = await commands.get_stage(db, stage_id or 0)
            if stage.project_id != project_id:
                raise web.HTTPNotFound()
            assignment_id = int_or_none(str(form.values.get("assignment_id")).lstrip("№# "))
            if assignment_id is None:
                form.fail("assignment_id", N_("Enter the assignment number."))
            else:
                await commands.link_assignment(db, user, stage.id, assignment_id)
        elif action == "unlink":
            assignment = await db.get(Assignment, int_or_none(str(form.values.get("assignment_id"))) or 0)
            if assignment is None or assignment.project_id != project_id:
                raise web.HTTPNotFound()  # (unlink_assignment checks that the user may see it)
            await commands.unlink_assignment(db, user, assignment.id)
        else:
            raise web.HTTPBadRequest()
    except DomainError as exc:
        await db.rollback()
        form.fail_domain(exc)
    if form.ok:
        await db.commit()
        await flash(request, gettext(N_("Saved.")))
    else:
        await db.rollback()
        for message in form.errors.values():
            await flash(request, message)
    raise web.HTTPSeeOther(request.app.router["project_page"].url_for(project_id=str(project_id)))


PROJECT_EXPORT_HEADER = (
    N_("Project"),
    N_("Project manager"),
    N_("Status"),
    N_("Start"),
    N_("End"),
    N_("Stages done"),
    N_("Stages"),
    N_("Assignments done"),
    N_("Assignments"),
)


async def project_export(request: web.Request) -> web.StreamResponse:
    _, _, progresses, names = await _listed(request)
    rows = [
        [
            p.project.name,
            names.get(p.project.manager_id, ""),
            gettext(STATUS_LABELS[p.status.value]),
            p.project.starts_on,
            p.project.ends_on,
            sum(1 for s in p.stages if s.status.value == "done"),
            len(p.stages),
            p.work.done,
            p.work.total,
        ]
        for p in progresses
    ]
    header = [gettext(h) for h in PROJECT_EXPORT_HEADER]
    return await table_response(
        request,
        request.match_info["fmt"],
        "projects",
        header,
        rows,
        sheet=gettext("Projects"),
        widths=(44, 30, 14, 12, 12, 8, 8, 8, 8),
    )
