"""What an answered form does besides landing on the card, by the form's purpose.

Each hook is another area's contract (see their docstrings); they run in the submission's
transaction, so a refused registration (``DomainError``) rolls the whole answer back and the person
reads why.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Form, FormField, FormSubmission
from models.enums import FieldKind, FormPurpose
from services.applications import intake as applications_intake
from services.audit import Actor
from services.events import registration
from services.forms.validation import rules
from services.mailings import consent as mailing_consent
from services.notify import NoticeContext
from services.volunteers import base as volunteers


def wants_mailing(form: Form, fields: list[FormField], submission: FormSubmission) -> bool:
    """A subscription form, or a ticked consent field marked as the consent to mailings."""
    if form.purpose == FormPurpose.SUBSCRIPTION:
        return True
    return any(
        f.kind == FieldKind.CONSENT and rules(f).get("mailing") and submission.answers.get(f.key) is True
        for f in fields
    )


async def run(
    session: AsyncSession,
    form: Form,
    fields: list[FormField],
    submission: FormSubmission,
    card: Correspondent,
    *,
    actor: Actor,
    email: str | None,
    notify: NoticeContext | None = None,
) -> None:
    if form.purpose == FormPurpose.EVENT and form.event_id:
        await registration.register(
            session,
            event_id=form.event_id,
            correspondent_id=card.id,
            actor=actor,
            telegram_id=submission.telegram_id,
            email=email,
            submission_id=submission.id,
            locale=submission.locale,
            ctx=notify,
        )
    elif form.purpose == FormPurpose.VOLUNTEER:
        await volunteers.from_questionnaire(
            session,
            correspondent_id=card.id,
            submission_id=submission.id,
            answers=dict(submission.answers),
            actor=actor,
        )
    elif form.purpose == FormPurpose.APPLICATION and form.application_type_id:
        await applications_intake.from_submission(
            session, form=form, submission=submission, actor=actor, ctx=notify
        )
    if wants_mailing(form, fields, submission):
        await mailing_consent.request(
            session,
            correspondent_id=card.id,
            channel="telegram" if submission.telegram_id else "web",
            actor=actor,
            telegram_id=submission.telegram_id,
            email=email,
            ip=submission.ip,
            locale=submission.locale,
            notify=notify,
        )
