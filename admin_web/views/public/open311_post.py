"""Open311 ``POST requests``: a civic app files an appeal with an API key issued in the panel.

The spec posts form fields; a JSON object with the same names is accepted as well (``attribute``
may then be an object of codes). The key is the authentication, so CSRF does not apply under
``/open311/``. Open311 has no idempotency key: two equal posts are two appeals. A typed e-mail or
phone proves nothing, so each post gets its own correspondent record and a match with an existing
one becomes a suggestion a clerk confirms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from admin_web.forms import EMAIL_RE
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.views.common import notice_context
from admin_web.views.public import open311_attributes as attributes
from admin_web.views.public import open311_render as render
from admin_web.views.public.common import local_date
from admin_web.views.public.open311_guards import fmt_of, foreign_jurisdiction, limited
from models import ApiClient
from models.enums import AppealChannel
from services import api_clients, open311
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.errors import DomainError
from services.text_input import clean_line, clean_text


class BadBody(ValueError):
    pass


async def post_request(request: web.Request) -> web.Response:
    fmt = fmt_of(request)
    try:
        values = await _values(request)
    except web.HTTPRequestEntityTooLarge:  # media is sent as a link; a big body is not a request
        return render.error(fmt, 413, N_("The request is too large."))
    except BadBody:
        return render.error(fmt, 400, N_("The body is not a JSON object."))
    refused = foreign_jurisdiction(
        request, values.get("jurisdiction_id") or request.query.get("jurisdiction_id")
    )
    if refused:
        return refused
    db = request[DB_KEY]
    key = values.get("api_key") or request.query.get("api_key", "")
    if not key:
        return render.error(fmt, 403, N_("An API key is required."))
    client = await api_clients.authenticate(db, key)
    if client is None:
        return render.error(fmt, 403, N_("The API key is not valid or has been revoked."))
    refused = limited(request, ("key", client.id))
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
        return render.errors(fmt, 400, translate_error(exc.message, exc.params))
    appeal = result.appeal
    notice = gettext(
        "Appeal %(number)s is registered. The answer is due by %(date)s.",
        number=appeal.reg_number,
        date=local_date(request, appeal.due_at),
    )
    body = [{"service_request_id": appeal.reg_number, "service_notice": notice, "account_id": None}]
    return render.respond(fmt, "service_requests", body, status=201)


async def _values(request: web.Request) -> dict[str, str]:
    """The posted fields as stripped strings, from a form or a JSON object."""
    if request.content_type == "application/json":
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            raise BadBody from None
        if not isinstance(data, dict):
            raise BadBody
        return _flatten(data)
    form = await request.post()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}


def _flatten(data: Mapping[str, Any]) -> dict[str, str]:
    """JSON scalars as the form would carry them; ``{"attribute": {"x": ..}}`` as ``attribute[x]``.

    Cleaned here as ``input_guard`` cleans form bodies (it reads forms only): no control characters.
    """
    values: dict[str, str] = {}
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            values |= {f"attribute[{k}]": v for k, v in _flatten(value).items()}
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            values[clean_line(str(key))] = clean_text(str(value)).strip()
    return values


def _actor(client: ApiClient) -> Actor:
    return Actor(label=f"open311:{client.id}")


async def _appeal_input(request: web.Request, values: Mapping[str, str]) -> AppealInput | web.Response:
    fmt = fmt_of(request)
    code = values.get("service_code", "")
    if not code:
        return render.error(fmt, 400, N_("service_code is required."))
    category = await open311.active_category_by_code(request[DB_KEY], code)
    if category is None:
        return render.error(fmt, 400, N_("There is no service with the code %(code)s."), code=code[:64])
    try:
        extra = attributes.read(values)
    except attributes.AttributeTooLong as exc:
        return render.error(
            fmt,
            400,
            N_("attribute[%(code)s] may be at most %(n)d characters long."),
            code=exc.attribute.code,
            n=exc.attribute.max_length,
        )
    lat, long = values.get("lat", ""), values.get("long", "")
    address = values.get("address_string", "")[:500] or None
    latitude = longitude = None
    if lat or long:
        try:
            latitude, longitude = float(lat), float(long)
        except ValueError:
            return render.error(fmt, 400, N_("lat and long must be numbers in degrees."))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
            return render.error(fmt, 400, N_("lat and long must be numbers in degrees."))
    elif address is None:
        return render.error(fmt, 400, N_("A location is required: lat and long, or address_string."))
    media = values.get("media_url", "")
    if media and not media.lower().startswith(("http://", "https://")):
        return render.error(fmt, 400, N_("media_url must be an http or https link."))
    text = "\n\n".join(part for part in (values.get("description", ""), media[:2000]) if part)
    if not text:
        return render.error(fmt, 400, N_("A description is required."))
    email = values.get("email", "")[:255] or None
    if email and not EMAIL_RE.match(email):
        return render.error(fmt, 400, N_("email is not a valid e-mail address."))
    phone = values.get("phone", "")[:32] or None
    name = " ".join(p for p in (values.get("first_name", ""), values.get("last_name", "")) if p)[:255]
    details = extra.get(attributes.ADDRESS_DETAILS.code)
    return AppealInput(
        channel=AppealChannel.OPEN311,
        text=text,
        subject=extra.get(attributes.SUBJECT.code),
        contact=ContactInput(name=name or None, phone=phone, email=email),
        category_id=category.id,
        address=", ".join(part for part in (address, details) if part) or None,
        latitude=latitude,
        longitude=longitude,
        contact_phone=phone,
        reply_to=email,
    )
