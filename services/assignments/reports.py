"""Executor reports: a draft kept in the database while text and files arrive, then submitted.

The draft is persisted file by file, so nothing the executor already sent is lost when a later file
is refused, the conversation is interrupted or the service restarts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AssignmentReport, StoredFile, User, utcnow
from models.enums import ReportStatus
from services import files
from services.assignments import access, checklist_gate, commands
from services.assignments.lifecycle import Action, Party, target_state
from services.captions import with_caption
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext

MAX_FILES_PER_REPORT = 20


async def open_draft(session: AsyncSession, user: User, assignment_id: int) -> AssignmentReport:
    """The executor's current draft for this assignment (created on first use)."""
    assignment = await commands.load(session, assignment_id)
    if not await access.can_act(session, assignment, user, Party.EXECUTOR):
        raise PermissionDenied("You are not allowed to do this with this assignment.")
    if target_state(Action.SUBMIT, assignment.status) is None:
        raise InvalidInput("This action is not possible in the assignment's current state.")
    # Before any photo is collected: a report the checklist would refuse is not started.
    await checklist_gate.require_ticked(session, assignment)
    draft = await session.scalar(
        select(AssignmentReport).where(
            AssignmentReport.assignment_id == assignment_id,
            AssignmentReport.author_id == user.id,
            AssignmentReport.status == ReportStatus.DRAFT,
        )
    )
    if draft is None:
        draft = AssignmentReport(assignment_id=assignment_id, author_id=user.id, status=ReportStatus.DRAFT)
        session.add(draft)
        await session.flush()
    return draft


async def _own_draft(session: AsyncSession, user: User, report_id: int) -> AssignmentReport:
    report = await session.get(AssignmentReport, report_id)
    if report is None or report.author_id != user.id:
        raise NotFound("Report not found.")
    if report.status != ReportStatus.DRAFT:
        raise InvalidInput("This report has already been submitted.")
    return report


async def set_text(session: AsyncSession, user: User, report_id: int, text: str) -> AssignmentReport:
    report = await _own_draft(session, user, report_id)
    text = text.strip()
    if len(text) > commands.TEXT_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=commands.TEXT_LIMIT)
    report.text = text
    return report


async def add_caption(session: AsyncSession, user: User, report_id: int, caption: str | None) -> bool:
    """A photo's or document's caption joins the report's text on a line of its own, so the control
    reads it with the report. Whether the text changed (an empty or repeated caption changes nothing)."""
    report = await _own_draft(session, user, report_id)
    text = with_caption(report.text, caption)
    if text == (report.text or "").strip():
        return False
    if len(text) > commands.TEXT_LIMIT:
        raise InvalidInput(
            "The caption does not fit into the report's text: at most %(n)d characters.",
            n=commands.TEXT_LIMIT,
        )
    report.text = text
    return True


async def add_file(
    session: AsyncSession,
    user: User,
    report_id: int,
    files_dir: Path,
    data: bytes,
    *,
    filename: str | None,
    telegram_file_id: str | None = None,
    telegram_file_unique_id: str | None = None,
) -> StoredFile:
    report = await _own_draft(session, user, report_id)
    count = await session.scalar(select(func.count()).where(StoredFile.report_id == report.id)) or 0
    if count >= MAX_FILES_PER_REPORT:
        raise InvalidInput("A report can have at most %(n)d files.", n=MAX_FILES_PER_REPORT)
    return await files.store_file(
        session,
        files_dir,
        data,
        filename=filename,
        origin=files.FileOrigin(
            telegram_file_id=telegram_file_id,
            telegram_file_unique_id=telegram_file_unique_id,
            uploaded_by_user_id=user.id,
            uploaded_by_telegram_id=user.telegram_id,
            assignment_id=report.assignment_id,
            report_id=report.id,
        ),
    )


async def report_files(session: AsyncSession, report_id: int) -> Sequence[StoredFile]:
    return (
        await session.scalars(
            select(StoredFile).where(StoredFile.report_id == report_id).order_by(StoredFile.id)
        )
    ).all()


async def submit(
    session: AsyncSession, user: User, report_id: int, *, notify: NoticeContext | None = None
) -> AssignmentReport:
    report = await _own_draft(session, user, report_id)
    if not report.text and not await report_files(session, report.id):
        raise InvalidInput("The report is empty: write what was done or attach a photo or document.")
    # Refuse before the draft is touched: the caller may commit after a refusal.
    await checklist_gate.require_ticked(session, await commands.load(session, report.assignment_id))
    # Mark the report submitted first: the control's notice shows this report and its files.
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = utcnow()
    await session.flush()
    await commands.transition(session, user, report.assignment_id, Action.SUBMIT, notify=notify)
    return report
