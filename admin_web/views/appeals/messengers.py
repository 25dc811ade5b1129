"""The «Messengers» block of a correspondent's CRM card: the accounts and where notices go.

Changing it takes the right the card itself takes (clerks, managers; administrators pass), read
again by the service from the database."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.keys import DB_KEY, USER_KEY
from admin_web.security import requires_role
from admin_web.views import messenger_channel
from admin_web.views.appeals.common import STAFF_ROLES
from models import Correspondent
from services import messenger_accounts


async def card_context(request: web.Request, c: Correspondent) -> dict[str, Any]:
    return messenger_channel.block(
        await messenger_accounts.accounts_of_correspondent(request[DB_KEY], c.id),
        c.preferred_messenger,
        str(request.app.router["correspondent_messenger"].url_for(correspondent_id=str(c.id))),
        may_edit=request[USER_KEY].has_role(*STAFF_ROLES) and c.merged_into_id is None,
    )


@requires_role(*STAFF_ROLES)
async def correspondent_messenger(request: web.Request) -> web.StreamResponse:
    correspondent_id = int(request.match_info["correspondent_id"])
    if await request[DB_KEY].get(Correspondent, correspondent_id) is None:
        raise web.HTTPNotFound()
    await messenger_channel.save(request, correspondent_id=correspondent_id)
    raise web.HTTPSeeOther(
        str(request.app.router["correspondent_page"].url_for(correspondent_id=str(correspondent_id)))
        + "#messengers"
    )
