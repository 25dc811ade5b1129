"""The volunteer base: the list with filters (status, skill, availability) and hours, and the events
of the last month and the next three to staff or to mark hours for."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.common import zone
from admin_web.views.volunteers.common import ROLES, STATUS_LABELS, labels
from models import utcnow
from services.volunteers import listing
from services.volunteers.vocabulary import DAYS, PARTS


@requires_role(*ROLES)
async def volunteer_list(request: web.Request) -> web.StreamResponse:
    db, params, now = request[DB_KEY], request.query, utcnow()
    status = params.get("status") or ""
    flt = listing.Filter(
        status=status if status in STATUS_LABELS else None,
        skill=(params.get("skill") or "").strip()[:64] or None,
        day=params.get("day") if params.get("day") in DAYS else None,
        part=params.get("part") if params.get("part") in PARTS else None,
    )
    rows = await listing.rows(db, flt, zone(request), now)
    return await render(
        request,
        "volunteers/list.html",
        {
            **labels(),
            "section": "volunteers",
            "rows": rows,
            "filters": {
                "status": flt.status or "",
                "skill": flt.skill or "",
                "day": flt.day or "",
                "part": flt.part or "",
            },
            "skills": await listing.all_skills(db),
            "events": await listing.events_around(db, now),
            "now": now,
        },
    )
