"""The meetings' list and the form to plan, edit or cancel one (organisers only; members see their own)."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.common import local_input, parse_local, zone
from admin_web.views.council.common import is_organiser, meeting_id, refused, require_organiser, to_meeting
from services.council import agenda, meetings
from services.errors import DomainError


async def meeting_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    organiser = await is_organiser(request)
    rows = await meetings.list_meetings(db)
    if not organiser:  # a member sees the meetings they are invited to
        mine = await meetings.meetings_of(db, request[USER_KEY].id)
        rows = [(m, n) for m, n in rows if m.id in mine]
    context = {"section": "council", "rows": rows, "organiser": organiser, "tz": zone(request)}
    return await render(request, "council/meetings.html", context)


async def meeting_new(request: web.Request) -> web.StreamResponse:
    await require_organiser(request)
    return await _form(request, None)


async def meeting_edit(request: web.Request) -> web.StreamResponse:
    await require_organiser(request)
    return await _form(request, meeting_id(request))


async def meeting_cancel(request: web.Request) -> web.StreamResponse:
    mid = meeting_id(request)
    try:
        meeting = await agenda.cancel_meeting(request[DB_KEY], request[USER_KEY].actor, mid)
        await flash(request, gettext("Meeting %(number)s cancelled.", number=meeting.number))
    except DomainError as exc:
        await refused(request, exc)
    raise to_meeting(request, mid)


async def _form(request: web.Request, mid: int | None) -> web.StreamResponse:
    db, tz = request[DB_KEY], zone(request)
    meeting = await meetings.get_meeting(db, mid) if mid else None
    if meeting is not None:
        try:
            meetings.require_planned(meeting)
        except DomainError as exc:
            await refused(request, exc)
            raise to_meeting(request, mid or 0) from None
    chosen = await meetings.member_ids(db, mid) if mid else []
    staff = await meetings.active_staff(db, chosen)
    ids = {u.id for u in staff}
    if request.method != "POST":
        values = (
            {"held_at": local_input(meeting.held_at, tz), "place": meeting.place, "notes": meeting.notes,
             "chair_id": str(meeting.chair_id or ""), "secretary_id": str(meeting.secretary_id or ""),
             "member_ids": [str(i) for i in chosen]}
            if meeting else {"secretary_id": str(request[USER_KEY].id), "member_ids": []}
        )  # fmt: skip
        return await _render(request, Form(values=values), meeting, staff)
    form = Form.posted(await request.post(), multi=("member_ids",))
    held_at = parse_local(form.text("held_at", required=True) or "", tz)
    if form.values.get("held_at") and held_at is None:
        form.fail("held_at", N_("Enter the date and time."))
    place = form.text("place", max_length=meetings.PLACE_LIMIT) or ""
    notes = form.text("notes", max_length=meetings.NOTES_LIMIT) or ""
    chair = form.choice("chair_id", ids)
    secretary = form.choice("secretary_id", ids)
    members = form.choices("member_ids", {str(i) for i in ids}, required=True)
    if chair is None:
        form.fail("chair_id", N_("Choose the chair."))
    if secretary is None:
        form.fail("secretary_id", N_("Choose the secretary."))
    if not form.ok or held_at is None or chair is None or secretary is None:
        return await _render(request, form, meeting, staff)
    data = meetings.MeetingInput(held_at, place, chair, secretary, tuple(int(i) for i in members), notes)
    try:
        if meeting is None:
            meeting = await meetings.create_meeting(db, request[USER_KEY].actor, data, tz=zone(request))
            await flash(request, gettext("Meeting %(number)s planned.", number=meeting.number))
        else:
            await meetings.edit_meeting(db, request[USER_KEY].actor, meeting.id, data, tz=zone(request))
            await flash(request, gettext("Meeting %(number)s saved.", number=meeting.number))
    except DomainError as exc:
        await db.rollback()
        form.fail_domain(exc)
        meeting = await meetings.get_meeting(db, mid) if mid else None
        return await _render(request, form, meeting, await meetings.active_staff(db, chosen), status=400)
    raise to_meeting(request, meeting.id)


async def _render(request, form, meeting, staff, *, status: int = 200):  # type: ignore[no-untyped-def]
    choices = [(u.id, u.full_name) for u in staff]
    context = {"section": "council", "form": form, "meeting": meeting, "staff": staff, "choices": choices}
    return await render(request, "council/meeting_form.html", context, status=status)
