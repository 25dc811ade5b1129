"""The one path a report leaves the system by: rebuilt, re-validated, packed and audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from services.audit import Actor, record
from services.sstu.access import require_reporter
from services.sstu.archive import archive
from services.sstu.build import build_month
from services.sstu.report import SstuReport
from services.sstu.validate import Problem, validate


@dataclass(frozen=True, slots=True)
class Export:
    report: SstuReport
    problems: list[Problem]
    data: bytes | None  # None while there are problems

    @property
    def file_name(self) -> str:
        return f"sstu-{self.report.year:04d}-{self.report.month:02d}.zip"


async def preview(
    session: AsyncSession, user: User, year: int, month: int, *, tz: ZoneInfo, files_dir: Path
) -> tuple[SstuReport, list[Problem]]:
    require_reporter(user)
    report = await build_month(session, year, month, tz=tz, files_dir=files_dir)
    return report, validate(report)


async def export_month(
    session: AsyncSession, user: User, year: int, month: int, *, tz: ZoneInfo, files_dir: Path
) -> Export:
    """Never trusts an earlier preview: the data may have changed since; refused with the problems."""
    report, problems = await preview(session, user, year, month, tz=tz, files_dir=files_dir)
    if problems:
        return Export(report, problems, None)
    data = await archive(report)
    record(
        session,
        Actor(user_id=user.id, telegram_id=user.telegram_id),
        "sstu_report",
        None,
        "sstu_export",
        data={
            "month": f"{year:04d}-{month:02d}",
            "appeals": len(report.appeals),
            "questions": report.question_count,
            "bytes": len(data),
        },
    )
    await session.flush()
    return Export(report, [], data)
