"""An application from a form answer, or one a clerk enters in the panel (a paper letter).

Numbered «З-<year>-<seq>» without races: the number is unique in the database and a clash (two
applications at the same moment) is retried with the next one inside a savepoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, ApplicationType, Form, FormSubmission, User, utcnow
from models.enums import ApplicationStatus, SubmissionChannel
from services.applications import notices
from services.applications.access import can_manage
from services.applications.types import reviewer_ids
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_, NoticeContext

TITLE_MAX = 500
SUMMARY_MAX = 20000
NUMBER_RETRIES = 8


async def _next_number(session: AsyncSession, year: int) -> str:
    prefix = f"З-{year}-"
    numbers = await session.scalars(select(Application.number).where(Application.number.like(f"{prefix}%")))
    top = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{top + 1:04d}"


async def _insert_numbered(session: AsyncSession, application: Application, year: int) -> None:
    """Flush with the next free number of ``year`` (the institution's local year: an application
    sent at 01:00 on 1 January in Moscow is numbered in the new year, though it is still the old one
    in UTC); a concurrent application that took the number makes us retry."""
    for _attempt in range(NUMBER_RETRIES):
        application.number = await _next_number(session, year)
        try:
            async with session.begin_nested():
                session.add(application)
                await session.flush()
            return
        except IntegrityError:
            if application in session:
                session.expunge(application)
    raise InvalidInput("Could not number the application; please try again.")


async def _register(
    session: AsyncSession, application: Application, actor: Actor, ctx: NoticeContext | None
) -> Application:
    kind = await session.get(ApplicationType, application.type_id)
    if kind is None or not kind.is_active:
        raise NotFound("Application type not found.")
    application.created_at = application.updated_at = utcnow()
    local_year = (ctx or NoticeContext()).local(utcnow()).year
    await _insert_numbered(session, application, local_year)
    reviewers = await reviewer_ids(session, kind.id)
    session.add_all(ApplicationReview(application_id=application.id, reviewer_id=uid) for uid in reviewers)
    if reviewers:
        application.status = ApplicationStatus.IN_REVIEW
    await session.flush()
    record(
        session,
        actor,
        "application",
        application.id,
        "submitted",
        new_state=application.status,
        data={"number": application.number, "channel": application.channel, "reviewers": reviewers},
    )
    ctx = ctx or NoticeContext()
    await notices.tell_reviewers(
        session, ctx, application, kind, event="appointed", head=N_("A new application to review")
    )
    await notices.tell_applicant(
        session,
        ctx,
        application,
        kind,
        event="received",
        head=N_("Your application is received"),
        note=N_("Reviewers will study it; we will tell you the decision here."),
    )
    return application


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


async def from_submission(
    session: AsyncSession,
    *,
    form: Form,
    submission: FormSubmission,
    actor: Actor,
    ctx: NoticeContext | None = None,
) -> Application:
    """Register an application of ``form.application_type_id`` from ``submission`` (numbered,
    reviewers appointed and told). The title is the answer of the field keyed ``title`` (else the
    form's title), the applicant organisation the one keyed ``organisation``.

    Contract used by ``services.forms`` for forms of purpose ``application``. Called twice for one
    submission (a retried step), it returns the application already made.
    """
    if form.application_type_id is None:
        raise InvalidInput("The form is not linked to an application type.")
    existing = await session.scalar(select(Application).where(Application.submission_id == submission.id))
    if existing is not None:
        return existing
    answers = submission.answers or {}
    title = _text(answers.get("title")).strip() or form.title_ru
    summary = _text(answers.get("summary") or answers.get("description")).strip()
    application = Application(
        type_id=form.application_type_id,
        submission_id=submission.id,
        correspondent_id=submission.correspondent_id,
        title=title[:TITLE_MAX],
        applicant_org=_text(answers.get("organisation")).strip()[:TITLE_MAX],
        summary=summary[:SUMMARY_MAX],
        channel=submission.channel,
        # The decision goes back where the application came from: the chat of a Telegram answer,
        # the e-mail typed on a web form (it is only where to write, never attached to anyone); a web
        # answer through the bot's signed personal link without an e-mail: that proven chat.
        telegram_id=submission.telegram_id
        if submission.channel == SubmissionChannel.TELEGRAM or not submission.contact_email
        else None,
        email=(submission.contact_email or None)
        if submission.channel != SubmissionChannel.TELEGRAM
        else None,
        status=ApplicationStatus.SUBMITTED,
    )
    return await _register(session, application, actor, ctx)


@dataclass(slots=True)
class PanelEntry:
    type_id: int
    title: str
    applicant_org: str = ""
    summary: str = ""
    email: str = ""
    correspondent_id: int | None = None


async def enter_in_panel(
    session: AsyncSession, entry: PanelEntry, *, actor: User, ctx: NoticeContext | None = None
) -> Application:
    """A clerk enters an application that came on paper or by phone. An e-mail typed here is only
    where the decision is sent; without one the decision is kept as a note for the clerk."""
    if not can_manage(actor):
        raise PermissionDenied("Only a manager or a clerk may enter applications.")
    title = entry.title.strip()
    if not title:
        raise InvalidInput("Give the application a title.")
    if len(title) > TITLE_MAX or len(entry.applicant_org) > TITLE_MAX:
        raise InvalidInput("The text is too long (at most %(limit)s characters).", limit=TITLE_MAX)
    if len(entry.summary) > SUMMARY_MAX:
        raise InvalidInput("The text is too long (at most %(limit)s characters).", limit=SUMMARY_MAX)
    email = entry.email.strip()
    if email and ("@" not in email or len(email) > 255 or any(c.isspace() for c in email)):
        raise InvalidInput("This does not look like an e-mail address.")
    application = Application(
        type_id=entry.type_id,
        correspondent_id=entry.correspondent_id,
        title=title,
        applicant_org=entry.applicant_org.strip(),
        summary=entry.summary.strip(),
        channel=SubmissionChannel.PANEL,
        email=email or None,
        status=ApplicationStatus.SUBMITTED,
    )
    return await _register(session, application, Actor(user_id=actor.id), ctx)
