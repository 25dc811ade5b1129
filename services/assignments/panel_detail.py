"""The web panel's assignment page: files, reports, comments, members, allowed actions, timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Assignment,
    AssignmentComment,
    AssignmentMember,
    AssignmentReport,
    AuditEvent,
    Department,
    ExtensionRequest,
    StoredFile,
    User,
)
from models.enums import ExtensionStatus, ReportStatus
from services.assignments import access, panel, parent_state
from services.assignments.lifecycle import TRANSITIONS, Action, allowed_actions
from services.errors import NotFound

# What the panel offers; starting work and reporting stay in Telegram, where photos are taken.
PANEL_ACTIONS = (
    Action.ACKNOWLEDGE,
    Action.DECLINE,
    Action.ACCEPT,
    Action.RETURN,
    Action.REASSIGN,
    Action.CANCEL,
)

# Audit actions whose ``data["new_deadline"]`` is worth showing (a refusal keeps the old one).
_NEW_DEADLINE = frozenset({"extension_requested", "extension_approved", "deadline_changed"})


@dataclass(frozen=True, slots=True)
class ReportView:
    report: AssignmentReport
    files: Sequence[StoredFile]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step: ``kind`` is an audit action (``created``, ``return``…) or ``comment``/``report``."""

    at: datetime
    kind: str
    actor_id: int | None = None
    actor_label: str | None = None
    old_state: str | None = None
    new_state: str | None = None
    reason: str | None = None
    text: str | None = None
    deadline: datetime | None = None  # the new deadline of an extension step
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AssignmentPage:
    assignment: Assignment
    department: Department | None
    members: Sequence[AssignmentMember]
    attachments: Sequence[StoredFile]
    reports: Sequence[ReportView]
    comments: Sequence[AssignmentComment]
    pending_extension: ExtensionRequest | None
    timeline: Sequence[TimelineEntry]
    actions: Sequence[Action]
    can_decide_extension: bool
    can_comment: bool
    names: dict[int, str]


async def load_for_panel(session: AsyncSession, assignment_id: int, user: User) -> Assignment:
    """The assignment if this user may see it; NotFound otherwise (no hint that it exists)."""
    assignment = await session.get(Assignment, assignment_id, populate_existing=True)
    if assignment is None or not await panel.can_see(session, assignment, user):
        raise NotFound("Assignment not found.")
    return assignment


async def available_actions(session: AsyncSession, assignment: Assignment, user: User) -> list[Action]:
    """The panel's actions valid in this state for this user (the services re-check on submit)."""
    result: list[Action] = []
    parent = await parent_state.is_parent(session, assignment)
    for action in allowed_actions(assignment.status):
        if action not in PANEL_ACTIONS or (parent and action is not Action.CANCEL):
            continue  # a multi-point assignment is only cancelled by hand: its points drive it
        if action is Action.REASSIGN:
            allowed = await access.can_delegate(session, assignment, user)
        else:
            allowed = await access.can_act(session, assignment, user, TRANSITIONS[action][2])
        if allowed:
            result.append(action)
    return result


async def _all(session: AsyncSession, query: Any) -> Sequence[Any]:
    return (await session.scalars(query)).all()


async def page_data(session: AsyncSession, assignment: Assignment, user: User) -> AssignmentPage:
    aid = assignment.id
    members = await _all(session, select(AssignmentMember).where(AssignmentMember.assignment_id == aid))
    reports = await _all(
        session,
        select(AssignmentReport)
        .where(AssignmentReport.assignment_id == aid, AssignmentReport.status != ReportStatus.DRAFT)
        .order_by(AssignmentReport.id),
    )
    report_ids = [r.id for r in reports]
    files = await _all(
        session,
        select(StoredFile)
        .where(or_(StoredFile.assignment_id == aid, StoredFile.report_id.in_(report_ids)))
        .order_by(StoredFile.id),
    )
    comments = await _all(
        session,
        select(AssignmentComment)
        .where(AssignmentComment.assignment_id == aid)
        .order_by(AssignmentComment.id),
    )
    extensions = await _all(
        session,
        select(ExtensionRequest).where(ExtensionRequest.assignment_id == aid).order_by(ExtensionRequest.id),
    )
    events = await _all(
        session,
        select(AuditEvent)
        .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
        .order_by(AuditEvent.at, AuditEvent.id),
    )
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    timeline = build_timeline(events, comments, extensions, reports)
    people: set[int | None] = {assignment.author_id, assignment.controller_id, assignment.executor_id}
    people |= {m.user_id for m in members} | {c.author_id for c in comments}
    people |= {r.author_id for r in reports} | {e.requested_by_id for e in extensions}
    people |= {t.actor_id for t in timeline}
    for entry in timeline:
        people |= {v for k, v in entry.data.items() if k.endswith("executor_id") and isinstance(v, int)}
    return AssignmentPage(
        assignment=assignment,
        department=await session.get(Department, assignment.department_id)
        if assignment.department_id
        else None,
        members=members,
        attachments=[f for f in files if f.report_id is None and f.assignment_id == aid],
        reports=[ReportView(r, [f for f in files if f.report_id == r.id]) for r in reports],
        comments=comments,
        pending_extension=pending,
        timeline=timeline,
        actions=await available_actions(session, assignment, user),
        can_decide_extension=pending is not None and access.is_control(assignment, user),
        can_comment=await access.can_view(session, assignment, user),
        names=await panel.user_names(session, people),
    )


def build_timeline(
    events: Sequence[AuditEvent],
    comments: Sequence[AssignmentComment],
    extensions: Sequence[ExtensionRequest],
    reports: Sequence[AssignmentReport],
) -> list[TimelineEntry]:
    """Audit events enriched with what they refer to, plus comments, extension requests and
    submitted reports that no audit event mentions (e.g. written by an older version)."""
    comment_by_id = {c.id: c for c in comments}
    submitted = sorted((r for r in reports if r.submitted_at is not None), key=lambda r: r.submitted_at)  # type: ignore[arg-type,return-value]
    used_comments: set[int] = set()
    used_extensions: set[int] = set()
    submits = 0
    entries: list[TimelineEntry] = []
    for ev in events:
        data = dict(ev.data or {})
        text: str | None = None
        if ev.action == "commented":
            comment = comment_by_id.get(data.get("comment_id") or 0)
            if comment is None:
                continue
            used_comments.add(comment.id)
            text = comment.text
        elif ev.action == "extension_requested":
            used_extensions.add(int(data.get("request_id") or 0))
        elif ev.action == "submit" and submits < len(submitted):
            report = submitted[submits]
            submits += 1
            text = report.text or None
            data["report_id"] = report.id
        entries.append(
            TimelineEntry(
                at=ev.at,
                kind=ev.action,
                actor_id=ev.actor_user_id,
                actor_label=ev.actor_label,
                old_state=ev.old_state,
                new_state=ev.new_state,
                reason=ev.reason,
                text=text,
                deadline=_parse_dt(data.get("new_deadline")) if ev.action in _NEW_DEADLINE else None,
                data=data,
            )
        )
    for c in comments:
        if c.id not in used_comments:
            entries.append(
                TimelineEntry(at=c.created_at, kind="commented", actor_id=c.author_id, text=c.text)
            )
    for e in extensions:
        if e.id not in used_extensions:
            entries.append(
                TimelineEntry(
                    at=e.created_at,
                    kind="extension_requested",
                    actor_id=e.requested_by_id,
                    reason=e.reason,
                    deadline=e.new_deadline,
                )
            )
    for r in submitted[submits:]:
        entries.append(
            TimelineEntry(at=r.submitted_at, kind="submit", actor_id=r.author_id, text=r.text or None)  # type: ignore[arg-type]
        )
    return sorted(entries, key=lambda t: t.at)


def _parse_dt(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


async def file_for_panel(session: AsyncSession, file_id: int, user: User) -> StoredFile | None:
    """A file of an assignment (or of one of its reports) this user may see; None otherwise.

    Drafts stay private to their author until submitted.
    """
    stored = await session.get(StoredFile, file_id)
    if stored is None:
        return None
    assignment_id = stored.assignment_id
    if stored.report_id is not None:
        report = await session.get(AssignmentReport, stored.report_id)
        if report is None or (report.status == ReportStatus.DRAFT and report.author_id != user.id):
            return None
        assignment_id = report.assignment_id
    if assignment_id is None:
        return None
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or not await panel.can_see(session, assignment, user):
        return None
    return stored


async def extension_of(session: AsyncSession, assignment_id: int, request_id: int) -> ExtensionRequest:
    request = await session.get(ExtensionRequest, request_id)
    if request is None or request.assignment_id != assignment_id:
        raise NotFound("Extension request not found.")
    return request
