"""The event form: a new event, or an edit (more seats promote the waiting list), and cancelling."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, local_input, notice_context, parse_local, zone
from admin_web.views.events.common import event_of, event_url
from models import MuseumEvent
from models.enums import Role
from services.errors import DomainError
from services.events import events as catalog
from services.events import manage

INT_MAX_DIGITS = 6


def _values(event: MuseumEvent, request: web.Request) -> dict[str, object]:
    tz = zone(request)
    return {
        "title": event.title,
        "programme": event.programme or "",
        "place": event.place,
        "description": event.description,
        "starts_at": local_input(event.starts_at, tz),
        "ends_at": local_input(event.ends_at, tz),
        "capacity": "" if event.capacity is None else str(event.capacity),
        "remind_hours": str(event.remind_hours),
        "registration_open": "1" if event.registration_open else "",
    }


def _number(form: Form, name: str, *, required: bool) -> int | None:
    raw = str(form.values.get(name) or "").strip()
    if not raw:
        if required:
            form.fail(name, N_("This field is required."))
        return None
    if not raw.isdigit() or len(raw) > INT_MAX_DIGITS:
        form.fail(name, N_("Enter a whole number."))
        return None
    return int(raw)


def _read(form: Form, request: web.Request) -> catalog.EventInput | None:
    tz = zone(request)
    title = form.text("title", required=True, max_length=catalog.TITLE_MAX)
    programme = form.text("programme", max_length=catalog.PROGRAMME_MAX)
    place = form.text("place", max_length=catalog.PLACE_MAX) or ""
    description = form.text("description", max_length=catalog.DESCRIPTION_MAX) or ""
    raw_start = form.text("starts_at", required=True)
    starts_at = parse_local(raw_start, tz) if raw_start else None
    if raw_start and starts_at is None:
        form.fail("starts_at", N_("Enter a date and time."))
    raw_end = form.text("ends_at")
    ends_at = parse_local(raw_end, tz) if raw_end else None
    if raw_end and ends_at is None:
        form.fail("ends_at", N_("Enter a date and time."))
    capacity = _number(form, "capacity", required=False)
    remind = _number(form, "remind_hours", required=False)
    if not form.ok or title is None or starts_at is None:
        return None
    return catalog.EventInput(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        programme=programme,
        place=place,
        capacity=capacity,
        registration_open=form.values.get("registration_open") == "1",
        remind_hours=24 if remind is None else remind,
    )


async def _show(
    request: web.Request, form: Form, event: MuseumEvent | None, status: int = 200
) -> web.Response:
    return await render(
        request, "events/form.html", {"form": form, "event": event, "section": "events"}, status=status
    )


async def _save(request: web.Request, event: MuseumEvent | None) -> web.StreamResponse:
    db = request[DB_KEY]
    form = Form.posted(await request.post())
    data = _read(form, request)
    if data is not None:
        try:
            user = await acting_user(request)
            if event is None:
                saved = await manage.create_event(db, user, data)
            else:
                saved = await manage.update_event(db, user, event.id, data, notice_context(request))
            await db.commit()
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("The event is saved."))
            raise web.HTTPSeeOther(event_url(request, saved.id))
    return await _show(request, form, event, status=400)


@requires_role(Role.MANAGER, Role.CLERK)
async def event_new(request: web.Request) -> web.StreamResponse:
    if request.method == "POST":
        return await _save(request, None)
    return await _show(request, Form(values={"registration_open": "1", "remind_hours": "24"}), None)


@requires_role(Role.MANAGER, Role.CLERK)
async def event_edit(request: web.Request) -> web.StreamResponse:
    event = await event_of(request)
    if request.method == "POST":
        return await _save(request, event)
    return await _show(request, Form(values=_values(event, request)), event)


@requires_role(Role.MANAGER, Role.CLERK)
async def event_cancel(request: web.Request) -> web.StreamResponse:
    event = await event_of(request)
    db = request[DB_KEY]
    if (await request.post()).get("confirm") != "1":
        await flash(request, gettext("Tick the confirmation to cancel the event."))
        raise web.HTTPSeeOther(event_url(request, event.id))
    try:
        await manage.cancel_event(db, await acting_user(request), event.id, notice_context(request))
        await db.commit()
    except DomainError as exc:
        await db.rollback()
        raise web.HTTPForbidden(text=gettext(exc.message, **exc.params)) from None
    await flash(request, gettext("The event is cancelled; everyone registered is told."))
    raise web.HTTPSeeOther(event_url(request, event.id))
