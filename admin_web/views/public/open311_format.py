"""Open311 GeoReport v2 data in the spec's shape: services, service requests, the discovery document.

Plain structures; :mod:`open311_render` writes them as JSON or XML.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web.i18n import current_locale, gettext
from admin_web.views.public import open311_render as render
from admin_web.views.public.open311_attributes import ATTRIBUTES
from models import Appeal, Category
from models.enums import AppealStatus
from services.appeals import categories
from services.open311 import RequestRow, status_group

MEDIA_URL_RE = re.compile(r"(?:^|\n)(https?://\S+)\s*$")


def error(status: int, message: str, **params: Any) -> web.Response:
    """The JSON error list, for callers that do not know the path's format (``input_guard``
    refusing a body before any view runs); views use :func:`open311_render.error`."""
    return render.error(render.JSON, status, message, **params)


SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed in a way a client would notice (the discovery document's changeset).
CHANGESET = "2026-12-04T00:00:00Z"


def iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def category_name(category: Category) -> str:
    return categories.name_in(category, current_locale.get())


def service(category: Category, group: str | None) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category_name(category),
        # Not ngettext: «дн.» fits every number.
        "description": gettext("Answer term: %(n)d days.", n=category.answer_days),
        # True: a client should read the definition (services/{code}) for its attributes.
        "metadata": bool(ATTRIBUTES),
        "type": "realtime",
        "keywords": category.code,
        "group": group or "",
    }


def media_url(appeal: Appeal) -> str | None:
    """The photo link a client sent is kept as the last line of the text (it is never fetched)."""
    match = MEDIA_URL_RE.search(appeal.text or "")
    return match.group(1) if match else None


def service_request(row: RequestRow, tz: ZoneInfo, *, publish_answers: bool = False) -> dict[str, Any]:
    """``publish_answers``: the answer text goes out as ``status_notes``. Off unless the setting
    ``PORUCHENO_OPEN311_PUBLISH_ANSWERS`` says so: reading needs no key, and an answer to a
    resident may well name them, their flat or their neighbours."""
    appeal, category = row.appeal, row.category
    changes = [
        m
        for m in (
            appeal.registered_at,
            appeal.extended_at,
            appeal.answered_at,
            appeal.rated_at,
            appeal.redirected_at,
        )
        if m
    ]
    answered = appeal.status == AppealStatus.ANSWERED or (
        appeal.status in (AppealStatus.CLOSED, AppealStatus.REJECTED) and appeal.answer_text
    )
    return {
        "service_request_id": appeal.reg_number,
        "status": status_group(appeal.status),
        "status_notes": appeal.answer_text if answered and publish_answers else None,
        "service_name": category_name(category) if category else None,
        "service_code": category.code if category else None,
        "description": appeal.text,
        # Redirected by competence (59-FZ art. 8): the body that answers now is the one responsible.
        "agency_responsible": appeal.redirected_to or row.department_name,
        "service_notice": None,
        "requested_datetime": iso(appeal.registered_at, tz),
        "updated_datetime": iso(max(changes), tz),
        "expected_datetime": iso(appeal.due_at, tz),
        "address": appeal.address,
        "address_id": None,
        "zipcode": None,
        "lat": appeal.latitude,
        "long": appeal.longitude,
        "media_url": media_url(appeal),
    }


def discovery(url: str, contact: str, key_service: str) -> dict[str, Any]:
    """The spec's discovery document: one production endpoint at ``url`` in both formats."""
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
