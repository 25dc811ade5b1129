"""Answer templates: list, create, edit, deactivate. Managers keep them as well as administrators;
the service re-checks the role and refuses a text with unknown placeholders."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import toggle_active
from models import AnswerTemplate, Category
from models.enums import Role
from services.appeals import answer_templates
from services.appeals.categories import name_in
from services.config import categories
from services.errors import DomainError, NotFound

editors_only = requires_role(Role.MANAGER)  # administrators pass every role check
LIST_ROUTE = "settings_answer_templates"


def _named(items: list[Category]) -> list[tuple[Category, str]]:
    locale = current_locale.get()
    return [(c, name_in(c, locale)) for c in items]


@editors_only
async def template_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    return await render(
        request,
        "settings/answer_templates.html",
        {
            "templates": await answer_templates.list_all(db),
            "topics": {c.id: name for c, name in _named(await categories.list_all(db))},
            "section": "settings",
            "tab": "answer_templates",
        },
    )


@editors_only
async def template_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@editors_only
async def template_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["item_id"]))


@editors_only
async def template_active(request: web.Request) -> web.StreamResponse:
    return await toggle_active(request, answer_templates.set_active, name=lambda t: t.title, back=LIST_ROUTE)


def _values(template: AnswerTemplate | None) -> dict[str, str]:
    if template is None:
        return {}
    return {
        "title": template.title,
        "body": template.body,
        "category_id": str(template.category_id or ""),
    }


async def _edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    template: AnswerTemplate | None = None
    if item_id is not None:
        try:
            template = await answer_templates.get(db, item_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    # Read before any rollback below expires the rows.
    topics = [(c.id, name, c.is_active) for c, name in _named(await categories.list_all(db))]
    current = template.category_id if template is not None else None
    if request.method == "POST":
        form = Form.posted(await request.post())
        title = form.text("title", required=True, max_length=answer_templates.TITLE_LIMIT)
        body = form.text("body", required=True, max_length=answer_templates.BODY_LIMIT)
        category_id = form.choice("category_id", {i for i, _name, _active in topics})
        if form.ok:
            data = answer_templates.TemplateInput(title=title or "", body=body or "", category_id=category_id)
            try:
                saved = await answer_templates.save(db, request[USER_KEY].actor, item_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Template “%(name)s” saved.", name=saved.title))
                raise web.HTTPSeeOther(request.app.router[LIST_ROUTE].url_for())
    else:
        form = Form(values=_values(template))
    return await render(
        request,
        "settings/answer_template_edit.html",
        {
            "form": form,
            "item_id": item_id,
            # A deactivated topic is not offered, unless the template already has it.
            "topic_options": [(i, name) for i, name, active in topics if active or i == current],
            "placeholders": [("{" + k + "}", gettext(v)) for k, v in answer_templates.PLACEHOLDERS.items()],
            "section": "settings",
            "tab": "answer_templates",
        },
        status=200 if form.ok else 400,
    )


def add_routes(router: web.UrlDispatcher) -> None:
    base = "/settings/answer-templates"
    router.add_get(base, template_list, name=LIST_ROUTE)
    for path, handler, name in (
        (base + "/new", template_new, "settings_answer_template_new"),
        (base + r"/{item_id:\d{1,18}}", template_edit, "settings_answer_template_edit"),
    ):
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", handler)
        resource.add_route("POST", handler)
    router.add_post(
        base + r"/{item_id:\d{1,18}}/active", template_active, name="settings_answer_template_active"
    )
