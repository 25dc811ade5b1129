"""Volunteers at one event: who is on it (with «done»/«no-show» once it started), the suggested
volunteers — available then, free, the least busy this year first — and assigning one of them with a
role and, if it differs from the event's, a time of their own."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, local_input, notice_context, parse_local, zone
from admin_web.views.volunteers.common import ROLES, labels, path_id, refused
from models import utcnow
from services.errors import DomainError, InvalidInput
from services.volunteers import base, hours, listing, notices, shifts, suggest
from services.volunteers.vocabulary import slot_of


def event_url(request: web.Request, event_id: int) -> str:
    return str(request.app.router["volunteers_event"].url_for(event_id=str(event_id)))


@requires_role(*ROLES)
async def event_page(request: web.Request) -> web.StreamResponse:
    db, tz, now = request[DB_KEY], zone(request), utcnow()
    try:
        event = await shifts.load_event(db, path_id(request, "event_id"))
    except DomainError:
        raise web.HTTPNotFound() from None
    day, part = slot_of(event.starts_at.astimezone(tz))
    return await render(
        request,
        "volunteers/event.html",
        {
            **labels(),
            "section": "volunteers",
            "event": event,
            "event_end": shifts.event_end(event),
            "slot": (day, part),
            "shifts": await listing.event_shifts(db, event.id),
            "suggested": [] if event.cancelled_at else await suggest.for_event(db, event, tz, now),
            "event_hours": await hours.of_event(db, event.id),
            "start_value": local_input(event.starts_at, tz),
            "end_value": local_input(shifts.event_end(event), tz),
            "now": now,
        },
    )


@requires_role(*ROLES)
async def assign_post(request: web.Request) -> web.StreamResponse:
    db, tz = request[DB_KEY], zone(request)
    event_id = path_id(request, "event_id")
    back = event_url(request, event_id)
    data = await request.post()
    raw_id = str(data.get("volunteer_id") or "")
    starts_raw, ends_raw = str(data.get("starts_at") or ""), str(data.get("ends_at") or "")
    starts_at = parse_local(starts_raw, tz) if starts_raw.strip() else None
    ends_at = parse_local(ends_raw, tz) if ends_raw.strip() else None
    try:
        if not raw_id.isdigit() or len(raw_id) > 18:
            raise InvalidInput("Volunteer not found.")
        if (starts_raw.strip() and starts_at is None) or (ends_raw.strip() and ends_at is None):
            raise InvalidInput("Enter the time as a date and time.")
        shift = await shifts.assign(
            db,
            await acting_user(request),
            volunteer_id=int(raw_id),
            event_id=event_id,
            role=str(data.get("role") or "")[:1000],
            starts_at=starts_at,
            ends_at=ends_at,
            ctx=notice_context(request),
        )
    except DomainError as exc:
        raise await refused(request, exc, back) from None
    volunteer = await base.load(db, shift.volunteer_id)
    told = await notices.chat_of(db, volunteer.correspondent_id, notice_context(request))
    await flash(
        request,
        gettext("Assigned; the volunteer is asked in the bot to confirm.")
        if told
        else gettext("Assigned. The volunteer has no Telegram chat with the bot: tell them yourself."),
    )
    raise web.HTTPSeeOther(back)
