"""The mailings block of a correspondent's CRM card: what this person received and whether they
opted out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.views.mailings.common import DELIVERY_LABELS
from models import User
from services.audience.access import can_manage
from services.mailings import queries


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/mailings/_card.html`` shows on the CRM card; {} hides the block."""
    db = request[DB_KEY]
    user = await db.get(User, request[USER_KEY].id)
    if not can_manage(user):
        return {}
    received = await queries.received_by(db, correspondent_id)
    if not received:
        return {}
    return {
        "received": [
            {
                "id": r.mailing_id,
                "title": r.title,
                "queued_at": r.queued_at,
                "delivery": gettext(DELIVERY_LABELS.get(r.delivery, r.delivery)),  # type: ignore[call-overload]
                "opted_out_at": r.opted_out_at,
            }
            for r in received
        ]
    }
