"""Assignment templates: a ready title, text, checklist, executor and term, chosen when creating an
assignment in the bot or the panel. Kept by the people who may create assignments; audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AssignmentTemplate, utcnow
from models.enums import Priority, Role
from services import directory
from services.assignments.commands import TEXT_LIMIT, TITLE_LIMIT
from services.audit import Actor, record
from services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from services.recurring.manage import TERM_LIMIT, clean_checklist
from services.recurring.runner import attach as attach_checklist
from services.work_calendar.clock import WorkCalendar

NAME_LIMIT = 255
EDITOR_ROLES = (Role.CONTROLLER, Role.MANAGER, Role.CLERK)


@dataclass(frozen=True, slots=True)
class TemplateInput:
    name: str
    title: str
    text: str = ""
    checklist: tuple[str, ...] = ()
    checklist_required: bool = False
    executor_id: int | None = None
    department_id: int | None = None
    priority: str = Priority.NORMAL
    term_days: int = 5
    term_working: bool = True


@dataclass(frozen=True, slots=True)
class Prefill:
    """What a template puts into a new assignment (the rest of NewAssignment is the form's)."""

    template_id: int
    title: str
    text: str
    executor_id: int | None
    department_id: int | None
    priority: str
    deadline: datetime
    checklist: tuple[str, ...]
    checklist_required: bool


async def _editor(session: AsyncSession, actor: Actor) -> None:
    user = await directory.active_user(session, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.has_role(*EDITOR_ROLES):
        raise PermissionDenied("You are not allowed to create assignments.")


async def problems(session: AsyncSession, data: TemplateInput) -> list[DomainError]:
    found: list[DomainError] = []
    if not data.name.strip():
        found.append(InvalidInput("Enter the template's name.", field="name"))
    elif len(data.name.strip()) > NAME_LIMIT:
        found.append(InvalidInput("Too long: at most %(n)d characters.", n=NAME_LIMIT, field="name"))
    if not data.title.strip():
        found.append(InvalidInput("The assignment needs a title.", field="title"))
    elif len(data.title.strip()) > TITLE_LIMIT or len(data.text) > TEXT_LIMIT:
        found.append(
            InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field="text")
        )
    try:
        clean_checklist(data.checklist)
    except DomainError as exc:
        found.append(exc)
    if not 0 <= data.term_days <= TERM_LIMIT:
        found.append(InvalidInput("The term must be between 0 and 366 days.", field="term_days"))
    if data.priority not in set(Priority):
        found.append(InvalidInput("Unknown priority.", field="priority"))
    if data.executor_id is not None and await directory.active_user(session, data.executor_id) is None:
        found.append(NotFound("User not found.", field="executor_id"))
    if (
        data.department_id is not None
        and await directory.active_department(session, data.department_id) is None
    ):
        found.append(NotFound("Department not found.", field="department_id"))
    return found


async def list_all(session: AsyncSession, *, active_only: bool = False) -> list[AssignmentTemplate]:
    query = select(AssignmentTemplate).order_by(AssignmentTemplate.is_active.desc(), AssignmentTemplate.name)
    if active_only:
        query = query.where(AssignmentTemplate.is_active.is_(True))
    return list((await session.scalars(query)).all())


async def get(session: AsyncSession, template_id: int, *, active: bool = False) -> AssignmentTemplate:
    template = await session.get(AssignmentTemplate, template_id)
    if template is None or (active and not template.is_active):
        raise NotFound("Template not found.")
    return template


async def save(
    session: AsyncSession, actor: Actor, template_id: int | None, data: TemplateInput
) -> AssignmentTemplate:
    """Create (``template_id=None``) or update a template; audited with what changed."""
    await _editor(session, actor)
    refused = await problems(session, data)
    if refused:
        raise refused[0]
    values = {
        "name": data.name.strip(),
        "title": data.title.strip(),
        "text": data.text.strip(),
        "checklist": clean_checklist(data.checklist),
        "checklist_required": data.checklist_required,
        "executor_id": data.executor_id,
        "department_id": data.department_id,
        "priority": Priority(data.priority).value,
        "term_days": data.term_days,
        "term_working": data.term_working,
    }
    values["checklist_required"] = bool(values["checklist_required"] and values["checklist"])
    clash = await session.scalar(
        select(AssignmentTemplate.id).where(AssignmentTemplate.name == values["name"])
    )
    if clash is not None and clash != template_id:
        raise InvalidInput("A template with this name already exists.", field="name")
    if template_id is None:
        template = AssignmentTemplate(**values, is_active=True, created_by_id=actor.user_id)
        session.add(template)
        changes: dict[str, object] = {"name": values["name"]}
    else:
        template = await get(session, template_id)
        changes = {k: [getattr(template, k), v] for k, v in values.items() if getattr(template, k) != v}
        for key, value in values.items():
            setattr(template, key, value)
    template.updated_at = utcnow()
    await session.flush()
    if template_id is None:
        record(session, actor, "assignment_template", template.id, "created", data=changes)
    elif changes:
        record(session, actor, "assignment_template", template.id, "updated", data={"changes": changes})
    return template


async def set_active(
    session: AsyncSession, actor: Actor, template_id: int, active: bool
) -> AssignmentTemplate:
    await _editor(session, actor)
    template = await get(session, template_id)
    if template.is_active != active:
        template.is_active = active
        template.updated_at = utcnow()
        record(session, actor, "assignment_template", template.id, "activated" if active else "deactivated")
        await session.flush()
    return template


def apply(template: AssignmentTemplate, now: datetime, calendar: WorkCalendar) -> Prefill:
    """The template's pieces of a new assignment; the term counted from today on the calendar and due
    at the end of that working day."""
    today = now.astimezone(calendar.tz).date()
    if template.term_working:
        due_day = calendar.add_working_days(today, template.term_days)
    else:
        due_day = today + timedelta(days=template.term_days)
    deadline = calendar.end_of_working_day(due_day)
    if deadline <= now:  # a same-day term asked for after hours: the next working day's end
        deadline = calendar.end_of_working_day(calendar.next_working_day(today))
    return Prefill(
        template_id=template.id,
        title=template.title,
        text=template.text,
        executor_id=template.executor_id,
        department_id=template.department_id,
        priority=template.priority,
        deadline=deadline,
        checklist=tuple(str(i) for i in template.checklist or ()),
        checklist_required=template.checklist_required,
    )


async def attach(session: AsyncSession, assignment_id: int, prefill: Prefill) -> None:
    """After ``commands.create``: the template's checklist and its mark on the new assignment."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("Assignment not found.")
    assignment.template_id = prefill.template_id
    await attach_checklist(session, assignment, list(prefill.checklist), prefill.checklist_required)


async def copy_checklist(session: AsyncSession, assignment_id: int, template_id: int) -> None:
    """At creation from a template chosen a while ago: its checklist as it is now (gone: nothing)."""
    template = await session.get(AssignmentTemplate, template_id)
    assignment = await session.get(Assignment, assignment_id)
    if template is None or assignment is None:
        return
    assignment.template_id = template.id
    await attach_checklist(session, assignment, list(template.checklist or []), template.checklist_required)
