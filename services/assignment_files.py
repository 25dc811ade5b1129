"""Files attached to an assignment by its author before the assignment existed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import StoredFile


def _unattached(user_id: int) -> ColumnElement[bool]:
    """Uploaded by this user and not yet claimed by an assignment, a report or an appeal."""
    return and_(
        StoredFile.uploaded_by_user_id == user_id,
        StoredFile.assignment_id.is_(None),
        StoredFile.appeal_id.is_(None),
        StoredFile.report_id.is_(None),
    )


async def unattached_uploads(
    session: AsyncSession, user_id: int, file_ids: Iterable[int]
) -> list[StoredFile]:
    """The user's own files among ``file_ids`` still waiting for their assignment (the ids come
    from a page or a conversation, so every one is checked)."""
    ids = list(dict.fromkeys(file_ids))
    if not ids:
        return []
    query = select(StoredFile).where(StoredFile.id.in_(ids), _unattached(user_id)).order_by(StoredFile.id)
    return list((await session.scalars(query)).all())


async def link_to_assignment(
    session: AsyncSession, assignment_id: int, file_ids: Iterable[int], *, uploaded_by_user_id: int
) -> int:
    """Link the uploader's still unattached files; returns how many were linked.

    Ids come from conversation state, so only files this user uploaded and nothing else claimed
    are touched.
    """
    ids = list(dict.fromkeys(file_ids))
    if not ids:
        return 0
    result = await session.execute(
        update(StoredFile)
        .where(StoredFile.id.in_(ids), _unattached(uploaded_by_user_id))
        .values(assignment_id=assignment_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
