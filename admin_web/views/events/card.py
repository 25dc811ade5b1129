"""The events block of a correspondent's CRM card: the person's registrations and attendance,
shown to managers and clerks (who work with the audience)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.views.common import acting_user
from admin_web.views.events.common import attendance_label, status_label
from models.enums import RegistrationStatus
from services.audience.access import can_manage
from services.events.queries import of_correspondent


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/events/_card.html`` shows on the CRM card; {} hides the block."""
    if not can_manage(await acting_user(request)):
        return {}
    found = await of_correspondent(request[DB_KEY], correspondent_id)
    if not found:
        return {}
    items = [
        {
            "event": event,
            "registration": row,
            "status": status_label(row.status),
            "attendance": attendance_label(row.attended)
            if row.status == RegistrationStatus.REGISTERED
            else "",
        }
        for row, event in found
    ]
    came = sum(1 for row, _event in found if row.attended is True)
    return {"items": items, "came": came}
