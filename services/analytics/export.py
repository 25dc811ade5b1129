"""The KPI report as an XLSX workbook (the weekly planning meeting's spreadsheet).

Sheets: the organisation and each department on one sheet, each employee on another, then the list of
overdue assignments. Rates are real percentages (number format ``0%``), average times in days (the
panel's unit), times are local wall-clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Department, User
from porucheno.numbers import format_count, format_days, format_share, hours_to_days
from services.analytics.kpi import OPEN_STATES, ORGANISATION, AssignmentKpi, GroupBy, Scope, assignment_kpi_by
from services.notify import N_, NoticeContext, Translator
from services.offload import Offload, render
from services.spreadsheets import xlsx_bytes

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

KPI_HEADER = (
    N_("Received"),
    N_("Done"),
    N_("Done on time"),
    N_("On time"),
    N_("Average time to done, days"),
    N_("Overdue now"),
    N_("Returned for rework"),
    N_("Declined"),
    N_("Extensions requested"),
    N_("Extensions approved"),
)
OVERDUE_HEADER = (
    N_("No."),
    N_("Title"),
    N_("Executor"),
    N_("Department"),
    N_("Deadline"),
    N_("Overdue, days"),
)
OVERDUE_LIMIT = 5000


def kpi_cells(k: AssignmentKpi) -> list[object]:
    """One row of figures as numbers (the workbook formats them); the panel's columns and units."""
    days = hours_to_days(k.avg_hours_to_done)
    avg = round(days, 1) if days is not None else None
    return [
        k.received,
        k.done,
        k.done_on_time,
        k.on_time_rate,
        avg,
        k.overdue_now,
        k.returned,
        k.declined,
        k.extensions_requested,
        k.extensions_approved,
    ]


def kpi_texts(k: AssignmentKpi, locale: str) -> list[str]:
    """The same row as text in the reader's language (CSV): «50 %», «4,5», never "0.5" or "108.0"."""
    cells = kpi_cells(k)
    cells[3] = format_share(k.on_time_rate, locale)
    cells[4] = format_days(k.avg_hours_to_done, locale)
    return [c if isinstance(c, str) else format_count(c, locale) for c in cells]  # type: ignore[arg-type]


@dataclass(frozen=True)
class KpiSheets:
    """The report as plain rows (read on the loop), laid out by ``kpi_xlsx`` in the render pool."""

    titles: tuple[str, str, str]
    departments_header: tuple[str, ...]
    departments: tuple[tuple[Any, ...], ...]  # the total first
    period: str
    people_header: tuple[str, ...]
    people: tuple[tuple[Any, ...], ...]
    overdue_header: tuple[str, ...]
    overdue: tuple[tuple[Any, ...], ...]


def _header(ws: Worksheet, cells: list[str], widths: list[int]) -> None:
    from openpyxl.styles import Font

    ws.append(cells)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"


def _format_rates(ws: Worksheet, column: int) -> None:
    for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.number_format = "0%"
    for (cell,) in ws.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
        cell.number_format = "0.0"  # average days: one decimal, as on the panel


def kpi_xlsx(data: KpiSheets) -> bytes:
    """The workbook (pure, CPU-bound: run in the render pool, ``services/offload.py``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = data.titles[0][:31]
    _header(ws, list(data.departments_header), [34, *([14] * len(KPI_HEADER))])
    for row in data.departments:
        ws.append(list(row))
    ws["A2"].font = Font(bold=True)
    _format_rates(ws, 5)
    ws.append([])
    ws.append([data.period])

    people = wb.create_sheet(data.titles[1][:31])
    _header(people, list(data.people_header), [34, 28, *([14] * 10)])
    for row in data.people:
        people.append(list(row))
    _format_rates(people, 6)

    overdue = wb.create_sheet(data.titles[2][:31])
    _header(overdue, list(data.overdue_header), [8, 60, 30, 28, 17, 12])
    for row in data.overdue:
        overdue.append(list(row))
    for (cell,) in overdue.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.number_format = "DD.MM.YYYY HH:MM"
    return xlsx_bytes(wb)


async def kpi_workbook(
    session: AsyncSession,
    ctx: NoticeContext,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    scope: Scope = ORGANISATION,
    locale: str | None = None,
    offload: Offload | None = None,
) -> bytes:
    data = await kpi_sheets(session, ctx, start, end, now=now, scope=scope, locale=locale)
    return await render(offload, kpi_xlsx, data)


async def kpi_sheets(
    session: AsyncSession,
    ctx: NoticeContext,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    scope: Scope = ORGANISATION,
    locale: str | None = None,
) -> KpiSheets:
    t = Translator(locale or ctx.default_locale)
    last_day = ctx.local(end - timedelta(seconds=1)).strftime("%d.%m.%Y")
    period = t(N_("Period: %(start)s – %(end)s"), start=ctx.local(start).strftime("%d.%m.%Y"), end=last_day)
    departments = dict((await session.execute(select(Department.id, Department.name))).all())
    users = {
        uid: (name, dept)
        for uid, name, dept in await session.execute(select(User.id, User.full_name, User.department_id))
    }
    by_department = await assignment_kpi_by(
        session, start, end, now=now, scope=scope, group=GroupBy.DEPARTMENT
    )
    total = (await assignment_kpi_by(session, start, end, now=now, scope=scope))[None]
    dept_rows = [
        (t(N_("Whole organisation")) if scope == ORGANISATION else t(N_("Total")), *kpi_cells(total))
    ]
    for dept_id, k in sorted(by_department.items(), key=lambda kv: departments.get(kv[0] or 0, "")):
        name = departments.get(dept_id, t(N_("No department"))) if dept_id else t(N_("No department"))
        dept_rows.append((name, *kpi_cells(k)))

    by_executor = await assignment_kpi_by(session, start, end, now=now, scope=scope, group=GroupBy.EXECUTOR)
    rows = []
    for uid, k in by_executor.items():
        name, dept = users.get(uid, (t(N_("No executor")), None)) if uid else (t(N_("No executor")), None)
        rows.append((name, departments.get(dept, "") if dept else "", *kpi_cells(k)))
    rows.sort(key=lambda r: str(r[0]))

    stmt = (
        select(
            Assignment.id,
            Assignment.title,
            Assignment.executor_id,
            Assignment.department_id,
            Assignment.deadline,
        )
        .where(Assignment.status.in_(OPEN_STATES), Assignment.deadline < now)
        .order_by(Assignment.deadline, Assignment.id)
        .limit(OVERDUE_LIMIT)
    )
    if scope.department_id is not None:
        stmt = stmt.where(Assignment.department_id == scope.department_id)
    if scope.user_id is not None:
        stmt = stmt.where(Assignment.executor_id == scope.user_id)
    overdue = []
    for aid, title, executor_id, dept_id, deadline in await session.execute(stmt):
        executor = users.get(executor_id, ("", None))[0] if executor_id else ""
        overdue.append(
            (
                aid,
                title,
                executor,
                departments.get(dept_id, "") if dept_id else "",
                ctx.local(deadline).replace(tzinfo=None),  # Excel has no zones: local wall-clock time
                (now - deadline).days,
            )
        )
    return KpiSheets(
        titles=(t(N_("Departments")), t(N_("Employees")), t(N_("Overdue assignments"))),
        departments_header=(t(N_("Department")), *(t(h) for h in KPI_HEADER)),
        departments=tuple(dept_rows),
        period=period,
        people_header=(t(N_("Employee")), t(N_("Department")), *(t(h) for h in KPI_HEADER)),
        people=tuple(rows),
        overdue_header=tuple(t(h) for h in OVERDUE_HEADER),
        overdue=tuple(overdue),
    )
