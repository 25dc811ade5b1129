"""The appeal page's 59-FZ art. 8 section: the regime the appeal came under (547-FZ), its receipt and
registration terms, the clerk's «Register» action, and redirection by competence within 7 days.

Its actions live in ``registration_actions`` (they re-render the page, which imports the sections);
the services (``registration``, ``redirect``) re-check scope and state.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.keys import DB_KEY
from admin_web.labels import APPEAL_REGIME_HINTS, APPEAL_REGIME_LABELS
from admin_web.views.appeals.common import label, letter_env
from admin_web.views.common import notice_context, zone
from models import Appeal, utcnow
from models.enums import AppealStatus
from services.appeals import redirect, registration, workflow


async def page_context(request: web.Request, appeal: Appeal, forms: dict[str, Form]) -> dict[str, Any]:
    now, tz = utcnow(), zone(request)
    terms = await registration.load_terms(request[DB_KEY], tz, notice_context(request).appeal_term_rule)
    redirect_due = registration.redirect_due(appeal, tz, terms)
    can_redirect = appeal.status in registration.REDIRECTABLE
    context: dict[str, Any] = {
        "registration_regime": label(APPEAL_REGIME_LABELS, appeal.regime),
        "registration_regime_hint": label(APPEAL_REGIME_HINTS, appeal.regime),
        "registration_waiting": appeal.status == AppealStatus.RECEIVED,
        "registration_overdue": registration.registration_overdue(appeal, now),
        "registration_late_days": registration.registration_late_days(appeal, tz),
        "registration_redirect_due": redirect_due if can_redirect else None,
        "registration_redirect_overdue": can_redirect and redirect_due is not None and now > redirect_due,
        "registration_redirected_late_days": registration.days_late(redirect_due, appeal.redirected_at, tz)
        if appeal.redirected_at
        else 0,
        "registration_can_register": appeal.status == AppealStatus.RECEIVED,
        "registration_can_redirect": can_redirect,
        "registration_open_assignments": [],
    }
    if can_redirect:
        form = forms.get("redirect")
        if form is None:
            drafts = await redirect.drafts(request[DB_KEY], appeal, letter_env(request), now=now)
            form = Form(values={"redirect_cover": drafts.cover_text, "redirect_notice": drafts.notice_text})
        forms["redirect"] = form
        if form.values.get("redirect_anyway") or form.errors.get("redirect_anyway") is not None:
            context["registration_open_assignments"] = await workflow.open_assignments(
                request[DB_KEY], appeal.id
            )
    forms.setdefault("register", Form())
    return context


def add_routes(router: web.UrlDispatcher) -> None:
    """The actions live in ``registration_actions`` (they re-render the page, and ``page`` imports
    the sections: importing it from here would close a cycle); the package registers them."""
