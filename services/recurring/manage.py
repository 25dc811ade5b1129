"""Keeping recurring assignments: create, edit, pause and resume a rule (audited; the caller commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import RecurrenceRun, RecurringAssignment, User, utcnow
from models.enums import HolidayPolicy, Priority, Role
from services import directory
from services.assignments.commands import TEXT_LIMIT, TITLE_LIMIT
from services.audit import Actor, record
from services.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from services.recurring import rules
from services.work_calendar.clock import parse_hhmm

CHECKLIST_ITEMS = 50
ITEM_LIMIT = 500
TERM_LIMIT = 366
EDITOR_ROLES = (Role.CONTROLLER, Role.MANAGER, Role.CLERK)


@dataclass(frozen=True, slots=True)
class RuleInput:
    title: str
    rrule: str
    starts_on: date
    text: str = ""
    checklist: tuple[str, ...] = ()
    checklist_required: bool = False
    executor_id: int | None = None
    department_id: int | None = None
    controller_id: int | None = None
    priority: str = Priority.NORMAL
    until: date | None = None
    create_at: str = "09:00"
    term_days: int = 0
    term_working: bool = True
    holiday_policy: str = HolidayPolicy.PREVIOUS


def clean_checklist(lines: list[str] | tuple[str, ...]) -> list[str]:
    items = [line.strip() for line in lines if line.strip()]
    if len(items) > CHECKLIST_ITEMS or any(len(i) > ITEM_LIMIT for i in items):
        raise InvalidInput("The checklist is too long.", field="checklist")
    return items


async def problems(session: AsyncSession, data: RuleInput) -> list[DomainError]:
    """Every reason ``data`` cannot be saved, each naming its form field."""
    found: list[DomainError] = []
    if not data.title.strip():
        found.append(InvalidInput("The assignment needs a title.", field="title"))
    elif len(data.title.strip()) > TITLE_LIMIT or len(data.text) > TEXT_LIMIT:
        found.append(
            InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field="text")
        )
    try:
        rules.normalize(data.rrule)
    except DomainError as exc:
        found.append(exc)
    try:
        clean_checklist(data.checklist)
    except DomainError as exc:
        found.append(exc)
    if data.until is not None and data.until < data.starts_on:
        found.append(InvalidInput("The end date is before the start date.", field="until"))
    try:
        parse_hhmm(data.create_at)
        if len(data.create_at.strip()) != 5:
            raise ValueError(data.create_at)
    except ValueError:
        found.append(InvalidInput("Give the time as HH:MM.", field="create_at"))
    if not 0 <= data.term_days <= TERM_LIMIT:
        found.append(InvalidInput("The term must be between 0 and 366 days.", field="term_days"))
    if data.holiday_policy not in set(HolidayPolicy):
        found.append(InvalidInput("Unknown holiday policy.", field="holiday_policy"))
    if data.priority not in set(Priority):
        found.append(InvalidInput("Unknown priority.", field="priority"))
    if data.executor_id is not None:
        if await directory.active_user(session, data.executor_id) is None:
            found.append(NotFound("User not found.", field="executor_id"))
    elif data.department_id is None:
        found.append(InvalidInput("Choose an executor or a department.", field="executor_id"))
    elif await directory.active_department(session, data.department_id) is None:
        found.append(NotFound("Department not found.", field="department_id"))
    return found


async def _editor(session: AsyncSession, user_id: int) -> User:
    user = await directory.active_user(session, user_id)
    if user is None or not user.has_role(*EDITOR_ROLES):
        raise PermissionDenied("You are not allowed to create assignments.")
    return user


async def load(session: AsyncSession, rule_id: int) -> RecurringAssignment:
    rule = await session.get(RecurringAssignment, rule_id)
    if rule is None:
        raise NotFound("Recurring assignment not found.")
    return rule


async def _editable(session: AsyncSession, user: User, rule_id: int) -> RecurringAssignment:
    rule = await load(session, rule_id)
    # The author keeps the rule (it creates assignments in their name); managers oversee all.
    if rule.author_id != user.id and not user.has_role(Role.MANAGER):
        raise PermissionDenied("You are not allowed to change this recurring assignment.")
    return rule


def _apply(rule: RecurringAssignment, data: RuleInput) -> None:
    rule.title = data.title.strip()
    rule.text = data.text.strip()
    rule.checklist = clean_checklist(data.checklist)
    rule.checklist_required = data.checklist_required and bool(rule.checklist)
    rule.executor_id = data.executor_id
    rule.department_id = data.department_id
    rule.controller_id = data.controller_id
    rule.priority = Priority(data.priority).value
    rule.rrule = rules.normalize(data.rrule)
    rule.starts_on = data.starts_on
    rule.until = data.until
    rule.create_at = data.create_at.strip()
    rule.term_days = data.term_days
    rule.term_working = data.term_working
    rule.holiday_policy = HolidayPolicy(data.holiday_policy).value


async def create(session: AsyncSession, user_id: int, data: RuleInput) -> RecurringAssignment:
    user = await _editor(session, user_id)
    refused = await problems(session, data)
    if refused:
        raise refused[0]
    rule = RecurringAssignment(author_id=user.id, created_by_id=user.id, created_at=utcnow(), is_active=True)
    _apply(rule, data)
    session.add(rule)
    await session.flush()
    record(
        session,
        Actor(user_id=user.id),
        "recurring_assignment",
        rule.id,
        "created",
        data={"rrule": rule.rrule, "starts_on": rule.starts_on.isoformat(), "policy": rule.holiday_policy},
    )
    return rule


async def update(session: AsyncSession, user_id: int, rule_id: int, data: RuleInput) -> RecurringAssignment:
    user = await _editor(session, user_id)
    rule = await _editable(session, user, rule_id)
    refused = await problems(session, data)
    if refused:
        raise refused[0]
    before = {"rrule": rule.rrule, "starts_on": rule.starts_on.isoformat(), "policy": rule.holiday_policy}
    _apply(rule, data)
    record(
        session,
        Actor(user_id=user.id),
        "recurring_assignment",
        rule.id,
        "updated",
        data={
            "before": before,
            "rrule": rule.rrule,
            "starts_on": rule.starts_on.isoformat(),
            "policy": rule.holiday_policy,
        },
    )
    return rule


async def set_active(session: AsyncSession, user_id: int, rule_id: int, active: bool) -> RecurringAssignment:
    user = await _editor(session, user_id)
    rule = await _editable(session, user, rule_id)
    if rule.is_active != active:
        rule.is_active = active
        record(
            session,
            Actor(user_id=user.id),
            "recurring_assignment",
            rule.id,
            "resumed" if active else "paused",
        )
    return rule


async def all_rules(session: AsyncSession) -> list[RecurringAssignment]:
    query = select(RecurringAssignment).order_by(RecurringAssignment.is_active.desc(), RecurringAssignment.id)
    return list((await session.scalars(query)).all())


async def runs(session: AsyncSession, rule_id: int, limit: int = 50) -> list[RecurrenceRun]:
    query = (
        select(RecurrenceRun)
        .where(RecurrenceRun.recurring_id == rule_id)
        .order_by(RecurrenceRun.occurrence.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
