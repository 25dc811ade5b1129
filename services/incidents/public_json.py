"""The public picture as plain data: for ``/public/map.json``, other sites, and the map script.

Codes with translated names, times in UTC (ISO 8601) and as local text; nothing beyond the public
fields of :mod:`services.incidents.public`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from services.errors import InvalidInput
from services.incidents.kinds import KIND_EMOJI, kind_name
from services.incidents.public import House, Picture, PublishedUpdate
from services.notify import N_
from services.outages.resources import get_resource, resource_name, social_type_name


class _Translating(Protocol):
    def __call__(self, message: str, **params: object) -> str: ...


LABELS = {
    "outages": N_("Outages"),
    "incidents": N_("Incidents"),
    "planned": N_("Planned outage"),
    "accident": N_("Emergency outage"),
    "since": N_("Off since"),
    "starts": N_("Starts at"),
    "expected_end": N_("Expected restoration"),
    "cause": N_("Cause"),
    "update": N_("Latest update"),
    "received": N_("Received"),
    "houses": N_("Addresses"),
}


def picture_json(picture: Picture, t: _Translating, tz: ZoneInfo) -> dict[str, Any]:
    """Plain data for the site and the map: codes, translated names, UTC ISO times and local texts."""

    def when(moment: datetime | None) -> dict[str, str] | None:
        if moment is None:
            return None
        return {"utc": _iso(moment), "local": _local(moment, tz)}

    def update(u: PublishedUpdate | None) -> dict[str, Any] | None:
        return None if u is None else {"text": u.text, "at": when(u.occurred_at)}

    return {
        "generated_at": _iso(picture.now),
        "labels": {key: t(msgid) for key, msgid in LABELS.items()},
        # A list, in the configured order of resources (an object's keys may come out sorted).
        "resources": [
            {"code": code, "name": resource_name(code, t), "emoji": _emoji(code)}
            for code, _outages in picture.by_resource()
        ],
        "outages": [
            {
                "id": o.id,
                "resource": o.resource,
                "resource_name": resource_name(o.resource, t),
                "kind": o.kind,
                "planned": o.planned,
                "starts_at": when(o.starts_at),
                "expected_end_at": when(o.expected_end_at),
                "cause": o.cause,
                "description": o.description,
                "update": update(o.update),
                "houses": [_house_json(h, t) for h in o.houses],
            }
            for o in picture.outages
        ],
        "incidents": [
            {
                "id": i.id,
                "kind": i.kind,
                "kind_name": kind_name(i.kind, t),
                "emoji": KIND_EMOJI.get(i.kind, "❗"),
                "received_at": when(i.received_at),
                "expected_end_at": when(i.expected_end_at),
                "address": i.address or None,
                "latitude": i.latitude,
                "longitude": i.longitude,
                "update": update(i.update),
            }
            for i in picture.incidents
        ],
    }


def _house_json(h: House, t: _Translating) -> dict[str, Any]:
    return {
        "id": h.building_id,
        "address": h.address,
        "street": h.street,
        "house": h.house,
        "latitude": h.latitude,
        "longitude": h.longitude,
        "social": social_type_name(h.social_type, t) if h.social_type else None,
        "name": h.name,
    }


def _emoji(code: str) -> str:
    try:
        return get_resource(code).emoji
    except InvalidInput:  # an old code no longer in the list still gets a marker
        return "•"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")
