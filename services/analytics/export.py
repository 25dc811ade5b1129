"""The KPI report as an XLSX workbook (the weekly planning meeting's spreadsheet).

Sheets: the organisation and each department on one sheet, each employee on another, then the list of
overdue assignments. Rates are real percentages (number format ``0%``), average times in days (the
panel's unit), times are local wall-clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, Department, User
from porucheno.numbers import format_count, format_days, format_share, hours_to_days
from services.analytics.kpi import OPEN_STATES, ORGANISATION, AssignmentKpi, GroupBy, Scope, assignment_kpi_by
from services.notify import N_, NoticeContext, Translator
from services.spreadsheets import xlsx_bytes

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


def _header(ws: Worksheet, cells: list[str], widths: list[int]) -> None:
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


async def kpi_workbook(
    session: AsyncSession,
    ctx: NoticeContext,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    scope: Scope = ORGANISATION,
    locale: str | None = None,
) -> bytes:
    t = Translator(locale or ctx.default_locale)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t(N_("Departments"))[:31]
    last_day = ctx.local(end - timedelta(seconds=1)).strftime("%d.%m.%Y")
    period = t(N_("Period: %(start)s – %(end)s"), start=ctx.local(start).strftime("%d.%m.%Y"), end=last_day)
    header = [t(N_("Department")), *(t(h) for h in KPI_HEADER)]
    _header(ws, header, [34, *([14] * len(KPI_HEADER))])

    departments = dict((await session.execute(select(Department.id, Department.name))).all())
    users = {
        uid: (name, dept)
        for uid, name, dept in await session.execute(select(User.id, User.full_name, User.department_id))
    }
    by_department = await assignment_kpi_by(
        session, start, end, now=now, scope=scope, group=GroupBy.DEPARTMENT
    )
    total = (await assignment_kpi_by(session, start, end, now=now, scope=scope))[None]
    ws.append([t(N_("Whole organisation")) if scope == ORGANISATION else t(N_("Total")), *kpi_cells(total)])
    ws["A2"].font = Font(bold=True)
    for dept_id, k in sorted(by_department.items(), key=lambda kv: departments.get(kv[0] or 0, "")):
        name = departments.get(dept_id, t(N_("No department"))) if dept_id else t(N_("No department"))
        ws.append([name, *kpi_cells(k)])
    _format_rates(ws, 5)
    ws.append([])
    ws.append([period])

    people = wb.create_sheet(t(N_("Employees"))[:31])
    _header(
        people, [t(N_("Employee")), t(N_("Department")), *(t(h) for h in KPI_HEADER)], [34, 28, *([14] * 10)]
    )
    by_executor = await assignment_kpi_by(session, start, end, now=now, scope=scope, group=GroupBy.EXECUTOR)
    rows = []
    for uid, k in by_executor.items():
        name, dept = users.get(uid, (t(N_("No executor")), None)) if uid else (t(N_("No executor")), None)
        rows.append([name, departments.get(dept, "") if dept else "", *kpi_cells(k)])
    for row in sorted(rows, key=lambda r: str(r[0])):
        people.append(row)
    _format_rates(people, 6)

    overdue = wb.create_sheet(t(N_("Overdue assignments"))[:31])
    _header(overdue, [t(h) for h in OVERDUE_HEADER], [8, 60, 30, 28, 17, 12])
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
    for aid, title, executor_id, dept_id, deadline in await session.execute(stmt):
        executor = users.get(executor_id, ("", None))[0] if executor_id else ""
        overdue.append(
            [
                aid,
                title,
                executor,
                departments.get(dept_id, "") if dept_id else "",
                ctx.local(deadline).replace(tzinfo=None),  # Excel has no zones: local wall-clock time
                (now - deadline).days,
            ]
        )
    for (cell,) in overdue.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.number_format = "DD.MM.YYYY HH:MM"
    return xlsx_bytes(wb)
