"""Answer templates («macros») for replies on service requests: the topic's own, then common ones.

The table is ``answer_templates`` shared with appeals (``scope`` "service" here).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AnswerTemplate


async def for_service_request(session: AsyncSession, topic_id: int | None) -> list[AnswerTemplate]:
    """Active service answer templates for a request of ``topic_id``: its topic's first, then common."""
    query = select(AnswerTemplate).where(
        AnswerTemplate.scope == "service",
        AnswerTemplate.is_active,
        (AnswerTemplate.service_topic_id == topic_id) | AnswerTemplate.service_topic_id.is_(None),
    )
    rows = list((await session.scalars(query)).all())
    rows.sort(key=lambda t: (t.service_topic_id is None, t.title.casefold(), t.id))
    return rows
