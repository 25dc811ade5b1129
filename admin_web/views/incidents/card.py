"""One incident: its details and journal, and the dispatcher's forms that act on it.

Each form posts to its own route; a refusal re-shows the card with the message next to that form's
field, a success redirects back to the card (post/redirect/get) with a notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import func, select

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views.common import acting_user, notice_context, zone
from admin_web.views.incidents.common import dispatcher, incident_of, labels, viewer
from admin_web.views.incidents.forms import TEXT_LIMIT, coordinate, local_time
from admin_web.views.incidents.place import find_building
from models import Building, DispatchUpdate, Incident, User
from models.enums import UpdateKind
from services.errors import DomainError
from services.incidents import edits, journal, queries, update_notices
from services.incidents.shift import incident_place as place_text
from services.incidents.updates import Target
from services.partners.members import active_organisations

FORMS = ("action", "responsible", "cause", "close", "reopen")


def _url(request: web.Request, incident: Incident) -> str:
    return str(request.app.router["incident_page"].url_for(incident_id=str(incident.id)))


async def _render(
    request: web.Request,
    incident: Incident,
    forms: dict[str, Form] | None = None,
    found: list[Building] | None = None,
) -> web.Response:
    db = request[DB_KEY]
    card = await queries.incident_card(db, incident.id)
    blank = {
        # Times left empty mean «now» at the moment of saving, not when the page was opened.
        "action": Form(),
        "responsible": Form(values={"organisation_id": str(incident.responsible_organisation_id or "")}),
        "cause": Form(values={"cause": incident.cause}),
        "close": Form(),
        "reopen": Form(),
        "place": Form(
            values={
                "address_text": incident.address_text or "",
                "latitude": "" if incident.latitude is None else f"{incident.latitude:.6f}",
                "longitude": "" if incident.longitude is None else f"{incident.longitude:.6f}",
            }
        ),
    }
    blank.update(forms or {})
    return await render(
        request,
        "incidents/card.html",
        {
            **labels(),
            "card": card,
            "i": incident,
            "place": place_text(incident, card.building),
            "forms": blank,
            "org_options": [(o.id, o.name) for o in await active_organisations(db)],
            "is_open": incident.status in journal.OPEN,
            "found": found or [],
            "section": "incidents",
        },
    )


@viewer
async def incident_page(request: web.Request) -> web.StreamResponse:
    return await _render(request, await incident_of(request))


Step = Callable[[web.Request, User, Incident, Form], Awaitable[str | None]]


def _form_action(name: str, step: Step):  # type: ignore[no-untyped-def]
    """A POST handler: read the form, run ``step`` (it returns the notice to flash, or None after
    recording a refusal on the form), redirect to the card or re-show it with the refusal."""

    @dispatcher
    async def handler(request: web.Request) -> web.StreamResponse:
        db = request[DB_KEY]
        incident = await incident_of(request)
        form = Form.posted(await request.post())
        user = await acting_user(request)
        try:
            notice = await step(request, user, incident, form) if form.ok else None
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
            notice = None
        if notice is not None and form.ok:
            await flash(request, notice)
            raise web.HTTPSeeOther(_url(request, incident))
        if not form.errors:
            form.fail("", N_("The form could not be processed."))
        incident = await incident_of(request)  # reloaded after a rollback
        if (name == "reopen") == (incident.status in journal.OPEN):
            # A stale page (closed meanwhile, or reopened) or a forged post: the form is not on the
            # card any more, so its refusal is told above the card.
            for message in form.errors.values():
                await flash(request, message)
            raise web.HTTPSeeOther(_url(request, incident))
        return await _render(request, incident, {name: form})

    handler.__name__ = f"incident_{name}"
    return handler


async def _action(request: web.Request, user: User, incident: Incident, form: Form) -> str | None:
    tz = zone(request)
    text = form.text("text", required=True, max_length=TEXT_LIMIT)
    occurred = local_time(form, "occurred_at", tz)
    expected = local_time(form, "expected_end_at", tz)
    public = form.flag("public")
    if not form.ok or text is None:
        return None
    db = request[DB_KEY]
    update = await journal.add_action(
        db,
        user,
        incident.id,
        journal.ActionInput(text, occurred_at=occurred, expected_end_at=expected, public=public),
    )
    if public:
        await update_notices.broadcast_update(db, notice_context(request), update)
        return gettext("The action is recorded and sent to the residents.")
    return gettext("The action is recorded.")


async def _responsible(request: web.Request, user: User, incident: Incident, form: Form) -> str | None:
    db = request[DB_KEY]
    orgs = {o.id for o in await active_organisations(db)}
    org_id = form.choice("organisation_id", orgs)
    if not form.ok:
        return None
    before = incident.responsible_organisation_id
    await journal.set_responsible(db, user, incident.id, org_id)
    if org_id is None or org_id == before:
        return gettext("The responsible organisation is saved.")
    # A new event id per hand-over: handing it back to an organisation sends its card again.
    event = await db.scalar(
        select(func.max(DispatchUpdate.id)).where(
            DispatchUpdate.incident_id == incident.id, DispatchUpdate.kind == UpdateKind.ASSIGNED
        )
    )
    await update_notices.notify_assigned(
        db, notice_context(request), Target("incident", incident.id), event_id=event
    )
    return gettext("Handed to the organisation; its people are notified.")


async def _cause(request: web.Request, user: User, incident: Incident, form: Form) -> str | None:
    cause = form.text("cause", max_length=TEXT_LIMIT) or ""
    if not form.ok:
        return None
    await edits.set_cause(request[DB_KEY], user, incident.id, cause)
    return gettext("The cause is saved.")


async def _close(request: web.Request, user: User, incident: Incident, form: Form) -> str | None:
    note = form.text("note", required=True, max_length=TEXT_LIMIT)
    closed_at = local_time(form, "closed_at", zone(request))
    if not form.ok or note is None:
        return None
    db = request[DB_KEY]
    closed = await journal.close_incident(db, user, incident.id, note, closed_at=closed_at)
    await update_notices.notify_incident_closed(db, notice_context(request), closed)
    return gettext("Incident № %(number)s is closed.", number=closed.journal_number)


async def _reopen(request: web.Request, user: User, incident: Incident, form: Form) -> str | None:
    reason = form.text("reason", required=True, max_length=TEXT_LIMIT)
    if not form.ok or reason is None:
        return None
    await journal.reopen_incident(request[DB_KEY], user, incident.id, reason)
    return gettext("The incident is reopened.")


@dispatcher
async def incident_place_edit(request: web.Request) -> web.StreamResponse:
    """Correct the place; «Find» re-shows the card with the houses found to pick from."""
    db = request[DB_KEY]
    incident = await incident_of(request)
    form = Form.posted(await request.post())
    finding = bool(form.values.get("find"))
    building_id, found = await find_building(request, form, finding=finding)
    address = form.text("address_text", max_length=500)
    lat, lon = coordinate(form, "latitude"), coordinate(form, "longitude")
    if finding or not form.ok:
        form.values["building_id"] = ""
        return await _render(request, incident, {"place": form}, found)
    try:
        await edits.set_place(
            db,
            await acting_user(request),
            incident.id,
            building_id=building_id,
            address_text=address,
            latitude=lat,
            longitude=lon,
        )
    except DomainError as exc:
        await db.rollback()
        form.fail_domain(exc)
        incident = await incident_of(request)
        if incident.status not in journal.OPEN:
            await flash(request, next(iter(form.errors.values())))
            raise web.HTTPSeeOther(_url(request, incident)) from None
        return await _render(request, incident, {"place": form})
    await flash(request, gettext("The place is saved."))
    raise web.HTTPSeeOther(_url(request, incident))


incident_action = _form_action("action", _action)
incident_responsible = _form_action("responsible", _responsible)
incident_cause = _form_action("cause", _cause)
incident_close = _form_action("close", _close)
incident_reopen = _form_action("reopen", _reopen)
