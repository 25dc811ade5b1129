"""The organisation's card: names, letterhead data, working hours, time zone, and the ССТУ.РФ
identifier (saved by its own service call: it is not letterhead data)."""

from __future__ import annotations

from dataclasses import asdict, fields

from aiohttp import web

from admin_web import org_name
from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only
from services.config import org_card
from services.errors import DomainError

FIELDS = [f.name for f in fields(org_card.Letterhead)]
SSTU_FIELD = "sstu_department_id"


@admin_only
async def org_card_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    if request.method == "POST":
        form = Form.posted(await request.post())
        values = {name: form.text(name, max_length=org_card.LIMITS.get(name, 15)) or "" for name in FIELDS}
        sstu_id = form.text(SSTU_FIELD, max_length=org_card.LIMITS[SSTU_FIELD]) or ""
        if form.ok:
            try:
                card = await org_card.save_card(db, request[USER_KEY].actor, org_card.Letterhead(**values))
                card = await org_card.save_sstu_department_id(db, request[USER_KEY].actor, sstu_id)
                await db.commit()  # before the header shows the new name
                org_name.remember(request, card.short_name or card.name)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("The organisation's card is saved."))
                raise web.HTTPSeeOther(request.app.router["settings_org"].url_for())
    else:
        form = Form(
            values=asdict(await org_card.letterhead(db)) | {SSTU_FIELD: await org_card.sstu_department_id(db)}
        )
    return await render(
        request,
        "settings/org.html",
        {
            "form": form,
            "running_zone": request.config_dict[SETTINGS_KEY].timezone,
            "section": "settings",
            "tab": "org",
        },
    )
