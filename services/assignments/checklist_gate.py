"""The assignment's side of its checklist: the counts on the card button, «every item ticked» before
the executor's report.

:mod:`services.checklists` decides who edits and ticks, and for that imports this package's access
rules; so these few reads go to the items directly (the import contracts forbid the cycle).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, ChecklistItem
from services.errors import InvalidInput


def open_cb(assignment_id: int) -> str:
    """The bot's «☑️ Checklist» button, the same string as ``services.checklists.cb_open("a", id)``."""
    return f"chk:open:a:{assignment_id}"


async def counts(session: AsyncSession, assignment_id: int) -> tuple[int, int]:
    """(ticked, total) items of the assignment's checklist."""
    row = (
        await session.execute(
            select(func.count(), func.count(ChecklistItem.done_at)).where(
                ChecklistItem.assignment_id == assignment_id
            )
        )
    ).one()
    return row[1] or 0, row[0] or 0


async def require_ticked(session: AsyncSession, assignment: Assignment) -> None:
    """When the control asked for it, refuse a report while an item is not ticked."""
    if not assignment.checklist_required:
        return
    done, total = await counts(session, assignment.id)
    if done < total:
        raise InvalidInput("Tick every checklist item first: %(n)d left.", n=total - done)
