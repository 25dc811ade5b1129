"""«ЕДДС journal»: every incident, newest first, with filters by status, kind, organisation and period."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.views.common import zone
from admin_web.views.incidents.common import (
    KINDS,
    PAGE_SIZE,
    STATUSES,
    kind_text,
    labels,
    options,
    status_label,
    viewer,
)
from admin_web.views.listing_params import ListState, Sort, chip_text, read_search, read_sort
from admin_web.views.outages.common import day_start, local_day, positive_int
from services.incidents import queries
from services.incidents.shift import incident_place
from services.partners.members import active_organisations

FILTER_FIELDS = ("status", "kind", "org", "from", "to", "q")
DEFAULT_SORT = Sort("default")  # newest first


def _filter(request: web.Request, org_ids: set[int]) -> queries.IncidentFilter:
    tz = zone(request)
    params = request.query
    first, last = local_day(params.get("from")), local_day(params.get("to"))
    sort = read_sort(params, queries.SORT_KEYS, DEFAULT_SORT)
    org = params.get("org") or ""
    return queries.IncidentFilter(
        status=params.get("status") if params.get("status") in STATUSES else None,
        kind=params.get("kind") if params.get("kind") in KINDS else None,
        organisation_id=int(org) if org.isdigit() and len(org) < 19 and int(org) in org_ids else None,
        start=day_start(first, tz) if first else None,
        end=day_start(last + timedelta(days=1), tz) if last else None,
        text=read_search(params),
        sort=None if sort == DEFAULT_SORT else sort.key,
        desc=sort.desc,
    )


@viewer
async def incident_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    params = request.query
    orgs = {o.id: o.short_name or o.name for o in await active_organisations(db)}
    f = _filter(request, set(orgs))
    number = positive_int(params.get("page"))
    page = await queries.incidents_page(db, f, number=number, size=PAGE_SIZE)
    buildings = await queries.buildings_by_id(db, [i.building_id for i in page.items])
    responsible = await queries.organisations_by_id(db, [i.responsible_organisation_id for i in page.items])
    state = ListState(
        request, FILTER_FIELDS, read_sort(params, queries.SORT_KEYS, DEFAULT_SORT), DEFAULT_SORT
    )
    described = {
        "status": chip_text(gettext("Status"), status_label(f.status) if f.status else "—"),
        "kind": chip_text(gettext("Kind"), kind_text(f.kind) if f.kind else "—"),
        "org": chip_text(gettext("Organisation"), orgs.get(f.organisation_id or 0, "—")),
        "from": chip_text(gettext("From"), params.get("from", "")),
        "to": chip_text(gettext("To"), params.get("to", "")),
        "q": chip_text(gettext("Text contains"), f.text or ""),
    }
    return await render(
        request,
        "incidents/list.html",
        {
            **labels(),
            "page": page,
            "places": {i.id: incident_place(i, buildings.get(i.building_id or 0)) for i in page.items},
            "responsible": {o_id: o.short_name or o.name for o_id, o in responsible.items()},
            "filters": state.filters,
            "state": state,
            "chips": state.chips(described),
            "statuses": dict(options(STATUSES, status_label)),
            "kinds": dict(options(KINDS, kind_text)),
            "orgs": {str(k): v for k, v in orgs.items()},
            "prev_url": state.page_url(page=str(number - 1)) if number > 1 else None,
            "next_url": state.page_url(page=str(number + 1)) if number < page.pages else None,
            "section": "incidents",
        },
    )
