"""The applications block of a correspondent's CRM card."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.views.applications.common import labels
from admin_web.views.common import acting_user
from services.applications import access, queries


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/applications/_card.html`` shows on the CRM card; {} hides the block.
    Only for those who see every application (a reviewer's rights stop at their own ones)."""
    if not access.can_manage(await acting_user(request)):
        return {}
    rows = await queries.of_correspondent(request[DB_KEY], correspondent_id)
    return {"applications": rows, **labels()} if rows else {}
