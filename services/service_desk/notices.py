"""Service-desk notices queued through the outbox (the bot's messages, and letters for requests
that came by e-mail).

``notify`` is called by every change in ``requests`` with the event's name:
filed, taken, assigned, commented, waiting, resolved, confirmed, auto_closed, rated, reopened,
cancelled, urgency_changed. Dedup keys name the audit event and the recipient, so a retried handler
queues nothing twice. Callback data of the buttons: ``sd:<action>:<request id>`` (see ``cb``); the
bot's ``DeskCallback`` packs to the same strings. The actor is never told of their own doing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Department, ServiceComment, ServiceRequest, ServiceTopic, StoredFile, User
from models.enums import ServiceStatus, ServiceUrgency
from services import outbox
from services.html_cut import cut_plain
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard
from services.service_desk import mail_out
from services.telegram_accounts import staff_chats

CB_PREFIX = "sd"
TEXT_SHOWN = 1500  # of a request's text or a comment on a notice

# Button actions the notices use (the bot's card buttons use the same ones).
OPEN = "open"
TAKE = "take"  # a new request: pressed on a stale notice after a colleague took it, it is refused
SAY = "say"  # write a public message on the request (the requester's answer, the service's reply)
CONFIRM = "ok"
NOT_SOLVED = "no"

STATUS_NAMES = {
    ServiceStatus.NEW: N_("new, not taken yet"),
    ServiceStatus.IN_WORK: N_("in work"),
    ServiceStatus.WAITING: N_("waiting for your answer"),
    ServiceStatus.RESOLVED: N_("resolved, awaiting confirmation"),
    ServiceStatus.CLOSED: N_("done and closed"),
    ServiceStatus.CANCELLED: N_("request cancelled"),
}
URGENCY_NAMES = {
    ServiceUrgency.LOW: N_("🟢 Low"),
    ServiceUrgency.NORMAL: N_("🔵 Normal"),
    ServiceUrgency.HIGH: N_("🟠 High"),
    ServiceUrgency.CRITICAL: N_("🔴 Critical"),
}


def cb(action: str, request_id: int) -> str:
    return f"{CB_PREFIX}:{action}:{request_id}"


def topic_name(topic: ServiceTopic | None, locale: str) -> str:
    if topic is None:
        return "—"
    return topic.name_en if locale == "en" and topic.name_en else topic.name_ru


def headline(request: ServiceRequest, topic: ServiceTopic | None, t: Translator) -> str:
    return "\n".join(
        [
            t("Request № %(number)s", number=request.number) + f": <b>{html_escape(request.subject)}</b>",
            t("Topic: %(topic)s", topic=html_escape(topic_name(topic, t.locale))),
            t("Urgency: %(urgency)s", urgency=t(URGENCY_NAMES[ServiceUrgency(request.urgency)])),
        ]
    )


def _from_requester(request: ServiceRequest, comment: ServiceComment) -> bool:
    if comment.author_id is not None:
        return comment.author_id == request.requester_id
    return bool(comment.author_email) and comment.author_email == request.requester_email


async def _service_chats(session: AsyncSession, request: ServiceRequest) -> list[tuple[User, int]]:
    """The agents of the request's service: its department's members and head, the topic's lead."""
    ids: set[int] = set()
    if request.department_id is not None:
        department = await session.get(Department, request.department_id)
        if department is not None and department.head_id is not None:
            ids.add(department.head_id)
    topic = await session.get(ServiceTopic, request.topic_id) if request.topic_id is not None else None
    if topic is not None and topic.lead_id is not None:
        ids.add(topic.lead_id)
    conditions = [User.id.in_(ids)] if ids else []
    if request.department_id is not None:
        conditions.append(User.department_id == request.department_id)
    if not conditions:
        return []
    return await staff_chats(session, or_(*conditions))


async def _user_chats(session: AsyncSession, user_id: int | None) -> list[tuple[User, int]]:
    return [] if user_id is None else await staff_chats(session, User.id == user_id)


Body = Callable[[Translator], str] | None


async def _send(
    session: AsyncSession,
    ctx: NoticeContext,
    request: ServiceRequest,
    recipients: list[tuple[User, int]],
    head: str,
    *,
    actor: User | None,
    key: str,
    body: Body = None,
    buttons: Sequence[tuple[str, str]] = (),
) -> None:
    """One message per recipient (not the actor), in their language: headline, card, body, buttons."""
    topic = await session.get(ServiceTopic, request.topic_id) if request.topic_id is not None else None
    seen: set[int] = set()
    for user, chat_id in recipients:
        if (actor is not None and user.id == actor.id) or user.id in seen:
            continue
        seen.add(user.id)
        t = Translator(ctx.locale_of(user))
        text = f"<b>{t(head)}</b>\n\n{headline(request, topic, t)}"
        extra = body(t) if body is not None else ""
        if extra:
            text += "\n\n" + extra
        rows = [[(t(label), cb(action, request.id))] for label, action in buttons]
        await outbox.enqueue(
            session,
            outbox.text_message(
                chat_id,
                text,
                reply_markup=inline_keyboard(rows) if rows else None,
                dedup_key=f"sd:{request.id}:{key}:{user.id}",
            ),
        )


def _plain(text: str | None) -> Body:
    return (lambda t: cut_plain(text, TEXT_SHOWN)) if text else None


OPEN_BUTTON = (N_("📄 Open"), OPEN)
REPLY_BUTTON = (N_("↩️ Reply"), SAY)


async def notify(
    session: AsyncSession,
    ctx: NoticeContext,
    request: ServiceRequest,
    event: str,
    audit_id: int,
    *,
    actor: User | None,
    comment: ServiceComment | None = None,
) -> None:
    """Queue what ``event`` means for each party."""
    await _telegram(session, ctx, request, event, audit_id, actor=actor, comment=comment)
    await mail_out.queue_letters(session, ctx, request, event, audit_id, actor=actor, comment=comment)


async def _telegram(
    session: AsyncSession,
    ctx: NoticeContext,
    request: ServiceRequest,
    event: str,
    audit_id: int,
    *,
    actor: User | None,
    comment: ServiceComment | None,
) -> None:
    key = f"{event}:a{audit_id}"
    requester = await _user_chats(session, request.requester_id)
    assignee = await _user_chats(session, request.assignee_id)

    async def send(
        recipients: list[tuple[User, int]], head: str, body: Body = None, *buttons: tuple[str, str]
    ) -> None:
        await _send(session, ctx, request, recipients, head, actor=actor, key=key, body=body, buttons=buttons)

    async def workers() -> list[tuple[User, int]]:
        # Whoever works the request: its assignee, or the whole service while nobody has taken it.
        return assignee or await _service_chats(session, request)

    said = comment.text if comment is not None else None
    attached = 0
    if comment is not None:
        attached = int(
            await session.scalar(
                select(func.count())
                .select_from(StoredFile)
                .where(StoredFile.service_comment_id == comment.id)
            )
            or 0
        )

    def message(t: Translator) -> str:
        lines = [cut_plain(said, TEXT_SHOWN)] if said else []
        if attached:
            lines.append(t("📎 Files: %(n)s", n=attached))
        return "\n".join(lines)

    if event == "filed":
        buttons = ((N_("✋ Take"), TAKE), OPEN_BUTTON)
        await send(
            await _service_chats(session, request),
            N_("🆕 New service request"),
            _plain(request.text),
            *buttons,
        )
    elif event in ("taken", "assigned"):
        person = await session.get(User, request.assignee_id) if request.assignee_id is not None else None
        who = person.full_name if person is not None else None
        await send(
            requester,
            N_("🛠 Your request is taken into work"),
            lambda t: t("Assignee: %(name)s", name=html_escape(who)),
            OPEN_BUTTON,
        )
        if event == "assigned":
            await send(assignee, N_("📥 A request is assigned to you"), None, OPEN_BUTTON)
    elif event in ("commented", "waiting") and comment is not None and not comment.internal:
        if _from_requester(request, comment):
            await send(await workers(), N_("💬 The requester wrote"), message, REPLY_BUTTON, OPEN_BUTTON)
        else:
            head = N_("❓ The service asks you") if event == "waiting" else N_("💬 The service wrote")
            await send(requester, head, message, REPLY_BUTTON, OPEN_BUTTON)
    elif event == "resolved":
        await send(
            requester,
            N_("✅ Your request is resolved"),
            _plain(said),
            (N_("✅ Confirm"), CONFIRM),
            (N_("↩️ Not solved"), NOT_SOLVED),
        )
    elif event == "reopened":
        await send(await workers(), N_("↩️ The requester says it is not solved"), _plain(said), OPEN_BUTTON)
    elif event == "cancelled":
        by_requester = actor is not None and actor.id == request.requester_id
        audit = await session.get(AuditEvent, audit_id)
        reason = audit.reason if audit is not None else None
        body = (lambda t: t("Reason: %(reason)s", reason=cut_plain(reason, TEXT_SHOWN))) if reason else None
        others = await workers() if by_requester else requester
        await send(others, N_("✖ The request is cancelled"), body, OPEN_BUTTON)
    elif event == "urgency_changed" and request.resolution_due_at is not None:
        due = ctx.format_dt(request.resolution_due_at)
        await send(
            requester,
            N_("⚡ The service changed the urgency of your request"),
            lambda t: t("Resolution by %(when)s.", when=due),
            OPEN_BUTTON,
        )
    elif event in ("confirmed", "rated") and request.rating is not None:
        stars = "⭐" * request.rating
        await send(assignee, N_("⭐ The requester rated the work"), lambda t: stars)
    elif event == "confirmed":
        await send(assignee, N_("👍 The requester confirmed the result"))
