"""The article 11 outcome forms on the appeal page (``outcomes`` has the section's context).

Each POST goes to ``services.appeals.outcomes*``, which re-checks the role, the scope, the state and
the open assignments; a refusal shows the page again with what was typed and the message next to the
form, success redirects back with a flash saying where the letter went.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of, letter_env
from admin_web.views.appeals.form_actions import run_form
from admin_web.views.common import acting_user, notice_context
from services.appeals import outcomes, outcomes_stop
from services.appeals.outcome_texts import LetterText

TITLE_LIMIT = 500
BODY_LIMIT = 20_000
FORWARD_LIMIT = outcomes.FORWARD_LIMIT
REASON_LIMIT = outcomes.REASON_LIMIT


def outcome_env(request: web.Request) -> outcomes.OutcomeEnv:
    return outcomes.OutcomeEnv(letters=letter_env(request), notify=notice_context(request))


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
