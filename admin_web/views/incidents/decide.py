"""The dispatcher's decision on an organisation's report waiting for approval, from the panel: the
same rule as the bot's buttons (``services.incidents.updates.decide``), then the residents' notice.
One route serves incidents and outages; it returns to the page the report belongs to."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext, translate_error
from admin_web.keys import DB_KEY
from admin_web.render import flash
from admin_web.views.common import acting_user, notice_context
from admin_web.views.incidents.common import dispatcher
from models import DispatchUpdate
from services.errors import DomainError
from services.incidents import update_notices, updates


def _back(request: web.Request, update: DispatchUpdate) -> str:
    router = request.app.router
    if update.incident_id is not None:
        return str(router["incident_page"].url_for(incident_id=str(update.incident_id)))
    return str(router["outage_page"].url_for(outage_id=str(update.outage_id)))


@dispatcher
async def decide_update(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    update = await db.get(DispatchUpdate, int(request.match_info["update_id"]))
    if update is None:
        raise web.HTTPNotFound()
    back = _back(request, update)
    form = Form.posted(await request.post())
    decision = form.text("decision", max_length=16)
    if decision not in ("publish", "keep"):
        raise web.HTTPBadRequest(text="decision: publish or keep")
    try:
        decided = await updates.decide(
            db, await acting_user(request), update.id, approve=decision == "publish"
        )
    except DomainError as exc:
        await db.rollback()
        await flash(request, translate_error(exc.message, exc.params))
        raise web.HTTPSeeOther(back) from None
    if decision == "publish":
        sent = await update_notices.broadcast_update(db, notice_context(request), decided)
        await flash(request, gettext("Published to the residents: %(n)s notices queued.", n=sent.queued))
    else:
        await flash(request, gettext("The report stays in the journal; residents are not told."))
    raise web.HTTPSeeOther(back)
