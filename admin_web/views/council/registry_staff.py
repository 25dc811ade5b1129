"""The registry's staff side: every entry (published or not), publish/unpublish, the description and
the region edited (organisers only; each change audited in the service)."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.council.common import require_organiser
from models import RegistryEntry
from services.council import registry as entries
from services.errors import DomainError


async def registry(request: web.Request) -> web.StreamResponse:
    await require_organiser(request)
    query = request.query.get("q", "")[: entries.SEARCH_LIMIT]
    page = int(request.query["page"]) if request.query.get("page", "").isdigit() else 1
    found = await entries.search(request[DB_KEY], query, page=page, published_only=False)
    context = {"section": "council", "found": found, "q": query}
    return await render(request, "council/registry.html", context)


async def entry_edit(request: web.Request) -> web.StreamResponse:
    await require_organiser(request)
    db = request[DB_KEY]
    entry = await db.get(RegistryEntry, int(request.match_info["entry_id"]))
    if entry is None:
        raise web.HTTPNotFound()
    if request.method != "POST":
        form = Form(values={"description": entry.description, "region": entry.region})
        return await _render(request, entry, form)
    form = Form.posted(await request.post())
    actor = request[USER_KEY].actor
    try:
        if form.values.get("op") in ("publish", "unpublish"):
            await entries.set_published(db, actor, entry.id, form.values["op"] == "publish")
            message = (
                N_("Entry published.") if entry.published else N_("Entry hidden from the public registry.")
            )
            await flash(request, gettext(message))
        else:
            description = form.text("description", max_length=entries.DESCRIPTION_LIMIT) or ""
            region = form.text("region", max_length=entries.REGION_LIMIT) or ""
            if not form.ok:
                return await _render(request, entry, form, status=400)
            await entries.edit_entry(db, actor, entry.id, description=description, region=region)
            await flash(request, gettext("Entry saved."))
    except DomainError as exc:
        entry_id = entry.id
        await db.rollback()  # expires the entry: loaded again for the page
        form.fail_domain(exc)
        return await _render(request, await db.get(RegistryEntry, entry_id), form, status=400)
    raise web.HTTPSeeOther(str(request.app.router["council_registry_edit"].url_for(entry_id=str(entry.id))))


async def _render(request, entry, form, *, status: int = 200):  # type: ignore[no-untyped-def]
    context = {"section": "council", "entry": entry, "form": form}
    return await render(request, "council/registry_edit.html", context, status=status)
