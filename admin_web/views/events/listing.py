"""The list of events: upcoming (soonest first) or past (latest first), with their counts."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import requires_role
from models.enums import Role
from services.events.events import counts, list_events


@requires_role(Role.MANAGER, Role.CLERK)
async def event_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    past = request.query.get("past") == "1"
    events = await list_events(db, past=past)
    return await render(
        request,
        "events/list.html",
        {
            "events": events,
            "counts": await counts(db, [e.id for e in events]),
            "past": past,
            "section": "events",
        },
    )
