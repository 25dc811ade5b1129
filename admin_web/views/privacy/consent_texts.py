"""Administrators publish the consent text's versions; the older ones stay readable."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views.common import acting_user
from admin_web.views.settings.common import admin_only
from services.errors import DomainError
from services.privacy import consent

MAX_TEXT = consent.MAX_TEXT


@admin_only
async def consent_texts(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    current = await consent.current(db)
    if request.method == "POST":
        form = Form.posted(await request.post())
        text_ru = form.text("text_ru", required=True, max_length=MAX_TEXT)
        text_en = form.text("text_en", max_length=MAX_TEXT)
        if form.ok:
            try:
                published = await consent.publish(
                    db, await acting_user(request), text_ru or "", text_en or ""
                )
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(
                    request,
                    gettext("Version %(v)s of the consent text is published.") % {"v": published.version},
                )
                raise web.HTTPSeeOther(request.app.router["privacy_consent"].url_for())
    else:
        # A new version starts from the current text.
        form = Form(values={"text_ru": current.text_ru, "text_en": current.text_en})
    return await render(
        request,
        "privacy/consent_texts.html",
        {
            "form": form,
            "versions": await consent.versions(db),
            "current": current,
            "section": "privacy_consent",
        },
    )


@admin_only
async def consent_version(request: web.Request) -> web.StreamResponse:
    text = await consent.by_version(request[DB_KEY], int(request.match_info["version"]))
    if text is None:
        raise web.HTTPNotFound()
    return await render(request, "privacy/consent_version.html", {"text": text, "section": "privacy_consent"})
