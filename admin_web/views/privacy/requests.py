"""A person's requests about their data, from the correspondent card: export (ZIP) and erasure.

The services re-check who may (services.privacy.rights); each export and erasure is audited and
written to the personal data access log.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import func, select

from admin_web.client_address import client_ip
from admin_web.forms import Form
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES
from admin_web.views.common import acting_user, zone
from admin_web.views.files import content_disposition
from models import Appeal, Correspondent
from services.errors import DomainError, PermissionDenied
from services.privacy import access_log, erasure, export, retention

MAX_REASON = erasure.MAX_REASON


async def _person(request: web.Request) -> Correspondent:
    c = await request[DB_KEY].get(Correspondent, int(request.match_info["correspondent_id"]))
    if c is None:
        raise web.HTTPNotFound()
    return c


@requires_role(*STAFF_ROLES)
async def export_person(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    c = await _person(request)
    user = await acting_user(request)
    try:
        settings = request.config_dict[SETTINGS_KEY]
        reader = export.Reader(current_locale.get(), zone(request))
        _c, content = await export.export_zip(db, user, c.id, settings.files_dir, reader)
    except PermissionDenied:
        raise web.HTTPForbidden() from None
    access_log.note(db, user.id, access_log.EXPORT, correspondent_id=c.id, ip=client_ip(request))
    return web.Response(
        body=content,
        content_type="application/zip",
        headers={
            "Content-Disposition": content_disposition("attachment", f"personal-data-{c.id}.zip"),
            "Cache-Control": "no-store",
        },
    )


@requires_role(*STAFF_ROLES)
async def erase_person(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    c = await _person(request)
    user = await acting_user(request)
    form = Form()
    if request.method == "POST":
        form = Form.posted(await request.post())
        reason = form.text("reason", required=True, max_length=MAX_REASON)
        if not form.flag("confirm"):
            form.fail("confirm", N_("Tick the box to confirm the erasure."))
        if form.ok:
            try:
                await erasure.erase_on_request(db, user, c.id, reason or "")
            except PermissionDenied:
                raise web.HTTPForbidden() from None
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                access_log.note(db, user.id, access_log.ERASE, correspondent_id=c.id, ip=client_ip(request))
                await flash(request, gettext("The person's data is erased."))
                raise web.HTTPSeeOther(
                    request.app.router["correspondent_page"].url_for(correspondent_id=str(c.id))
                )
    return await render(
        request,
        "privacy/erase.html",
        {
            "c": c,
            "form": form,
            "open_appeals": await _open_count(request, c.id),
            "erased": await erasure.erasure_of(db, c.id),
            "section": "correspondents",
        },
        status=400 if form.errors else 200,
    )


async def _open_count(request: web.Request, correspondent_id: int) -> int:
    """Unfinished appeals: after the erasure their answer has no address to go to."""
    query = (
        select(func.count())
        .select_from(Appeal)
        .where(Appeal.correspondent_id == correspondent_id, Appeal.status.not_in(retention.FINISHED))
    )
    return await request[DB_KEY].scalar(query) or 0
