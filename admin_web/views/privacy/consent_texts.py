"""Administrators publish the consent texts' versions, one text per purpose (appeals; events, forms
and applications); a purpose's older versions stay readable and the other purposes are untouched."""

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


def _purpose(raw: object) -> str:
    purpose = str(raw or consent.APPEALS)
    if purpose not in consent.PURPOSES:
        raise web.HTTPNotFound()
    return purpose


@admin_only
async def consent_texts(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    if request.method == "POST":
        posted = await request.post()
        purpose = _purpose(posted.get("purpose"))
    else:
        posted = None
        purpose = _purpose(request.query.get("purpose"))
    # Every purpose's current text (the built-in ones published as version 1 on first sight).
    currents = {p: await consent.current(db, p) for p in consent.PURPOSES}
    current = currents[purpose]
    if posted is not None:
        form = Form.posted(posted)
        text_ru = form.text("text_ru", required=True, max_length=MAX_TEXT)
        text_en = form.text("text_en", max_length=MAX_TEXT)
        if form.ok:
            try:
                published = await consent.publish(
                    db, await acting_user(request), text_ru or "", text_en or "", purpose=purpose
                )
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(
                    request,
                    gettext("Version %(v)s of the consent text «%(purpose)s» is published.")
                    % {"v": published.version, "purpose": gettext(consent.PURPOSE_LABELS[purpose])},
                )
                raise web.HTTPSeeOther(
                    request.app.router["privacy_consent"].url_for().with_query(purpose=purpose)
                )
    else:
        # A new version starts from the current text.
        form = Form(values={"text_ru": current.text_ru, "text_en": current.text_en})
    return await render(
        request,
        "privacy/consent_texts.html",
        {
            "form": form,
            "purpose": purpose,
            "purposes": [(p, consent.PURPOSE_LABELS[p], currents[p]) for p in consent.PURPOSES],
            "purpose_label": consent.PURPOSE_LABELS[purpose],
            "versions": await consent.versions(db, purpose),
            "current": current,
            "appeals": consent.APPEALS,
            "section": "privacy_consent",
        },
    )


@admin_only
async def consent_version(request: web.Request) -> web.StreamResponse:
    purpose = _purpose(request.match_info.get("purpose"))
    text = await consent.by_version(request[DB_KEY], int(request.match_info["version"]), purpose)
    if text is None:
        raise web.HTTPNotFound()
    return await render(
        request,
        "privacy/consent_version.html",
        {
            "text": text,
            "purpose_label": consent.PURPOSE_LABELS[purpose],
            "section": "privacy_consent",
        },
    )
