"""The consent text for everyone (linked from the public form and the bot): the current version, or
an older one by its number."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import public
from services.privacy import consent


@public
async def consent_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    current = await consent.current(db)
    version = request.match_info.get("version")
    text = await consent.by_version(db, int(version)) if version else current
    if text is None:
        raise web.HTTPNotFound()
    return await render(
        request,
        "privacy/consent_public.html",
        {
            "text": text,
            "body": consent.text_in(text, current_locale.get()),
            "is_current": text.version == current.version,
            "current_version": current.version,
            "section": "consent",
        },
    )
