"""The audience blocks of a correspondent's CRM card: forms answered, tags, consent to mailings,
events, volunteering, applications. Each area renders its own block from its own context."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.views.applications import card as applications_card
from admin_web.views.events import card as events_card
from admin_web.views.forms import card as forms_card
from admin_web.views.mailings import card as mailings_card
from admin_web.views.segments import card as segments_card
from admin_web.views.volunteers import card as volunteers_card

# (area, provider): the template is ``<area>/_card.html``; an empty context hides the block.
BLOCKS = (
    ("forms", forms_card.card_context),
    ("segments", segments_card.card_context),
    ("mailings", mailings_card.card_context),
    ("events", events_card.card_context),
    ("volunteers", volunteers_card.card_context),
    ("applications", applications_card.card_context),
)


async def blocks(request: web.Request, correspondent_id: int) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for area, provider in BLOCKS:
        context = await provider(request, correspondent_id)
        if context:
            found.append((f"{area}/_card.html", context))
    return found
