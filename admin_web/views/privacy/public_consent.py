"""The consent texts for everyone (linked from the public forms and the bot): a purpose's current
version, or an older one by its number. ``/consent`` and ``/consent/<version>`` are the appeals text
(the addresses published before there were purposes); ``/consent/<purpose>[/<version>]`` the others.
``?via=telegram|max|web`` shows the document as the person saw it there (the channel it names)."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import public
from services.privacy import consent

VIA = ("telegram", "max", "web")


@public
async def consent_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    purpose = request.match_info.get("purpose", consent.APPEALS)
    if purpose not in consent.PURPOSES:
        raise web.HTTPNotFound()
    current = await consent.current(db, purpose)
    version = request.match_info.get("version")
    text = await consent.by_version(db, int(version), purpose) if version else current
    if text is None:
        raise web.HTTPNotFound()
    via = request.query.get("via")
    return await render(
        request,
        "privacy/consent_public.html",
        {
            "text": text,
            "body": consent.text_in(text, current_locale.get(), via if via in VIA else None),
            "is_current": text.version == current.version,
            "current_version": current.version,
            "current_url": (
                request.app.router["public_consent"].url_for()
                if purpose == consent.APPEALS
                else request.app.router["public_consent_purpose"].url_for(purpose=purpose)
            ),
            "purpose_label": consent.PURPOSE_LABELS[purpose],
            "is_appeals": purpose == consent.APPEALS,
            "section": "consent",
        },
    )
