"""Checklists on assignments and service requests: items, ticking, «all ticked» before a report.

An owner is named by a kind and an id: ``"a"`` an assignment, ``"r"`` a service request. Reading
and counting live here; changing (with the rights of the owner's people) in :mod:`.edit`.

Rights come from the owners' own packages (see :mod:`.owners`); so those packages read their
checklist counts directly (``services.assignments.checklist_gate``, the service desk's resolve)
rather than import this one back (the import contracts forbid cycles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ChecklistItem
from services.errors import InvalidInput

ASSIGNMENT, REQUEST = "a", "r"
KINDS = (ASSIGNMENT, REQUEST)
CB_PREFIX = "chk"


def cb_open(kind: str, owner_id: int) -> str:
    """The bot's «☑️ Checklist» button: ``chk:open:<a|r>:<id>``."""
    return f"{CB_PREFIX}:open:{kind}:{owner_id}"


def cb_tick(item_id: int) -> str:
    return f"{CB_PREFIX}:tick:{item_id}"


def _owner_column(kind: str):  # type: ignore[no-untyped-def]
    if kind == ASSIGNMENT:
        return ChecklistItem.assignment_id
    if kind == REQUEST:
        return ChecklistItem.service_request_id
    raise InvalidInput("Unknown checklist.")


@dataclass(frozen=True, slots=True)
class Summary:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def left(self) -> int:
        return self.total - self.done


async def items_of(session: AsyncSession, kind: str, owner_id: int) -> Sequence[ChecklistItem]:
    return (
        await session.scalars(
            select(ChecklistItem)
            .where(_owner_column(kind) == owner_id)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    ).all()


async def summary(session: AsyncSession, kind: str, owner_id: int) -> Summary:
    row = (
        await session.execute(
            select(func.count(), func.count(ChecklistItem.done_at)).where(_owner_column(kind) == owner_id)
        )
    ).one()
    return Summary(done=row[1] or 0, total=row[0] or 0)


async def require_complete(
    session: AsyncSession, *, assignment_id: int | None = None, service_request_id: int | None = None
) -> None:
    """Refuse while an item of the checklist is not ticked."""
    if assignment_id is not None:
        counted = await summary(session, ASSIGNMENT, assignment_id)
    else:
        assert service_request_id is not None
        counted = await summary(session, REQUEST, service_request_id)
    if counted.left:
        raise InvalidInput("Tick every checklist item first: %(n)d left.", n=counted.left)


def cb_add(kind: str, owner_id: int) -> str:
    """«➕ Add items»: the next message of the control (agent) holds them, one per line."""
    return f"{CB_PREFIX}:add:{kind}:{owner_id}"
