"""The organisation's name for every page's header, cached per app.

Read once from its card in a short session of its own (the page's session may already be closed
when an error page renders) and replaced when the card is saved in this process.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import SESSION_FACTORY_KEY
from services.config.org_card import org_name

ORG_NAME_KEY = web.AppKey("porucheno.org_name", dict)  # {"name": str} once read


async def current(request: web.Request) -> str:
    cache = request.config_dict.get(ORG_NAME_KEY)
    if cache is None:
        return ""
    if "name" not in cache:
        async with request.config_dict[SESSION_FACTORY_KEY]() as session:
            cache["name"] = await org_name(session)
    return str(cache["name"])


def remember(request: web.Request, name: str) -> None:
    cache = request.config_dict.get(ORG_NAME_KEY)
    if cache is not None:
        cache["name"] = name
