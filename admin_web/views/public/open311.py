"""Open311 GeoReport v2 in XML (the spec's default) and JSON: discovery, services and their
definitions, reading requests; posting one lives in :mod:`open311_post`.

Reading needs no key, as the spec says, and shows only requests that came in through this API.
Staff-only topics are never listed, defined nor accepted. Every endpoint takes the optional
``jurisdiction_id`` (see :func:`open311_guards.foreign_jurisdiction`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.security import public
from admin_web.views.public import open311_attributes as attributes
from admin_web.views.public import open311_format as shape
from admin_web.views.public import open311_render as render
from admin_web.views.public.open311_guards import fmt_of, foreign_jurisdiction, limited
from admin_web.views.public.open311_post import post_request
from services import open311
from services.config.org_card import get_card

MAX_PERIOD_DAYS = 90
BASE_PATH = "/open311/v2"


def _refused(request: web.Request) -> web.Response | None:
    """The checks of every GET: the path's format, the jurisdiction, then the rate limit."""
    if request.match_info.get("fmt", "").lower() not in render.FORMATS:
        return render.error(render.XML, 404, N_("Use the .xml or .json ending."))
    return foreign_jurisdiction(request, request.query.get("jurisdiction_id")) or limited(request)


@public
async def discovery(request: web.Request) -> web.StreamResponse:
    refused = _refused(request)
    if refused:
        return refused
    settings = request.config_dict[SETTINGS_KEY]
    base = (settings.public_url or str(request.url.origin())).rstrip("/")
    card = await get_card(request[DB_KEY])
    reach = ", ".join(p for p in (card.name, card.phone, card.email) if p) if card else ""
    contact = reach or gettext("Ask the organisation that runs this server.")
    key_service = gettext(
        "API keys for posting requests are issued by the administrators of this server: %(contact)s",
        contact=contact,
    )
    body = shape.discovery(f"{base}{BASE_PATH}", contact, key_service)
    return render.respond(fmt_of(request), "discovery", body)


@public
async def services_list(request: web.Request) -> web.StreamResponse:
    refused = _refused(request)
    if refused:
        return refused
    rows = await open311.services(request[DB_KEY])
    body = [shape.service(category, group) for category, group in rows]
    return render.respond(fmt_of(request), "services", body)


@public
async def service_definition(request: web.Request) -> web.StreamResponse:
    refused = _refused(request)
    if refused:
        return refused
    row = await open311.service(request[DB_KEY], request.match_info["service_code"])
    if row is None:  # unknown, inactive and staff-only alike
        return render.error(fmt_of(request), 404, N_("There is no service with this code."))
    return render.respond(fmt_of(request), "service_definition", attributes.definition(row[0]))


@public
async def requests_collection(request: web.Request) -> web.StreamResponse:
    if request.method == "POST":
        if request.match_info.get("fmt", "").lower() not in render.FORMATS:
            return render.error(render.XML, 404, N_("Use the .xml or .json ending."))
        return await post_request(request)
    refused = _refused(request)
    if refused:
        return refused
    filters = _filters(request)
    if isinstance(filters, web.Response):
        return filters
    rows = await open311.list_requests(request[DB_KEY], filters)
    return render.respond(fmt_of(request), "service_requests", [_service_request(request, r) for r in rows])


@public
async def request_item(request: web.Request) -> web.StreamResponse:
    refused = _refused(request)
    if refused:
        return refused
    row = await open311.request_by_number(request[DB_KEY], request.match_info["request_id"])
    if row is None:
        return render.error(fmt_of(request), 404, N_("There is no service request with this id."))
    return render.respond(fmt_of(request), "service_requests", [_service_request(request, row)])


def _service_request(request: web.Request, row: open311.RequestRow) -> dict[str, Any]:
    settings = request.config_dict[SETTINGS_KEY]
    return shape.service_request(row, settings.tz, publish_answers=settings.open311_publish_answers)


def _tail_format(request: web.Request) -> str:
    """An unknown path answers in the format its ending asks for, XML otherwise."""
    return render.format_of(request.match_info.get("tail", "").rpartition(".")[2])


@public
async def not_found(request: web.Request) -> web.StreamResponse:
    return render.error(_tail_format(request), 404, N_("There is no such Open311 resource."))


@public
async def not_allowed(request: web.Request) -> web.StreamResponse:
    return render.error(
        fmt_of(request), 405, N_("This address does not accept the %(method)s method."), method=request.method
    )


def _filters(request: web.Request) -> open311.RequestFilters | web.Response:
    query, fmt = request.query, fmt_of(request)
    ids = tuple(i.strip() for i in query.get("service_request_id", "").split(",") if i.strip())
    statuses = {s.strip() for s in query.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return render.error(fmt, 400, N_("status must be open or closed."))
    tz = request.config_dict[SETTINGS_KEY].tz
    try:
        start, end = _moment(query.get("start_date"), tz), _moment(query.get("end_date"), tz)
    except ValueError:
        return render.error(fmt, 400, N_("start_date and end_date must be ISO 8601 date-times."))
    if start and end and (end - start).days > MAX_PERIOD_DAYS:
        return render.error(
            fmt, 400, N_("The period may not be longer than %(days)d days."), days=MAX_PERIOD_DAYS
        )
    return open311.RequestFilters(
        ids=ids,
        service_code=query.get("service_code") or None,
        start=start,
        end=end,
        status=next(iter(statuses)) if len(statuses) == 1 else None,
    )


def _moment(value: str | None, tz: Any) -> datetime | None:
    """``None`` when absent; a zone-less value is local time. A ``+`` sent unencoded reads as a space."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)
