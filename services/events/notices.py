"""Messages to the people registered for an event: to their Telegram chat through the outbox, or,
without a chat (a web form with an e-mail), a letter through the mail outbox.

Each message has a dedup key naming the event, the registration and the moment the registration
reached its state, so a retried handler or a repeated job queues nothing twice, while a person who
cancels and registers again is still told.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EventRegistration, FormSubmission, MuseumEvent, TelegramAccount
from models.enums import RegistrationStatus
from services import outbox
from services.mail_outbox import enqueue_mail
from services.notify import N_, NoticeContext, Translator, html_escape

REGISTERED = "registered"
WAITLISTED = "waitlist"
# From the waiting list to a seat, told by why (each said only when it is what happened):
PROMOTED = "promoted"  # a cancellation freed a seat
SEATS_ADDED = "seats_added"  # the event was given more seats
SEAT_GIVEN = "seat_given"  # a clerk gave the seat (over the capacity if need be)
REMINDER = "reminder"
EVENT_CANCELLED = "event_cancelled"
REGISTRATION_CANCELLED = "cancelled"

HEADS = {
    REGISTERED: N_("✅ You are registered for «%(title)s»."),
    WAITLISTED: N_(
        "All seats for «%(title)s» are taken: you are on the waiting list, number %(number)s. "
        "We will write to you if a seat frees up."
    ),
    PROMOTED: N_("🎉 A seat has freed up: you are now registered for «%(title)s»."),
    SEATS_ADDED: N_("🎉 More seats have been added: you are now registered for «%(title)s»."),
    SEAT_GIVEN: N_("🎉 You have been given a seat: you are now registered for «%(title)s»."),
    REMINDER: N_("⏰ Reminder: «%(title)s» is coming up."),
    EVENT_CANCELLED: N_("❌ The event «%(title)s» is cancelled. We apologise."),
    REGISTRATION_CANCELLED: N_("Your registration for «%(title)s» is cancelled."),
}
SUBJECTS = {
    REGISTERED: N_("Registration for «%(title)s»"),
    WAITLISTED: N_("Waiting list for «%(title)s»"),
    PROMOTED: N_("A seat for «%(title)s»"),
    SEATS_ADDED: N_("A seat for «%(title)s»"),
    SEAT_GIVEN: N_("A seat for «%(title)s»"),
    REMINDER: N_("Reminder: «%(title)s»"),
    EVENT_CANCELLED: N_("«%(title)s» is cancelled"),
    REGISTRATION_CANCELLED: N_("Registration for «%(title)s» cancelled"),
}


def when_text(event: MuseumEvent, ctx: NoticeContext) -> str:
    text = ctx.format_dt(event.starts_at)
    if event.ends_at is not None:
        end = ctx.local(event.ends_at)
        same_day = end.date() == ctx.local(event.starts_at).date()
        text += "–" + (end.strftime("%H:%M") if same_day else ctx.format_dt(event.ends_at))
    return text


def details(event: MuseumEvent, ctx: NoticeContext, t: Translator) -> list[str]:
    lines = [t("When: %(when)s", when=when_text(event, ctx))]
    if event.place:
        lines.append(t("Where: %(place)s", place=event.place))
    return lines


async def waiting_number(session: AsyncSession, registration: EventRegistration) -> int:
    """The place on the waiting list (1 = next to get a seat): the order is created_at, then id."""
    ahead = await session.scalar(
        select(func.count()).where(
            EventRegistration.event_id == registration.event_id,
            EventRegistration.status == RegistrationStatus.WAITLIST,
            or_(
                EventRegistration.created_at < registration.created_at,
                (EventRegistration.created_at == registration.created_at)
                & (EventRegistration.id < registration.id),
            ),
        )
    )
    return int(ahead or 0) + 1


def _stamp(registration: EventRegistration, kind: str) -> str:
    """The moment the registration reached the state the notice is about (part of its dedup key):
    a reminder is keyed by the registration's own creation, so one registration gets one reminder,
    and a person who cancels and registers again is reminded again."""
    moment = {
        PROMOTED: registration.promoted_at,
        SEATS_ADDED: registration.promoted_at,
        SEAT_GIVEN: registration.promoted_at,
        REGISTRATION_CANCELLED: registration.cancelled_at,
    }.get(kind, registration.created_at)
    return moment.strftime("%Y%m%d%H%M%S%f") if moment is not None else "0"


async def send(
    session: AsyncSession,
    event: MuseumEvent,
    registration: EventRegistration,
    kind: str,
    *,
    ctx: NoticeContext | None = None,
    locale: str | None = None,
) -> bool:
    """Queue one notice of ``kind`` to the person; False when they have neither a chat nor an e-mail."""
    ctx = ctx or NoticeContext()
    account = (
        await session.get(TelegramAccount, registration.telegram_id)
        if registration.telegram_id is not None
        else None
    )
    if locale is None and registration.submission_id is not None:
        # Registered through a form: later messages speak the language the form was filled in.
        submission = await session.get(FormSubmission, registration.submission_id)
        locale = submission.locale if submission is not None else None
    t = Translator((account.locale if account is not None else None) or locale or ctx.default_locale)
    params: dict[str, object] = {"title": event.title}
    if kind == WAITLISTED:
        params["number"] = await waiting_number(session, registration)
    key = f"ev:{event.id}:{registration.id}:{kind}:{_stamp(registration, kind)}"
    lines = details(event, ctx, t)
    chat_id = None
    if registration.telegram_id is not None and (account is None or account.blocked_at is None):
        chat_id = account.chat_id if account is not None else registration.telegram_id
    if chat_id is not None:
        body = "\n".join(html_escape(line) for line in lines)
        head = t(HEADS[kind], **{k: html_escape(str(v)) for k, v in params.items()})
        return await outbox.enqueue(session, outbox.text_message(chat_id, f"{head}\n\n{body}", dedup_key=key))
    if registration.email:
        return await enqueue_mail(
            session,
            appeal_id=None,
            to=registration.email,
            subject=t(SUBJECTS[kind], title=event.title),
            body=t(HEADS[kind], **params) + "\n\n" + "\n".join(lines),
            in_reply_to=None,
            dedup_key=key,
        )
    return False
