"""An application's page: the answers of its form with files, the reviews with scores and their
average, the review form for its reviewer, the decision form for a decider, the history.

Nothing posted is trusted: the application is reloaded, visibility and rights are checked by the
services, and a refusal is shown on the page (never a traceback)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views.applications.common import DECISION_LABELS, RECOMMENDATION_LABELS, id_of, labels
from admin_web.views.common import acting_user, notice_context
from admin_web.views.files import stored_file_response
from models import Application, StoredFile, User
from models.enums import ApplicationStatus
from services.applications import access, decisions, queries, reviews, types
from services.errors import DomainError, NotFound, PermissionDenied
from services.forms import answers, definitions

AUDIT_ACTIONS = {
    "submitted": N_("Application registered"),
    "reviewed": N_("Review sent"),
    "review_edited": N_("Review changed"),
    "all_reviewed": N_("All reviews are in"),
    "on_council": N_("Put on the council's agenda"),
    "decided": N_("Decision made"),
    "decision_not_sent": N_("The decision could not be sent: no contacts"),
    "information_added": N_("The applicant added information"),
}


async def _visible(request: web.Request, user: User) -> Application:
    try:
        return await access.load_visible(request[DB_KEY], user, id_of(request, "application_id"))
    except NotFound:
        raise web.HTTPNotFound() from None


async def _answers(
    request: web.Request, application: Application
) -> tuple[list[tuple[str, str]], list[StoredFile]]:
    db = request[DB_KEY]
    submission, files = await queries.submission_of(db, application)
    if submission is None:
        return [], files
    # The form's own labels and the options' words in the panel's language (services.forms.answers).
    given = submission.answers or {}
    fields = [f for f in await definitions.fields_of(db, submission.form_id) if f.key in given]
    return answers.rows_of(fields, submission, current_locale.get()), files


def _review_form(review: Any) -> Form:
    if review is None or (review.submitted_at is None and not review.scores):
        return Form()
    values = {f"score_{k}": str(v) for k, v in (review.scores or {}).items()}
    values |= {"comment": review.comment, "recommendation": review.recommendation or ""}
    return Form(values=values)


async def application_page(
    request: web.Request,
    *,
    review_form: Form | None = None,
    decision_form: Form | None = None,
    status: int = 200,
) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    application = await _visible(request, user)
    kind = await access.type_of(db, application)
    rows = await reviews.reviews_of(db, application.id)
    mine = next((r for r, u in rows if u.id == user.id), None)
    answers, files = await _answers(request, application)
    can_decide = (
        access.can_decide(user)
        and not kind.needs_council
        and application.status in decisions.DECIDABLE_BY_MANAGER
    )
    return await render(
        request,
        "applications/page.html",
        {
            **labels(),
            "section": "applications",
            "a": application,
            "kind": kind,
            "criteria": [
                (c["key"], types.criterion_name(c, "ru"), c["max"]) for c in types.criteria_of(kind)
            ],
            "reviews": rows,
            "average": reviews.average([r for r, _ in rows]),
            "answers": answers,
            "files": files,
            "my_review": mine,
            "can_review": mine is not None and application.status in reviews.REVIEWABLE,
            "review_form": review_form or _review_form(mine),
            "can_decide": can_decide,
            "decision_form": decision_form or Form(),
            "decision_options": [(k.value, gettext(v)) for k, v in DECISION_LABELS.items()],
            "recommendation_options": [(k.value, gettext(v)) for k, v in RECOMMENDATION_LABELS.items()],
            "history": await queries.history(db, application.id),
            "audit_actions": {k: gettext(v) for k, v in AUDIT_ACTIONS.items()},
            "council_wait": kind.needs_council and application.status == ApplicationStatus.REVIEWED,
        },
        status=status,
    )


async def application_view(request: web.Request) -> web.StreamResponse:
    return await application_page(request)


async def review_post(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    application = await _visible(request, user)
    form = Form.posted(await request.post())
    scores = {k[len("score_") :]: v for k, v in form.values.items() if k.startswith("score_")}
    data = reviews.ReviewInput(
        scores=scores,
        comment=str(form.values.get("comment") or ""),
        recommendation=str(form.values.get("recommendation") or "") or None,
    )
    try:
        await reviews.submit_review(db, application.id, data, reviewer=user, ctx=notice_context(request))
    except DomainError as exc:
        await db.rollback()
        form.fail_domain(exc)
        return await application_page(
            request, review_form=form, status=403 if isinstance(exc, PermissionDenied) else 422
        )
    await flash(request, gettext("Your review is saved."))
    raise web.HTTPSeeOther(request.app.router["application"].url_for(application_id=str(application.id)))


async def decide_post(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    application = await _visible(request, user)
    form = Form.posted(await request.post())
    try:
        await decisions.decide(
            db,
            application.id,
            str(form.values.get("decision") or ""),
            str(form.values.get("text") or ""),
            actor=user,
            ctx=notice_context(request),
        )
    except DomainError as exc:
        await db.rollback()
        form.fail_domain(exc)
        return await application_page(
            request, decision_form=form, status=403 if isinstance(exc, PermissionDenied) else 422
        )
    await flash(request, gettext("The decision is saved and sent to the applicant."))
    raise web.HTTPSeeOther(request.app.router["application"].url_for(application_id=str(application.id)))


async def application_file(request: web.Request) -> web.StreamResponse:
    """A file of an application's form answer, for those who may see the application."""
    db = request[DB_KEY]
    user = await acting_user(request)
    stored = await db.get(StoredFile, id_of(request, "file_id"))
    if stored is None or stored.form_submission_id is None:
        raise web.HTTPNotFound()
    ids = await db.scalars(
        select(Application.id).where(Application.submission_id == stored.form_submission_id)
    )
    for application_id in ids:
        try:
            await access.load_visible(db, user, application_id)
        except NotFound:
            continue
        return stored_file_response(request, stored)
    raise web.HTTPNotFound()
