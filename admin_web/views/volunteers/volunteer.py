"""A volunteer's page: the card link, skills, availability and notes (editable), status actions and
the shifts with «done» (hours) and «no-show». Every action goes through ``services.volunteers``,
which re-checks the role and the state; the page only offers what fits the current state."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, notice_context, zone
from admin_web.views.volunteers.common import (
    ACTIONS,
    ROLES,
    STATUS_LABELS,
    hours_text,
    labels,
    path_id,
    refused,
)
from models import utcnow
from services.errors import DomainError, InvalidInput
from services.volunteers import base, hours, notices, shifts
from services.volunteers.vocabulary import DAYS, PARTS, parse_skills, slots_of

HOURS_MAX_LENGTH = 6


def page_url(request: web.Request, volunteer_id: int) -> str:
    return str(request.app.router["volunteer"].url_for(volunteer_id=str(volunteer_id)))


async def _load(request: web.Request) -> int:
    volunteer_id = path_id(request, "volunteer_id")
    try:
        await base.load(request[DB_KEY], volunteer_id)
    except DomainError:
        raise web.HTTPNotFound() from None
    return volunteer_id


@requires_role(*ROLES)
async def volunteer_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    volunteer = await base.load(db, await _load(request))
    card = await base.card_of(db, volunteer)
    ctx = notice_context(request)
    return await render(
        request,
        "volunteers/volunteer.html",
        {
            **labels(),
            "section": "volunteers",
            "volunteer": volunteer,
            "card": card,
            "reachable": await notices.chat_of(db, card.id, ctx) is not None,
            "hours": await hours.of_volunteer(db, volunteer.id, zone(request), utcnow()),
            "shifts": await shifts.shifts_of(db, volunteer.id),
            "actions": ACTIONS.get(volunteer.status, ()),
            "slots": {f"{d}_{p}" for d, p in slots_of(volunteer.availability)},
            "skills_text": ", ".join(volunteer.skills or []),
            "now": utcnow(),
        },
    )


@requires_role(*ROLES)
async def status_post(request: web.Request) -> web.StreamResponse:
    volunteer_id = await _load(request)
    status = str((await request.post()).get("status") or "")
    back = page_url(request, volunteer_id)
    try:
        await base.set_status(
            request[DB_KEY], await acting_user(request), volunteer_id, status, ctx=notice_context(request)
        )
    except DomainError as exc:
        raise await refused(request, exc, back) from None
    await flash(request, gettext("Status: %(status)s.", status=gettext(STATUS_LABELS[status])))
    raise web.HTTPSeeOther(back)


@requires_role(*ROLES)
async def profile_post(request: web.Request) -> web.StreamResponse:
    volunteer_id = await _load(request)
    form = Form.posted(await request.post(), multi=("slot",))
    allowed = {f"{d}_{p}" for d in DAYS for p in PARTS}
    picked = form.choices("slot", allowed)
    skills = parse_skills(form.text("skills", max_length=2000) or "")
    notes = form.text("notes", max_length=base.NOTES_MAX) or ""
    back = page_url(request, volunteer_id)
    if not form.ok:
        raise await refused(request, InvalidInput(next(iter(form.errors.values()))), back)
    slots = {tuple(s.split("_", 1)) for s in picked}
    try:
        await base.update_profile(
            request[DB_KEY],
            await acting_user(request),
            volunteer_id,
            skills=skills,
            availability=slots,
            notes=notes,  # type: ignore[arg-type]
        )
    except DomainError as exc:
        raise await refused(request, exc, back) from None
    await flash(request, gettext("Saved."))
    raise web.HTTPSeeOther(back)


def _hours(raw: str) -> float | None:
    raw = raw.strip().replace(",", ".")[:HOURS_MAX_LENGTH]
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput("Hours must be more than 0 and at most 24.", field="hours") from None
    if value != value:  # NaN
        raise InvalidInput("Hours must be more than 0 and at most 24.", field="hours")
    return value


async def _shift_back(request: web.Request, shift_volunteer: int, event_id: int, where: str) -> str:
    if where == "event":
        return str(request.app.router["volunteers_event"].url_for(event_id=str(event_id)))
    return page_url(request, shift_volunteer)


@requires_role(*ROLES)
async def shift_post(request: web.Request) -> web.StreamResponse:
    """«Done» (with hours, empty: the shift's length) or «no-show» on a shift; back where it came from."""
    db = request[DB_KEY]
    shift_id = path_id(request, "shift_id")
    try:
        shift = await shifts.load_shift(db, shift_id)
    except DomainError:
        raise web.HTTPNotFound() from None
    data = await request.post()
    back = await _shift_back(request, shift.volunteer_id, shift.event_id, str(data.get("back") or ""))
    action = request.match_info["action"]
    user = await acting_user(request)
    try:
        if action == "done":
            done = await shifts.mark_done(db, user, shift_id, hours=_hours(str(data.get("hours") or "")))
            message = gettext("Marked as done: %(hours)s h.", hours=hours_text(done.hours))
        else:
            await shifts.mark_no_show(db, user, shift_id)
            message = gettext("Marked as a no-show.")
    except DomainError as exc:
        raise await refused(request, exc, back) from None
    await flash(request, message)
    raise web.HTTPSeeOther(back)
