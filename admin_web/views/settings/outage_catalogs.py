"""Outage resources (with their emoji) and social object types: list, add, edit, deactivate."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only, number
from models import OutageResource, SocialObjectType
from services.config import outage_catalogs
from services.errors import DomainError

RESOURCE = "resource"


@admin_only
async def catalog_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    if await outage_catalogs.ensure_defaults(db):
        await db.commit()
    return await render(
        request,
        "settings/outages.html",
        {
            "resources": await outage_catalogs.list_resources(db),
            "social_types": await outage_catalogs.list_social_types(db),
            "section": "settings",
            "tab": "outages",
        },
    )


@admin_only
async def item_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@admin_only
async def item_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["item_id"]))


def _values(item: OutageResource | SocialObjectType | None) -> dict[str, object]:
    if item is None:
        return {"position": "100", "is_active": True}
    values: dict[str, object] = {
        "code": item.code,
        "name_ru": item.name_ru,
        "name_en": item.name_en,
        "position": str(item.position),
        "is_active": item.is_active,
    }
    if isinstance(item, OutageResource):
        values["emoji"] = item.emoji
    return values


async def _edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    kind = request.match_info["kind"]
    model = OutageResource if kind == RESOURCE else SocialObjectType
    item = await db.get(model, item_id) if item_id is not None else None
    if item_id is not None and item is None:
        raise web.HTTPNotFound()
    if request.method == "POST":
        form = Form.posted(await request.post())
        data = outage_catalogs.CatalogInput(
            code=form.text("code", required=True, max_length=32) or "",
            name_ru=form.text("name_ru", required=True) or "",
            name_en=form.text("name_en") or "",
            position=number(form, "position") or 0,
            is_active=form.flag("is_active"),
            emoji=(form.text("emoji", max_length=16) or "") if kind == RESOURCE else "",
        )
        if form.ok:
            save = outage_catalogs.save_resource if kind == RESOURCE else outage_catalogs.save_social_type
            try:
                await save(db, request[USER_KEY].actor, item_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Saved: %(name)s.", name=data.name_ru))
                raise web.HTTPSeeOther(request.app.router["settings_outages"].url_for())
    else:
        form = Form(values=_values(item))
    return await render(
        request,
        "settings/outage_item.html",
        {"form": form, "kind": kind, "item_id": item_id, "section": "settings", "tab": "outages"},
    )
