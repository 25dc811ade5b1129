"""Checklists on assignments and service requests: items, ticking, «all ticked» before a report."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ChecklistItem
from services.errors import InvalidInput


async def require_complete(
    session: AsyncSession, *, assignment_id: int | None = None, service_request_id: int | None = None
) -> None:
    """Refuse while an item of the checklist is not ticked."""
    query = select(func.count()).select_from(ChecklistItem).where(ChecklistItem.done_at.is_(None))
    if assignment_id is not None:
        query = query.where(ChecklistItem.assignment_id == assignment_id)
    else:
        query = query.where(ChecklistItem.service_request_id == service_request_id)
    left = await session.scalar(query) or 0
    if left:
        raise InvalidInput("Tick every checklist item first: %(n)d left.", n=left)
