"""Assignment templates in the panel (list, new, edit, deactivate) and the service desk's answer
templates (the same for ``scope="service"``). The services re-check the roles on every save."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.labels import PRIORITY_LABELS
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import staff_choices, toggle_active
from admin_web.views.service_desk.common import topic_name
from models import AnswerTemplate, AssignmentTemplate, ServiceTopic
from models.enums import Priority, Role
from services.appeals.answer_templates import BODY_LIMIT, TITLE_LIMIT
from services.assignments import panel
from services.directory import active_departments
from services.errors import DomainError, NotFound
from services.service_desk import panel as desk_panel
from services.templates import answers
from services.templates import assignments as templates

creators = requires_role(Role.CONTROLLER, Role.MANAGER, Role.CLERK)
managers = requires_role(Role.MANAGER)


@creators
async def template_list(request: web.Request) -> web.StreamResponse:
    rows = await templates.list_all(request[DB_KEY])
    return await render(
        request, "task_tools/templates_list.html", {"templates": rows, "section": "assignment_templates"}
    )


@creators
async def template_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@creators
async def template_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["item_id"]))


@creators
async def template_active(request: web.Request) -> web.StreamResponse:
    return await toggle_active(
        request, templates.set_active, name=lambda t: t.name, back="assignment_templates"
    )


def _values(template: AssignmentTemplate | None) -> dict[str, Any]:
    if template is None:
        return {"term_days": "5", "term_working": True, "priority": Priority.NORMAL.value}
    return {
        "name": template.name,
        "title": template.title,
        "text": template.text,
        "checklist": "\n".join(str(i) for i in template.checklist or []),
        "checklist_required": template.checklist_required,
        "executor_id": str(template.executor_id or ""),
        "department_id": str(template.department_id or ""),
        "priority": template.priority,
        "term_days": str(template.term_days),
        "term_working": template.term_working,
    }


async def _edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    template: AssignmentTemplate | None = None
    if item_id is not None:
        try:
            template = await templates.get(db, item_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    staff = [s for s in await panel.staff_options(db) if s.is_active]
    departments = list(await active_departments(db))
    if request.method == "POST":
        form = Form.posted(await request.post())
        name = form.text("name", required=True, max_length=templates.NAME_LIMIT) or ""
        title = form.text("title", required=True, max_length=500) or ""
        text = form.text("text", max_length=10_000) or ""
        term_raw = str(form.values.get("term_days") or "0").strip()
        if not term_raw.isdigit():
            form.fail("term_days", N_("Enter a whole number."))
        data = templates.TemplateInput(
            name=name,
            title=title,
            text=text,
            checklist=tuple(str(form.values.get("checklist") or "").splitlines()),
            checklist_required=form.flag("checklist_required"),
            executor_id=form.choice("executor_id", {s.id for s in staff}),
            department_id=form.choice("department_id", {d.id for d in departments}),
            priority=str(form.values.get("priority") or Priority.NORMAL.value),
            term_days=int(term_raw) if term_raw.isdigit() else 0,
            term_working=form.flag("term_working"),
        )
        if form.ok:
            try:
                saved = await templates.save(db, request[USER_KEY].actor, item_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Template “%(name)s” saved.", name=saved.name))
                raise web.HTTPSeeOther(request.app.router["assignment_templates"].url_for())
    else:
        form = Form(values=_values(template))
    return await render(
        request,
        "task_tools/template_edit.html",
        {
            "form": form,
            "item_id": item_id,
            "executor_options": staff_choices(staff),
            "department_options": [(d.id, d.name) for d in departments],
            "priority_options": [(code, gettext(label)) for code, label in PRIORITY_LABELS.items()],
            "section": "assignment_templates",
        },
        status=200 if form.ok else 400,
    )


# -- the service desk's answer templates -----------------------------------------------------------


async def _topics(request: web.Request) -> list[ServiceTopic]:
    return await desk_panel.topics(request[DB_KEY])


@managers
async def answer_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    topics = {t.id: topic_name(t) for t in await _topics(request)}
    return await render(
        request,
        "task_tools/answers_list.html",
        {
            "templates": await answers.list_service(db),
            "topics": topics,
            "section": "service_answer_templates",
        },
    )


@managers
async def answer_new(request: web.Request) -> web.StreamResponse:
    return await _answer_edit(request, None)


@managers
async def answer_edit(request: web.Request) -> web.StreamResponse:
    return await _answer_edit(request, int(request.match_info["item_id"]))


@managers
async def answer_active(request: web.Request) -> web.StreamResponse:
    return await toggle_active(
        request, answers.set_service_active, name=lambda t: t.title, back="service_answer_templates"
    )


async def _answer_edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    template: AnswerTemplate | None = None
    if item_id is not None:
        try:
            template = await answers.get_service(db, item_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    topics = [(t.id, topic_name(t), t.is_active) for t in await _topics(request)]
    current = template.service_topic_id if template is not None else None
    if request.method == "POST":
        form = Form.posted(await request.post())
        title = form.text("title", required=True, max_length=TITLE_LIMIT)
        body = form.text("body", required=True, max_length=BODY_LIMIT)
        topic_id = form.choice("service_topic_id", {i for i, _n, _a in topics})
        if form.ok:
            try:
                saved = await answers.save_service(
                    db,
                    request[USER_KEY].actor,
                    item_id,
                    title=title or "",
                    body=body or "",
                    topic_id=topic_id,
                )
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Template “%(name)s” saved.", name=saved.title))
                raise web.HTTPSeeOther(request.app.router["service_answer_templates"].url_for())
    else:
        values = {}
        if template is not None:
            values = {
                "title": template.title,
                "body": template.body,
                "service_topic_id": str(template.service_topic_id or ""),
            }
        form = Form(values=values)
    return await render(
        request,
        "task_tools/answer_edit.html",
        {
            "form": form,
            "item_id": item_id,
            "topic_options": [(i, name) for i, name, active in topics if active or i == current],
            "section": "service_answer_templates",
        },
        status=200 if form.ok else 400,
    )


def _form_routes(
    router: web.UrlDispatcher, base: str, name: str, handlers: tuple[Any, Any, Any, Any]
) -> None:
    listing, new, edit, active = handlers
    router.add_get(base, listing, name=name)
    for path, handler, route in (
        (base + "/new", new, name + "_new"),
        (base + r"/{item_id:\d{1,18}}", edit, name + "_edit"),
    ):
        resource = router.add_resource(path, name=route)
        resource.add_route("GET", handler)
        resource.add_route("POST", handler)
    router.add_post(base + r"/{item_id:\d{1,18}}/active", active, name=name + "_active")


def add_routes(router: web.UrlDispatcher) -> None:
    _form_routes(
        router,
        "/assignment-templates",
        "assignment_templates",
        (template_list, template_new, template_edit, template_active),
    )
    _form_routes(
        router,
        "/service-answer-templates",
        "service_answer_templates",
        (answer_list, answer_new, answer_edit, answer_active),
    )
