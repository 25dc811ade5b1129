"""Service-desk notices queued through the outbox (the bot's messages, and letters for requests
that came by e-mail).

``notify`` is called by every change in ``requests`` with the event's name:
filed, taken, assigned, commented, waiting, resolved, confirmed, auto_closed, rated, reopened,
cancelled, urgency_changed. Dedup keys name the audit event, so a retried handler queues nothing
twice. Callback data of the buttons: ``sd:<action>:<request id>`` (see ``cb``).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceComment, ServiceRequest, User
from services.notify import NoticeContext
from services.service_desk import mail_out

CB_PREFIX = "sd"


def cb(action: str, request_id: int) -> str:
    return f"{CB_PREFIX}:{action}:{request_id}"


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
    """Queue what ``event`` means for each party (filled in by the service-desk bot work)."""
    await mail_out.queue_letters(session, ctx, request, event, audit_id, actor=actor, comment=comment)
