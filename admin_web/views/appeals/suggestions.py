"""Possible duplicates raised by typed contacts: the open list, and a clerk's confirm (merge the
appeal's record into the existing one) or dismiss. POST + CSRF; the id is reloaded and re-checked
by the service, which refuses a suggestion already decided."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES
from admin_web.views.appeals.correspondents import contacts_line
from services.correspondents import suggestions
from services.errors import DomainError, NotFound


@requires_role(*STAFF_ROLES)
async def suggestion_list(request: web.Request) -> web.StreamResponse:
    rows = await suggestions.open_suggestions(request[DB_KEY])
    return await render(
        request,
        "appeals/suggestions.html",
        {"rows": rows, "contacts_line": contacts_line, "section": "correspondents"},
    )


@requires_role(*STAFF_ROLES)
async def suggestion_decide(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    suggestion_id = int(request.match_info["suggestion_id"])
    actor = request[USER_KEY].actor
    try:
        if request.match_info["decision"] == "confirm":
            kept = await suggestions.confirm(db, suggestion_id, actor=actor)
            message = gettext("The records are merged into «%(name)s».", name=kept.name)
        else:
            await suggestions.dismiss(db, suggestion_id, actor=actor)
            message = gettext("The suggestion is dismissed: the records stay apart.")
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await db.rollback()
        message = translate_error(exc.message, exc.params)
    await flash(request, message)
    back = request.query.get("back", "")
    target = (
        request.app.router["correspondent_page"].url_for(correspondent_id=back)
        if back.isdigit()
        else request.app.router["correspondent_suggestions"].url_for()
    )
    raise web.HTTPSeeOther(target)
