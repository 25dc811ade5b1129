"""Letters about a service request to a requester who wrote by e-mail (or has no chat), threaded
on the request's first letter so their mail client shows one conversation.

``queue_letters`` is called by ``notices.notify`` for every event. Only what the requester needs to
hear goes out: filed (the number and the targets), the service's public comments, its questions,
resolved and cancelled. Letters wait in the mail outbox (dedup key ``sd:<request>:<event>:<audit>``,
so a retried handler queues nothing twice) and leave From the service mailbox
(``NoticeContext.service_mail_from``; nothing is queued while it is not configured), so replies come
back to that mailbox. The Message-ID the sender will give the letter is derived from its outbox row;
it is kept on the comment the letter carries (and as the request's thread when it had none), so a
reply is recognised by ``mail_in``.
"""

from __future__ import annotations

from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, MailOutbox, ServiceComment, ServiceRequest, ServiceTopic, StoredFile, User
from models.enums import ServiceChannel
from services.mail.smtp_sender import outbox_message_id
from services.mail_outbox import enqueue_mail
from services.notify import NoticeContext, Translator

DEDUP_PREFIX = "sd:"
LETTER_EVENTS = frozenset({"filed", "commented", "waiting", "resolved", "cancelled"})


def dedup_key(request_id: int, event: str, audit_id: int) -> str:
    return f"{DEDUP_PREFIX}{request_id}:{event}:{audit_id}"


def request_of_key(key: str | None) -> int | None:
    """The request a queued letter was about (``sd:<id>:...``), or None for other letters."""
    if not key or not key.startswith(DEDUP_PREFIX):
        return None
    head = key[len(DEDUP_PREFIX) :].split(":", 1)[0]
    return int(head) if head.isdigit() else None


def letter_subject(request: ServiceRequest) -> str:
    return f"[№ {request.number}] {request.subject}"


def own_address(ctx: NoticeContext) -> str | None:
    return parseaddr(ctx.service_mail_from or "")[1].lower() or None


async def recipient(session: AsyncSession, request: ServiceRequest) -> tuple[str | None, User | None]:
    """Where letters go: the request's address, when it came by mail or its requester has no chat."""
    requester = await session.get(User, request.requester_id) if request.requester_id is not None else None
    if not request.requester_email:
        return None, requester
    if request.channel == ServiceChannel.EMAIL or requester is None or requester.telegram_id is None:
        return request.requester_email, requester
    return None, requester


def _reply_hint(t: Translator, request: ServiceRequest) -> str:
    return t(
        "Reply to this letter to add to the request; keep «[№ %(number)s]» in the subject.",
        number=request.number,
    )


async def _body(
    session: AsyncSession,
    t: Translator,
    ctx: NoticeContext,
    request: ServiceRequest,
    event: str,
    audit_id: int,
    comment: ServiceComment | None,
    actor: User | None,
) -> str | None:
    number = request.number
    said = comment.text if comment is not None else ""
    signed = f"{said}\n\n— {actor.full_name}" if actor is not None and said else said
    if event == "filed":
        topic = await session.get(ServiceTopic, request.topic_id) if request.topic_id else None
        parts = [
            t(
                "Your request № %(number)s «%(subject)s» is registered.",
                number=number,
                subject=request.subject,
            )
        ]
        if topic is not None:
            name = topic.name_en if t.locale == "en" else topic.name_ru
            parts.append(t("Topic: %(topic)s", topic=name))
        if request.reaction_due_at is not None:
            parts.append(
                t("The service will take it up by %(when)s.", when=ctx.format_dt(request.reaction_due_at))
            )
        if request.resolution_due_at is not None:
            parts.append(
                t("Target time to resolve: %(when)s.", when=ctx.format_dt(request.resolution_due_at))
            )
        return "\n".join(parts) + "\n\n" + _reply_hint(t, request)
    if event == "commented":
        head = t("The service wrote about your request № %(number)s:", number=number)
        return f"{head}\n\n{signed}\n\n{_reply_hint(t, request)}"
    if event == "waiting":
        head = t("The service asks about your request № %(number)s:", number=number)
        tail = t("Please reply to this letter: the request waits for your answer.")
        return f"{head}\n\n{signed}\n\n{tail}"
    if event == "resolved":
        head = t("Your request № %(number)s is resolved. What was done:", number=number)
        tail = t("If the problem is not solved, reply to this letter and the request goes back to work.")
        return f"{head}\n\n{signed}\n\n{tail}"
    if event == "cancelled":
        audit = await session.get(AuditEvent, audit_id)
        head = t("Your request № %(number)s is cancelled.", number=number)
        reason = audit.reason if audit is not None and audit.reason else ""
        if not reason:
            return head
        return head + "\n\n" + t("Reason: %(reason)s", reason=reason)
    return None


async def queue_letters(
    session: AsyncSession,
    ctx: NoticeContext,
    request: ServiceRequest,
    event: str,
    audit_id: int,
    *,
    actor: User | None,
    comment: ServiceComment | None = None,
) -> None:
    if not ctx.service_mail_from or event not in LETTER_EVENTS:
        return
    to, requester = await recipient(session, request)
    if to is None:
        return
    if event == "commented":
        # Only what the service says publicly; the requester's own letters are not echoed back.
        if comment is None or comment.internal or comment.author_id is None:
            return
        if comment.author_id == request.requester_id:
            return
    t = Translator(ctx.locale_of(requester))
    body = await _body(session, t, ctx, request, event, audit_id, comment, actor)
    if body is None:
        return
    file_ids: list[int] = []
    if comment is not None:
        file_ids = list(
            (
                await session.scalars(
                    select(StoredFile.id).where(StoredFile.service_comment_id == comment.id)
                )
            ).all()
        )
    key = dedup_key(request.id, event, audit_id)
    added = await enqueue_mail(
        session,
        appeal_id=None,
        to=to,
        subject=letter_subject(request),
        body=body,
        in_reply_to=request.mail_thread_id,
        dedup_key=key,
        file_ids=file_ids or None,
    )
    if not added:
        return
    row = await session.scalar(select(MailOutbox).where(MailOutbox.dedup_key == key))
    if row is None:
        return
    message_id = outbox_message_id(row, ctx.service_mail_from)
    if comment is not None and comment.message_id is None:
        comment.message_id = message_id
    if request.mail_thread_id is None:
        # A request filed in the bot or the panel: our first letter starts the thread.
        request.mail_thread_id = message_id
    await session.flush()
