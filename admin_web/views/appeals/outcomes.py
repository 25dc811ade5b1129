"""The appeal page's article 11 section: the outcomes (anonymous, abusive, unreadable, correspondence
stopped) with their prefilled letters, the repeated / collective marks and the warning of stopped
correspondence. The forms post to ``outcome_actions`` and ``mark_actions``, registered by
``appeals/__init__`` after the page (they re-render it, and the page imports this section).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.views.appeals import outcome_list
from admin_web.views.common import acting_user
from models import Appeal, AuditEvent, Correspondent, User, utcnow
from models.enums import LetterKind
from services.appeals import links, outcomes, outcomes_stop, registration, workflow
from services.appeals.outcome_texts import default_letter
from services.assignments import panel

# The police's name is the body's own (its district); the clerk completes the prefilled words.
FORWARD_DEFAULT = N_("Department of the Ministry of Internal Affairs of Russia for … district")

OUTCOME_LABELS = outcome_list.OUTCOME_LABELS
# The forms of this section by name, with the prefix of their fields and their letter.
FORMS = {
    "outcome_anonymous": ("anon", LetterKind.ANONYMOUS_FORWARD),
    "outcome_abusive": ("abusive", LetterKind.ABUSIVE_NOTICE),
    "outcome_unreadable": ("unreadable", LetterKind.UNREADABLE_NOTICE),
    "outcome_stop": ("stop", LetterKind.CORRESPONDENCE_STOPPED),
}


async def _prefilled(request: web.Request, appeal: Appeal, earlier: list[Appeal]) -> dict[str, Form]:
    """Each outcome form with its letter's default text, for the clerk to read and edit."""
    db = request[DB_KEY]
    person = await db.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    settings = request.config_dict[SETTINGS_KEY]
    forms: dict[str, Form] = {}
    for name, (prefix, kind) in FORMS.items():
        text = default_letter(kind, appeal, person, locale=settings.locale, tz=settings.tz, earlier=earlier)
        forms[name] = Form(values={f"{prefix}_title": text.title, f"{prefix}_body": text.body})
    forms["outcome_anonymous"].values["anon_forward_to"] = gettext(FORWARD_DEFAULT)
    readable = person is not None and bool(person.name) and bool(person.postal_address or person.email)
    forms["outcome_unreadable"].values["unreadable_notify"] = readable or appeal.telegram_id is not None
    forms["outcome_stop"].values["stop_earlier"] = [str(a.id) for a in earlier]
    return forms


async def _outcome_event(request: web.Request, appeal: Appeal) -> AuditEvent | None:
    if appeal.outcome is None:
        return None
    return await request[DB_KEY].scalar(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "appeal",
            AuditEvent.entity_id == appeal.id,
            AuditEvent.action == f"outcome_{appeal.outcome}",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


async def page_context(request: web.Request, appeal: Appeal, forms: dict[str, Form]) -> dict[str, Any]:
    db = request[DB_KEY]
    user: User = await acting_user(request)
    is_open = appeal.status in outcomes.OPEN_STATES
    earlier = await outcomes_stop.answered_earlier(db, appeal)
    warning = await outcomes_stop.stop_warning(db, appeal)
    event = await _outcome_event(request, appeal)
    settings = request.config_dict[SETTINGS_KEY]
    terms = await registration.load_terms(db, settings.tz, settings.appeal_term_on_day_off)
    told = await outcomes.abusive_notice_given(db, appeal.correspondent_id, except_appeal=appeal.id)
    people = {warning.decided_by_id} if warning and warning.decided_by_id else set()
    if event is not None and event.actor_user_id:
        people.add(event.actor_user_id)
    posted = {name: form for name, form in forms.items() if name in FORMS}
    can_stop = is_open and user.has_role(*outcomes_stop.DECISION_ROLES)
    # A refusal of a form the page no longer shows (the appeal closed meanwhile, a clerk posting the
    # head's decision) is shown above the section instead.
    shown = {n for n in FORMS if is_open and (n != "outcome_stop" or can_stop)}
    stray = [m for n, f in posted.items() if n not in shown for m in f.errors.values()]
    return {
        "outcome_labels": OUTCOME_LABELS,
        "outcome_event": event,
        "outcome_can_act": is_open,
        "outcome_can_stop": can_stop,
        "outcome_stray_errors": stray,
        "outcome_forms": (await _prefilled(request, appeal, earlier) if is_open else {}) | posted,
        "outcome_earlier": earlier,
        "outcome_min_earlier": outcomes_stop.MIN_EARLIER,
        "outcome_open_assignments": await workflow.open_assignments(db, appeal.id) if is_open else [],
        "outcome_unreadable_due": outcomes.unreadable_notice_due(appeal, terms),
        "outcome_unreadable_late": outcomes.unreadable_notice_late(appeal, utcnow(), terms),
        "outcome_already_told": told,
        "outcome_stop_warning": warning,
        "outcome_names": await panel.user_names(db, people),
        "outcome_repeat_of": await db.get(Appeal, appeal.repeat_of_id) if appeal.repeat_of_id else None,
        "outcome_repeats": await links.repeats_of(db, appeal.id),
        "outcome_suggestions": await links.suggest_repeats(db, appeal),
        "outcome_repeat_form": forms.get("repeat") or Form(),
        "outcome_collective_form": forms.get("collective")
        or Form(values={"collective": appeal.is_collective, "signatories": appeal.signatories or ""}),
    }


def add_routes(router: web.UrlDispatcher) -> None:
    """The forms' routes live in ``outcome_actions`` (see the module's docstring)."""
