"""The appeal page's article 11 section: the outcomes (anonymous, abusive, unreadable, correspondence
stopped) with their prefilled letters, and the repeated / collective marks (``outcome_links``).

Each POST goes to ``services.appeals.outcomes*``, which re-checks the role, the scope, the state and
the open assignments; a refusal shows the page again with what was typed, success redirects back
with a flash.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.security import requires_role
from admin_web.views.appeals import outcome_links, outcome_list
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of
from admin_web.views.appeals.rerender import run_form
from admin_web.views.common import acting_user, notice_context
from models import Appeal, AuditEvent, Correspondent, User, utcnow
from models.enums import LetterKind
from services.appeals import links, outcomes, outcomes_stop, workflow
from services.appeals.outcome_texts import LetterText, default_letter
from services.assignments import panel
from services.letters.issue import LetterEnv

TITLE_LIMIT = 500
BODY_LIMIT = 20_000
FORWARD_LIMIT = outcomes.FORWARD_LIMIT
REASON_LIMIT = outcomes.REASON_LIMIT
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


def letter_env(request: web.Request) -> LetterEnv:
    settings = request.config_dict[SETTINGS_KEY]
    return LetterEnv(files_dir=settings.files_dir, tz=settings.tz, locale=settings.locale)


def outcome_env(request: web.Request) -> outcomes.OutcomeEnv:
    return outcomes.OutcomeEnv(letters=letter_env(request), notify=notice_context(request))


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
        "outcome_unreadable_due": outcomes.unreadable_notice_due(appeal),
        "outcome_unreadable_late": outcomes.unreadable_notice_late(appeal, utcnow()),
        "outcome_already_told": told,
        "outcome_stop_warning": warning,
        "outcome_names": await panel.user_names(db, people),
        "outcome_repeat_of": await db.get(Appeal, appeal.repeat_of_id) if appeal.repeat_of_id else None,
        "outcome_repeats": await links.repeats_of(db, appeal.id),
        "outcome_suggestions": await links.suggest_repeats(db, appeal),
    } | await outcome_links.page_context(request, appeal, forms)


# --- the actions ---------------------------------------------------------------------------------


def _letter(form: Form, prefix: str, *, required: bool = True) -> LetterText | None:
    title = form.text(f"{prefix}_title", required=required, max_length=TITLE_LIMIT)
    body = form.text(f"{prefix}_body", required=required, max_length=BODY_LIMIT)
    return LetterText(title, body) if title and body else None


def _override(form: Form, prefix: str) -> str | None:
    return form.text(f"{prefix}_override", max_length=REASON_LIMIT)


@requires_role(*STAFF_ROLES)
async def outcome_anonymous(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        crime = form.flag("anon_crime")
        forward_to = form.text("anon_forward_to", required=crime, max_length=FORWARD_LIMIT)
        letter = _letter(form, "anon", required=crime)
        override = _override(form, "anon")
        if not form.ok:
            return None
        db = request[DB_KEY]
        await outcomes.leave_anonymous(
            db,
            appeal_id_of(request),
            actor=await acting_user(request),
            env=outcome_env(request),
            forward_to=forward_to if crime else None,
            letter=letter if crime else None,
            override_reason=override,
        )
        if crime:
            return gettext(
                "The anonymous appeal is closed without an answer; the covering letter to %(body)s is "
                "issued: print and send it with the appeal.",
                body=forward_to,
            )
        return gettext("The anonymous appeal is closed without an answer.")

    return await run_form(request, "outcome_anonymous", act)


@requires_role(*STAFF_ROLES)
async def outcome_abusive(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        # No letter fields when the correspondent was already told (the service decides again).
        letter = _letter(form, "abusive", required="abusive_body" in form.values)
        override = _override(form, "abusive")
        if not form.ok:
            return None
        db = request[DB_KEY]
        result = await outcomes.leave_abusive(
            db,
            appeal_id_of(request),
            actor=await acting_user(request),
            env=outcome_env(request),
            letter=letter,
            override_reason=override,
        )
        if result.already_told is not None:
            return gettext(
                "The appeal is left without an answer on the merits. No notice was sent: the "
                "correspondent was already told by letter %(number)s.",
                number=result.already_told.out_number,
            )
        return _sent(result, gettext("The appeal is left without an answer on the merits."))

    return await run_form(request, "outcome_abusive", act)


@requires_role(*STAFF_ROLES)
async def outcome_unreadable(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        notify = form.flag("unreadable_notify")
        letter = _letter(form, "unreadable", required=notify)
        override = _override(form, "unreadable")
        if not form.ok:
            return None
        db = request[DB_KEY]
        result = await outcomes.leave_unreadable(
            db,
            appeal_id_of(request),
            actor=await acting_user(request),
            env=outcome_env(request),
            notify_applicant=notify,
            letter=letter,
            override_reason=override,
        )
        return _sent(result, gettext("The unreadable appeal is closed without an answer."))

    return await run_form(request, "outcome_unreadable", act)


@requires_role(*STAFF_ROLES)
async def outcome_stop(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        earlier = [int(v) for v in form.values.get("stop_earlier") or [] if str(v).isdigit()]
        reason = form.text("stop_reason", required=True, max_length=REASON_LIMIT)
        letter = _letter(form, "stop")
        override = _override(form, "stop")
        if not form.ok or letter is None or reason is None:
            return None
        db = request[DB_KEY]
        result = await outcomes_stop.stop_correspondence(
            db,
            appeal_id_of(request),
            actor=await acting_user(request),
            env=outcome_env(request),
            earlier_ids=earlier,
            reason=reason,
            letter=letter,
            override_reason=override,
        )
        return _sent(result, gettext("Correspondence on this question is stopped."))

    return await run_form(request, "outcome_stop", act, multi=("stop_earlier",))


def _sent(result: outcomes.OutcomeResult, done: str) -> str:
    """The flash says where the letter went: with the notice, or to be posted by hand."""
    if result.letter is None:
        return done
    if result.notices:
        return (
            done
            + " "
            + gettext("The letter %(number)s was sent to the applicant.", number=result.letter.out_number)
        )
    return (
        done
        + " "
        + gettext(
            "The letter %(number)s is issued: print it and post it to the applicant.",
            number=result.letter.out_number,
        )
    )


def add_routes(router: web.UrlDispatcher) -> None:
    base = r"/appeals/{appeal_id:\d+}/outcome"
    router.add_post(base + "/anonymous", outcome_anonymous, name="appeal_outcome_anonymous")
    router.add_post(base + "/abusive", outcome_abusive, name="appeal_outcome_abusive")
    router.add_post(base + "/unreadable", outcome_unreadable, name="appeal_outcome_unreadable")
    router.add_post(base + "/stop", outcome_stop, name="appeal_outcome_stop")
    outcome_links.add_routes(router)
