"""What every import kind provides, and the context a chunk of rows is applied in."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.addresses.tables import CellValue
from services.audit import Actor
from services.imports.columns import Column
from services.imports.report import ImportReport

Cells = dict[str, CellValue]


@dataclass(slots=True)
class ChunkContext:
    session: AsyncSession
    actor: Actor
    report: ImportReport
    tz: ZoneInfo
    dry_run: bool
    # How appeals' terms end on a day off (PORUCHENO_APPEAL_TERM_ON_DAY_OFF; services.work_calendar.terms).
    term_rule: str = "previous"
    # A dry run rolls every chunk back, so rows an earlier chunk "created" are not in the database:
    # their keys are remembered here (keys only, a few dozen bytes a row) so later rows referring to
    # them are not rejected and repeats count as updates, as in a real run.
    pending: dict[str, set[str]] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # small lookups kept for the whole run

    def remember(self, group: str, *keys: str | None) -> None:
        if self.dry_run:
            self.pending.setdefault(group, set()).update(k for k in keys if k)

    def is_pending(self, group: str, key: str | None) -> bool:
        return bool(key) and key in self.pending.get(group, ())


def assign_changed(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes of ``obj`` that differ from ``values``; whether any did (an update or an
    unchanged row in the report)."""
    changed = False
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    return changed


class ImportKind(ABC):
    """One kind of rows: its columns, how a row is read, how a chunk of read rows is written."""

    name: ClassVar[str]
    title: ClassVar[str]  # msgid
    columns: ClassVar[Sequence[Column]]

    @abstractmethod
    def parse(self, cells: Cells, ctx: ChunkContext) -> Any:
        """The row's values (raise :class:`~services.imports.columns.Rejected` to reject it)."""

    @abstractmethod
    async def apply(self, ctx: ChunkContext, rows: list[tuple[int, Any]]) -> None:
        """Create or update what ``rows`` describe, counting each in ``ctx.report``."""
