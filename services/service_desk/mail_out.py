"""Letters about a service request to a requester who wrote by e-mail (or has no chat), threaded
on the request's first letter so their mail client shows one conversation.

``queue_letters`` is called by ``notices.notify`` for every event (filled in by the e-mail work).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import ServiceComment, ServiceRequest, User
from services.notify import NoticeContext


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
    return None
