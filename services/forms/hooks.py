"""What an answered form does besides landing on the card, by the form's purpose.

Each hook is another area's contract (see their docstrings); they run in the submission's
transaction, so a refused registration (``DomainError``) rolls the whole answer back and the person
reads why.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Form, FormField, FormSubmission, MuseumEvent
from models.enums import FieldKind, FormPurpose, RegistrationStatus
from services.applications import intake as applications_intake
from services.audit import Actor, record
from services.events import registration
from services.events.notices import waiting_number
from services.forms.validation import option_labels, rules
from services.mailings import consent as mailing_consent
from services.notify import N_, NoticeContext
from services.volunteers import base as volunteers


class Note(NamedTuple):
    """A line for the thank-you page: a message id and its parameters, translated by the page."""

    msgid: str
    params: dict[str, Any]


SEAT_NOTE = N_("Your seat at «%(event)s» is booked; a reminder comes before the start.")
WAITLIST_NOTE = N_(
    "All seats at «%(event)s» are taken: you are on the waiting list, number %(number)s. We will write "
    "when a seat frees up."
)
APPLICATION_NOTE = N_("Your application is registered under number %(number)s.")
CONFIRM_IN_BOT_NOTE = N_(
    "To receive our news, confirm the subscription in the bot: we have sent you a message."
)
CONFIRM_BY_MAIL_NOTE = N_(
    "To receive our news, open the link we have sent to your e-mail: mailings start once you confirm."
)
NO_CONTACT_NOTE = N_(
    "We cannot send you news: the form has no e-mail address. Subscribe in our bot or on a form that "
    "asks for an e-mail."
)


def wants_mailing(form: Form, fields: list[FormField], submission: FormSubmission) -> bool:
    """A subscription form, or a ticked consent field marked as the consent to mailings."""
    if form.purpose == FormPurpose.SUBSCRIPTION:
        return True
    return any(
        f.kind == FieldKind.CONSENT and rules(f).get("mailing") and submission.answers.get(f.key) is True
        for f in fields
    )


def volunteer_answers(fields: list[FormField], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers for ``services.volunteers``: skills picked from options become the options' words
    (a volunteer's skills are words people read, never option codes); availability keeps its codes,
    which are the volunteers' vocabulary."""
    given = dict(answers or {})
    for f in fields:
        if (
            f.key == volunteers.SKILLS_KEY
            and f.key in given
            and f.kind in (FieldKind.CHOICE, FieldKind.MULTICHOICE)
        ):
            given[f.key] = option_labels(f, given[f.key], "ru")
    return given


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
) -> list[Note]:
    """Run the form's purpose; returns what the person should read on the thank-you page."""
    notes: list[Note] = []
    if form.purpose == FormPurpose.EVENT and form.event_id:
        row = await registration.register(
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
        event = await session.get(MuseumEvent, form.event_id)
        title = event.title if event is not None else ""
        if row.status == RegistrationStatus.WAITLIST:
            number = await waiting_number(session, row)
            notes.append(Note(WAITLIST_NOTE, {"event": title, "number": number}))
        else:
            notes.append(Note(SEAT_NOTE, {"event": title}))
    elif form.purpose == FormPurpose.VOLUNTEER:
        await volunteers.from_questionnaire(
            session,
            correspondent_id=card.id,
            submission_id=submission.id,
            answers=volunteer_answers(fields, submission.answers),
            actor=actor,
        )
    elif form.purpose == FormPurpose.APPLICATION and form.application_type_id:
        application = await applications_intake.from_submission(
            session, form=form, submission=submission, actor=actor, ctx=notify
        )
        notes.append(Note(APPLICATION_NOTE, {"number": application.number}))
    if not wants_mailing(form, fields, submission):
        return notes
    if not await mailing_consent.reachable(session, card.id, telegram_id=submission.telegram_id, email=email):
        # A web visitor ticked «send me news» on a form without an e-mail field: the answer is kept
        # (nothing a person sent is lost) and the card says why no confirmation was asked for.
        record(
            session,
            actor,
            "form_submission",
            submission.id,
            "mailing_consent_not_asked",
            reason="no chat or e-mail",
        )
        notes.append(Note(NO_CONTACT_NOTE, {}))
        return notes
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
    notes.append(Note(CONFIRM_IN_BOT_NOTE if submission.telegram_id else CONFIRM_BY_MAIL_NOTE, {}))
    return notes
