"""The place of an incident as the forms give it: a house of the register found by the same search as
the outage pages use (typos and ranges forgiven), picked from the houses found when there are several."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_
from admin_web.keys import DB_KEY
from admin_web.views.common import int_or_none
from models import Building
from services.addresses import search_buildings

FOUND_LIMIT = 20


async def find_building(
    request: web.Request, form: Form, *, finding: bool
) -> tuple[int | None, list[Building]]:
    """The chosen house, or the houses the typed address finds (to choose from)."""
    db = request[DB_KEY]
    chosen = int_or_none(str(form.values.get("building_id") or ""))
    query = form.text("building_query", max_length=200)
    if chosen is not None and not finding:
        if await db.get(Building, chosen) is None:
            form.fail("building_query", N_("This house is no longer in the register; find it again."))
            return None, []
        return chosen, []
    if query is None:
        if finding:
            form.fail("building_query", N_("Type a street and a house number to find."))
        return None, []
    found = await search_buildings(db, query, limit=FOUND_LIMIT)
    if not found:
        form.fail("building_query", N_("No house of the register matches «%(q)s»."), q=query)
    elif len(found) == 1 and not finding:
        return found[0].id, []
    elif not finding:
        form.fail("building_query", N_("Choose the house from those found."))
    return None, found
