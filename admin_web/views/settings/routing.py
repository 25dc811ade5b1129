"""Routing rules: which department an appeal's topic (on a street or in a district) goes to."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only, number
from models import RoutingRule
from services.appeals.categories import name_in
from services.config import categories, routing
from services.directory import active_departments
from services.errors import DomainError, NotFound


@admin_only
async def rule_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    locale = current_locale.get()
    return await render(
        request,
        "settings/routing.html",
        {
            "rules": await routing.list_rules(db),
            "category_names": {c.id: name_in(c, locale) for c in await categories.list_all(db)},
            "department_names": {d.id: d.name for d in await active_departments(db)},
            "section": "settings",
            "tab": "routing",
        },
    )


@admin_only
async def rule_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@admin_only
async def rule_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["item_id"]))


@admin_only
async def rule_delete(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        await routing.delete(db, request[USER_KEY].actor, int(request.match_info["item_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None
    await flash(request, gettext("Routing rule deleted."))
    raise web.HTTPSeeOther(request.app.router["settings_routing"].url_for())


def _values(rule: RoutingRule | None) -> dict[str, str]:
    if rule is None:
        return {"priority": "100"}
    return {
        "category_id": str(rule.category_id),
        "department_id": str(rule.department_id),
        "street": rule.street or "",
        "district": rule.district or "",
        "priority": str(rule.priority),
    }


async def _edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    rule: RoutingRule | None = None
    if item_id is not None:
        try:
            rule = await routing.get(db, item_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    if request.method == "POST":
        form = Form.posted(await request.post())
        category_id = form.choice("category_id", {c.id for c in await categories.list_all(db)})
        department_id = form.choice("department_id", {d.id for d in await active_departments(db)})
        for name, value in (("category_id", category_id), ("department_id", department_id)):
            if value is None and name not in form.errors:
                form.fail(name, N_("This field is required."))
        street = form.text("street")
        district = form.text("district")
        priority = number(form, "priority", required=True)
        if form.ok and category_id is not None and department_id is not None:
            data = routing.RuleInput(
                category_id=category_id,
                department_id=department_id,
                street=street,
                district=district,
                priority=priority or 0,
            )
            try:
                await routing.save(db, request[USER_KEY].actor, item_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Routing rule saved."))
                raise web.HTTPSeeOther(request.app.router["settings_routing"].url_for())
    else:
        form = Form(values=_values(rule))
    locale = current_locale.get()
    return await render(
        request,
        "settings/rule_edit.html",
        {
            "form": form,
            "item_id": item_id,
            "category_options": [
                (c.id, name_in(c, locale)) for c in await categories.list_all(db) if c.is_active
            ],
            "department_options": [(d.id, d.name) for d in await active_departments(db)],
            "section": "settings",
            "tab": "routing",
        },
    )
