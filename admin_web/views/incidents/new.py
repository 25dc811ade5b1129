"""Logging an incident in the panel: what, when, who reported it, where, and whom it is handed to.

The place is a house from the register (found as in the outage pages, by the same search), or a
description of the place, or a map point. «Find» re-shows the form with the houses found; nothing is
logged until the dispatcher submits it.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import PHONE_RE, Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views.common import acting_user, int_or_none, local_input, notice_context, zone
from admin_web.views.incidents.common import (
    INFORMANTS,
    KINDS,
    dispatcher,
    informant_label,
    kind_label,
    labels,
    options,
)
from admin_web.views.incidents.forms import TEXT_LIMIT, choice, coordinate, local_time
from admin_web.views.incidents.place import find_building
from models import Building, utcnow
from models.enums import InformantKind
from services.errors import DomainError
from services.incidents import journal, update_notices
from services.incidents.updates import Target
from services.partners.members import active_organisations


async def _org_options(request: web.Request) -> list[tuple[int, str]]:
    return [(o.id, o.name) for o in await active_organisations(request[DB_KEY])]


@dispatcher
async def incident_new(request: web.Request) -> web.StreamResponse:
    tz = zone(request)
    if request.method != "POST":
        values = {
            "received_at": local_input(utcnow(), tz),
            "informant_kind": InformantKind.RESIDENT.value,
            "is_public": True,
        }
        return await _render(request, Form(values=values), [])
    db = request[DB_KEY]
    form = Form.posted(await request.post())
    finding = bool(form.values.get("find"))
    building_id, found = await find_building(request, form, finding=finding)
    if finding:
        form.values["building_id"] = ""
        form.flag("is_public")
        return await _render(request, form, found)
    orgs = {o_id for o_id, _ in await _org_options(request)}
    kind = choice(form, "kind", KINDS)
    informant = choice(form, "informant_kind", INFORMANTS)
    received_at = local_time(form, "received_at", tz, required=True)
    expected_end_at = local_time(form, "expected_end_at", tz)
    name = form.text("informant_name", max_length=255)
    phone = form.matching(
        "informant_phone", PHONE_RE, N_("Enter a phone number, e.g. +7 900 123-45-67."), max_length=32
    )
    informant_org = form.choice("informant_organisation_id", orgs)
    responsible = form.choice("responsible_organisation_id", orgs)
    address = form.text("address_text", max_length=500)
    lat, lon = coordinate(form, "latitude"), coordinate(form, "longitude")
    description = form.text("description", required=True, max_length=TEXT_LIMIT) or ""
    cause = form.text("cause", max_length=TEXT_LIMIT) or ""
    public = form.flag("is_public")
    if form.ok and kind and informant and received_at:
        data = journal.NewIncident(
            kind=kind,
            received_at=received_at,
            informant_kind=informant,
            description=description,
            informant_name=name,
            informant_phone=phone,
            informant_organisation_id=informant_org,
            building_id=building_id,
            address_text=address,
            latitude=lat,
            longitude=lon,
            cause=cause,
            responsible_organisation_id=responsible,
            expected_end_at=expected_end_at,
            is_public=public,
        )
        try:
            incident = await journal.log_incident(db, await acting_user(request), data, tz=tz)
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            if incident.responsible_organisation_id is not None:
                await update_notices.notify_assigned(
                    db, notice_context(request), Target("incident", incident.id)
                )
            await flash(request, gettext("Incident № %(number)s is logged.", number=incident.journal_number))
            raise web.HTTPSeeOther(
                str(request.app.router["incident_page"].url_for(incident_id=str(incident.id)))
            )
    if building_id is not None:
        form.values["building_id"] = str(building_id)
    return await _render(request, form, found)


async def _render(request: web.Request, form: Form, found: list[Building]) -> web.Response:
    chosen_id = int_or_none(str(form.values.get("building_id") or ""))
    chosen = await request[DB_KEY].get(Building, chosen_id) if chosen_id else None
    return await render(
        request,
        "incidents/new.html",
        {
            **labels(),
            "form": form,
            "found": found,
            "chosen": chosen,
            "kind_options": options(KINDS, kind_label),
            "informant_options": options(INFORMANTS, informant_label),
            "org_options": await _org_options(request),
            "section": "incidents",
        },
    )
