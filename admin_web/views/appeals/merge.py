"""Merging a duplicate correspondent into the one on screen: a confirm page, then POST + CSRF.

The ids come from the address, so both records are reloaded and the service refuses anything already
merged; a refusal comes back on the confirm page as a translated message.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES
from admin_web.views.appeals.correspondents import contacts_line
from services import correspondents
from services.errors import DomainError, NotFound


@requires_role(*STAFF_ROLES)
async def correspondent_merge(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    keep_id = int(request.match_info["correspondent_id"])
    other_id = int(request.match_info["other_id"])
    error: str | None = None
    if request.method == "POST":
        try:
            kept = await correspondents.merge(db, keep_id, other_id, actor=request[USER_KEY].actor)
        except NotFound:
            raise web.HTTPNotFound() from None
        except DomainError as exc:
            await db.rollback()
            error = translate_error(exc.message, exc.params)
        else:
            await flash(request, gettext("The records are merged into «%(name)s».", name=kept.name))
            raise web.HTTPSeeOther(
                request.app.router["correspondent_page"].url_for(correspondent_id=str(kept.id))
            )
    try:
        keep = await correspondents.card(db, keep_id)
        other = await correspondents.card(db, other_id)
    except NotFound:
        raise web.HTTPNotFound() from None
    return await render(
        request,
        "appeals/merge.html",
        {
            "keep": keep,
            "other": other,
            "error": error,
            "contacts_line": contacts_line,
            "section": "correspondents",
        },
    )
