"""Open311 GeoReport v2 (JSON only): the service list, posting a request, reading requests.

Civic apps post form-encoded requests with an API key issued in the panel (the key is the
authentication, so CSRF does not apply under ``/open311/``). Reading needs no key, as the spec says,
and shows only requests that came in through this API. Open311 has no idempotency key: two equal
posts are two appeals. A typed e-mail or phone proves nothing, so each post gets its own
correspondent record and a match with an existing one becomes a suggestion a clerk confirms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from admin_web.forms import EMAIL_RE
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.security import public
from admin_web.views.common import notice_context
from admin_web.views.public import open311_format as fmt
from admin_web.views.public.common import OPEN311_LIMITER_KEY, client_ip, local_date
from models import ApiClient
from models.enums import AppealChannel
from services import api_clients, open311
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.errors import DomainError

MAX_PERIOD_DAYS = 90
NOT_JSON = N_("Only the JSON format is supported: use the .json ending.")


def _wrong_format(request: web.Request) -> web.Response | None:
    return fmt.error(400, NOT_JSON) if request.match_info.get("fmt") != "json" else None


def _limited(request: web.Request, key: object) -> web.Response | None:
    limiter = request.config_dict[OPEN311_LIMITER_KEY]
    wait = limiter.acquire(key)  # check and count in one step
    if wait:
        response = fmt.error(
            429, N_("Too many requests. Try again in %(seconds)d s."), seconds=math.ceil(wait)
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    return None


@public
async def services_list(request: web.Request) -> web.StreamResponse:
    refused = _wrong_format(request) or _limited(request, ("ip", client_ip(request)))
    if refused:
        return refused
    rows = await open311.services(request[DB_KEY])
    return web.json_response([fmt.service(category, group) for category, group in rows])


@public
async def requests_collection(request: web.Request) -> web.StreamResponse:
    refused = _wrong_format(request)
    if refused:
        return refused
    if request.method == "POST":
        return await _post_request(request)
    refused = _limited(request, ("ip", client_ip(request)))
    if refused:
        return refused
    filters = _filters(request)
    if isinstance(filters, web.Response):
        return filters
    rows = await open311.list_requests(request[DB_KEY], filters)
    return web.json_response([_service_request(request, row) for row in rows])


@public
async def request_item(request: web.Request) -> web.StreamResponse:
    refused = _wrong_format(request) or _limited(request, ("ip", client_ip(request)))
    if refused:
        return refused
    row = await open311.request_by_number(request[DB_KEY], request.match_info["request_id"])
    if row is None:
        return fmt.error(404, N_("There is no service request with this id."))
    return web.json_response([_service_request(request, row)])


def _service_request(request: web.Request, row: open311.RequestRow) -> dict[str, Any]:
    settings = request.config_dict[SETTINGS_KEY]
    return fmt.service_request(row, settings.tz, publish_answers=settings.open311_publish_answers)


@public
async def not_found(request: web.Request) -> web.StreamResponse:
    return fmt.error(404, N_("There is no such Open311 resource."))


@public
async def not_allowed(request: web.Request) -> web.StreamResponse:
    return fmt.error(405, N_("This address does not accept the %(method)s method."), method=request.method)


async def _post_request(request: web.Request) -> web.Response:
    try:
        data = await request.post()
    except web.HTTPRequestEntityTooLarge:  # media is sent as a link; a big body is not a request
        return fmt.error(413, N_("The request is too large."))
    values = {k: str(v).strip() for k, v in data.items() if isinstance(v, str)}
    db = request[DB_KEY]
    key = values.get("api_key") or request.query.get("api_key", "")
    if not key:
        return fmt.error(403, N_("An API key is required."))
    client = await api_clients.authenticate(db, key)
    if client is None:
        return fmt.error(403, N_("The API key is not valid or has been revoked."))
    refused = _limited(request, ("key", client.id))
    if refused:
        return refused
    parsed = await _appeal_input(request, values)
    if isinstance(parsed, web.Response):
        return parsed
    try:
        result = await register_appeal(
            db,
            parsed,
            actor=_actor(client),
            files_dir=request.config_dict[SETTINGS_KEY].files_dir,
            notify=notice_context(request),
        )
    except DomainError as exc:
        await db.rollback()
        return web.json_response(
            [{"code": 400, "description": translate_error(exc.message, exc.params)}], status=400
        )
    appeal = result.appeal
    notice = gettext(
        "Appeal %(number)s is registered. The answer is due by %(date)s.",
        number=appeal.reg_number,
        date=local_date(request, appeal.due_at),
    )
    body = [{"service_request_id": appeal.reg_number, "service_notice": notice, "account_id": None}]
    return web.json_response(body, status=201)


def _actor(client: ApiClient) -> Actor:
    return Actor(label=f"open311:{client.id}")


async def _appeal_input(request: web.Request, values: Mapping[str, str]) -> AppealInput | web.Response:
    code = values.get("service_code", "")
    if not code:
        return fmt.error(400, N_("service_code is required."))
    category = await open311.active_category_by_code(request[DB_KEY], code)
    if category is None:
        return fmt.error(400, N_("There is no service with the code %(code)s."), code=code[:64])
    lat, long = values.get("lat", ""), values.get("long", "")
    address = values.get("address_string", "")[:500] or None
    latitude = longitude = None
    if lat or long:
        try:
            latitude, longitude = float(lat), float(long)
        except ValueError:
            return fmt.error(400, N_("lat and long must be numbers in degrees."))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
            return fmt.error(400, N_("lat and long must be numbers in degrees."))
    elif address is None:
        return fmt.error(400, N_("A location is required: lat and long, or address_string."))
    media = values.get("media_url", "")
    if media and not media.lower().startswith(("http://", "https://")):
        return fmt.error(400, N_("media_url must be an http or https link."))
    text = "\n\n".join(part for part in (values.get("description", ""), media[:2000]) if part)
    if not text:
        return fmt.error(400, N_("A description is required."))
    email = values.get("email", "")[:255] or None
    if email and not EMAIL_RE.match(email):
        return fmt.error(400, N_("email is not a valid e-mail address."))
    phone = values.get("phone", "")[:32] or None
    name = " ".join(p for p in (values.get("first_name", ""), values.get("last_name", "")) if p)[:255]
    return AppealInput(
        channel=AppealChannel.OPEN311,
        text=text,
        contact=ContactInput(name=name or None, phone=phone, email=email),
        category_id=category.id,
        address=address,
        latitude=latitude,
        longitude=longitude,
        contact_phone=phone,
        reply_to=email,
    )


def _filters(request: web.Request) -> open311.RequestFilters | web.Response:
    query = request.query
    ids = tuple(i.strip() for i in query.get("service_request_id", "").split(",") if i.strip())
    statuses = {s.strip() for s in query.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return fmt.error(400, N_("status must be open or closed."))
    tz = request.config_dict[SETTINGS_KEY].tz
    try:
        start, end = _moment(query.get("start_date"), tz), _moment(query.get("end_date"), tz)
    except ValueError:
        return fmt.error(400, N_("start_date and end_date must be ISO 8601 date-times."))
    if start and end and (end - start).days > MAX_PERIOD_DAYS:
        return fmt.error(400, N_("The period may not be longer than %(days)d days."), days=MAX_PERIOD_DAYS)
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
