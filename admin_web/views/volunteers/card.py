"""The volunteers block of a correspondent's CRM card."""

from __future__ import annotations

from typing import Any

from aiohttp import web


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/volunteers/_card.html`` shows on the CRM card; {} hides the block."""
    return {}
