"""The volunteers block of a correspondent's CRM card: status, skills, availability and hours, with a
link to the volunteer's page (for managers and clerks, who work with volunteers)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.keys import DB_KEY, USER_KEY
from admin_web.views.common import zone
from admin_web.views.volunteers.common import ROLES, STATUS_LABELS, hours_text
from models import utcnow
from services.volunteers import base, hours


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/volunteers/_card.html`` shows on the CRM card; {} hides the block."""
    db = request[DB_KEY]
    volunteer = await base.of_correspondent(db, correspondent_id)
    if volunteer is None:
        return {}
    user = request.get(USER_KEY)
    return {
        "volunteer": volunteer,
        "status_label": STATUS_LABELS.get(volunteer.status, volunteer.status),
        "hours": await hours.of_volunteer(db, volunteer.id, zone(request), utcnow()),
        "hours_text": hours_text,
        "can_open": user is not None and user.has_role(*ROLES),
    }
