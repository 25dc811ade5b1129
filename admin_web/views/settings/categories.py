"""Appeal categories (topics): list, create, edit, deactivate; the settings area's home page."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only, number
from models import Category
from models.enums import CategoryAudience
from services.appeals import classifier
from services.config import categories
from services.directory import active_departments
from services.errors import DomainError, NotFound

PICKER_LIMIT = 400  # the classifier's questions listed in the page; more: searched as one types
AUDIENCE_LABELS: dict[str, str] = {
    CategoryAudience.BOTH.value: N_("Residents and staff"),
    CategoryAudience.RESIDENTS.value: N_("Residents only"),
    CategoryAudience.STAFF.value: N_("Staff only"),
}


@admin_only
async def settings_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(request.app.router["settings_categories"].url_for())


@admin_only
async def category_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    names = {d.id: d.name for d in await active_departments(db)}
    return await render(
        request,
        "settings/categories.html",
        {
            "categories": await categories.list_all(db),
            "departments": names,
            "audiences": AUDIENCE_LABELS,
            "section": "settings",
            "tab": "categories",
        },
    )


@admin_only
async def category_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@admin_only
async def category_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["item_id"]))


@admin_only
async def category_active(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    active = (await request.post()).get("active") == "1"
    try:
        category = await categories.set_active(
            db, request[USER_KEY].actor, int(request.match_info["item_id"]), active
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await db.rollback()
        raise web.HTTPForbidden(text=gettext(exc.message)) from None
    message = (
        N_("Category “%(name)s” is offered again.") if active else N_("Category “%(name)s” deactivated.")
    )
    await flash(request, gettext(message, name=category.name_ru))
    raise web.HTTPSeeOther(request.app.router["settings_categories"].url_for())


def _values(category: Category | None) -> dict[str, str]:
    if category is None:
        return {"answer_days": "30", "audience": CategoryAudience.BOTH.value}
    return {
        "code": category.code,
        "name_ru": category.name_ru,
        "name_en": category.name_en,
        "answer_days": str(category.answer_days),
        "department_id": str(category.department_id or ""),
        "audience": category.audience,
        "classifier_code": category.classifier_code or "",
    }


async def _edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    category: Category | None = None
    if item_id is not None:
        try:
            category = await categories.get(db, item_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    if request.method == "POST":
        form = Form.posted(await request.post())
        departments = {d.id for d in await active_departments(db)}
        code = form.text("code", required=True, max_length=64)
        name_ru = form.text("name_ru", required=True)
        name_en = form.text("name_en")
        answer_days = number(form, "answer_days", required=True)
        department_id = form.choice("department_id", departments)
        audience = form.text("audience", required=True, max_length=16) or ""
        classifier_code = form.text("classifier_code", max_length=32)
        if audience and audience not in AUDIENCE_LABELS:
            form.fail("audience", N_("Choose a value from the list."))
        if form.ok:
            data = categories.CategoryInput(
                code=code or "",
                name_ru=name_ru or "",
                name_en=name_en or "",
                answer_days=answer_days or 0,
                department_id=department_id,
                audience=audience,
                classifier_code=classifier_code,
            )
            try:
                saved = await categories.save(db, request[USER_KEY].actor, item_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Category “%(name)s” saved.", name=saved.name_ru))
                raise web.HTTPSeeOther(request.app.router["settings_categories"].url_for())
    else:
        form = Form(values=_values(category))
    departments_list = await active_departments(db)
    return await render(
        request,
        "settings/category_edit.html",
        {
            "form": form,
            "item_id": item_id,
            "department_options": [(d.id, d.name) for d in departments_list],
            "audience_options": [(k, gettext(v)) for k, v in AUDIENCE_LABELS.items()],
            "picker": await classifier.all_questions(db, at_most=PICKER_LIMIT),
            "section": "settings",
            "tab": "categories",
        },
    )
