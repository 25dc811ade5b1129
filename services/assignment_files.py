"""Files attached to an assignment by its author before the assignment existed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models import StoredFile


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
        .where(
            StoredFile.id.in_(ids),
            StoredFile.uploaded_by_user_id == uploaded_by_user_id,
            StoredFile.assignment_id.is_(None),
            StoredFile.appeal_id.is_(None),
            StoredFile.report_id.is_(None),
        )
        .values(assignment_id=assignment_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
