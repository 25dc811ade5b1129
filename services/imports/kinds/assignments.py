"""Open assignments with their executors and deadlines, moved over from the old system.

Keyed by external id (required: without it a second run could not tell an update from a new
assignment). Written directly, not through the assignment commands: nobody gets a Telegram card per
imported assignment. Executors see them in «My assignments» and the usual deadline reminders and
digests cover them from then on; we chose no summary message either, because an import is often
re-run while it is being checked, and each run would notify again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from models import Appeal, Assignment
from models.enums import AssignmentStatus, Priority
from services.appeals.status_sync import sync_status_from_assignments
from services.imports.base import Cells, ChunkContext, ImportKind, assign_changed
from services.imports.columns import Column, Rejected, choice, long_text, moment, required, spellings, text
from services.imports.kinds.lookups import chunks, department_id, find_user, users_by_keys
from services.notify import N_

STATUS_SPELLINGS = spellings(
    {
        AssignmentStatus.NEW: ("новое", "новая", "new"),
        AssignmentStatus.ACKNOWLEDGED: ("принято", "принято к исполнению", "acknowledged"),
        AssignmentStatus.IN_PROGRESS: ("в работе", "исполняется", "in progress"),
        AssignmentStatus.ON_REVIEW: ("на проверке", "on review"),
        AssignmentStatus.RETURNED: ("возвращено", "на доработке", "returned"),
    }
)
PRIORITY_SPELLINGS = spellings(
    {
        Priority.LOW: ("низкий", "low"),
        Priority.NORMAL: ("обычный", "normal", "средний"),
        Priority.HIGH: ("высокий", "high"),
        Priority.URGENT: ("срочный", "срочно", "urgent"),
    }
)


@dataclass(slots=True)
class _Assignment:
    external_id: str
    title: str
    text: str
    executor: str
    controller: str
    department: str
    deadline: datetime
    appeal: str
    priority: str
    status: str


class AssignmentsKind(ImportKind):
    name = "assignments"
    title = N_("Assignments")
    columns = (
        Column(
            "external_id",
            N_("External id"),
            ("код", "id", "внешний id", "номер поручения", "code"),
            required=True,
            example="A-2024-001",
        ),
        Column(
            "title",
            N_("Title"),
            ("поручение", "заголовок", "название", "title"),
            required=True,
            example="Заделать яму у дома 5",
        ),
        Column(
            "text", N_("Text"), ("текст", "описание", "text"), example="Срочно, до начала занятий в школе."
        ),
        Column("executor", N_("Executor"), ("исполнитель", "executor"), required=True, example="ivanov"),
        Column("controller", N_("Controller"), ("контролёр", "контролер", "controller"), example=""),
        Column("department", N_("Department"), ("отдел", "подразделение", "department"), example="Отдел ЖКХ"),
        Column(
            "deadline",
            N_("Deadline"),
            ("срок", "срок исполнения", "deadline"),
            required=True,
            example="30.06.2024 18:00",
        ),
        Column(
            "appeal", N_("Appeal number"), ("обращение", "номер обращения", "appeal"), example="2024-000123"
        ),
        Column("priority", N_("Priority"), ("приоритет", "priority"), example="обычный"),
        Column("status", N_("Status"), ("статус", "состояние", "status"), example="в работе"),
    )

    def parse(self, cells: Cells, ctx: ChunkContext) -> _Assignment:
        status = choice(cells.get("status"), STATUS_SPELLINGS, "status")  # open states only
        deadline = moment(cells.get("deadline"), ctx.tz, "deadline")
        if deadline is None:
            raise Rejected(N_('The "%(column)s" cell is empty.'), column="deadline")
        return _Assignment(
            external_id=required(
                text(cells.get("external_id"), limit=100, name="external_id"), "external_id"
            ),
            title=required(text(cells.get("title"), limit=500, name="title"), "title"),
            text=long_text(cells.get("text")),
            executor=required(text(cells.get("executor"), limit=255, name="executor"), "executor"),
            controller=text(cells.get("controller"), limit=255, name="controller"),
            department=text(cells.get("department"), limit=255, name="department"),
            deadline=deadline,
            appeal=text(cells.get("appeal"), limit=32, name="appeal"),
            priority=choice(cells.get("priority"), PRIORITY_SPELLINGS, "priority") or Priority.NORMAL,
            status=status or AssignmentStatus.NEW,
        )

    async def apply(self, ctx: ChunkContext, rows: list[tuple[int, Any]]) -> None:
        session = ctx.session
        users = await users_by_keys(session, (k for _n, r in rows for k in (r.executor, r.controller)))
        existing: dict[str, Assignment] = {}
        appeals: dict[str, int] = {}
        for part in chunks(r.external_id for _n, r in rows):
            query = select(Assignment).where(Assignment.external_id.in_(part))
            for a in (await session.scalars(query)).all():
                existing[a.external_id or ""] = a
        for part in chunks(r.appeal for _n, r in rows):
            query = select(Appeal.reg_number, Appeal.id).where(Appeal.reg_number.in_(part))
            appeals.update({n: i for n, i in (await session.execute(query)).all()})
        for number, row in rows:
            try:
                values = await self._values(ctx, row, users, appeals)
            except Rejected as exc:
                ctx.report.reject(number, exc.reason, **exc.params)
                continue
            assignment = existing.get(row.external_id)
            if assignment is None:
                if ctx.is_pending("assignments", row.external_id):
                    ctx.report.updated += 1
                    continue
                assignment = Assignment(external_id=row.external_id, author_id=ctx.actor.user_id, **values)
                session.add(assignment)
                existing[row.external_id] = assignment
                ctx.remember("assignments", row.external_id)
                ctx.report.created += 1
                continue
            if assignment.status not in {s.value for s in STATUS_SPELLINGS.values()}:
                ctx.report.reject(
                    number, N_("The assignment is already closed here; the row is not applied.")
                )
                continue
            ctx.report.found(assign_changed(assignment, values))
        await session.flush()
        if not ctx.dry_run:
            # An appeal an imported open assignment works on is in work now (audited, nobody notified).
            for appeal_id in sorted({a.appeal_id for a in existing.values() if a.appeal_id is not None}):
                await sync_status_from_assignments(session, appeal_id, actor=ctx.actor)

    @staticmethod
    async def _values(
        ctx: ChunkContext, row: _Assignment, users: dict, appeals: dict[str, int]
    ) -> dict[str, Any]:
        executor = find_user(users, row.executor)
        if executor is None or not executor.is_active:
            raise Rejected(
                N_('No active staff member "%(value)s" (give a login, e-mail or external id).'),
                value=row.executor,
            )
        controller_id = None
        if row.controller:
            controller = find_user(users, row.controller)
            if controller is None:
                raise Rejected(
                    N_('No active staff member "%(value)s" (give a login, e-mail or external id).'),
                    value=row.controller,
                )
            controller_id = controller.id
        dept_id = executor.department_id
        if row.department:
            dept_id = await department_id(ctx, row.department)
            if dept_id is None:
                raise Rejected(N_('Unknown department "%(value)s".'), value=row.department)
        appeal_id = None
        if row.appeal:
            appeal_id = appeals.get(row.appeal)
            if appeal_id is None and not ctx.is_pending("appeals", row.appeal):
                raise Rejected(N_('No appeal with the number "%(value)s".'), value=row.appeal)
        return {
            "title": row.title,
            "text": row.text,
            "executor_id": executor.id,
            "controller_id": controller_id,
            "department_id": dept_id if dept_id and dept_id > 0 else None,
            "deadline": row.deadline,
            "appeal_id": appeal_id,
            "priority": row.priority,
            "status": row.status,
        }
