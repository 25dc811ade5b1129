"""Import jobs for the panel: an upload is dry-run first, then run for real once confirmed.

The run happens in a background task with its own sessions: one does the import (a transaction per
chunk), another writes the progress between chunks, so the page can poll the job row.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ImportJob, utcnow
from services.audit import Actor, record
from services.errors import DomainError, InvalidInput, NotFound
from services.imports.engine import get_kind, run_import
from services.imports.gar import check_oktmo, run_gar
from services.imports.kinds import GAR_KIND
from services.imports.report import ImportReport

log = logging.getLogger(__name__)
RUNNING = ("queued", "running")
UPLOAD_KEPT = timedelta(days=1)  # an unconfirmed dry run's file waits this long for «Import»


async def create_job(
    session: AsyncSession, actor: Actor, *, kind: str, filename: str, stored_path: Path, oktmo: str | None
) -> ImportJob:
    await forget_stale_uploads(session)
    if kind == GAR_KIND:
        oktmo = check_oktmo(oktmo)
    else:
        get_kind(kind)
        oktmo = None
    job = ImportJob(
        kind=kind,
        filename=filename[:255],
        stored_path=str(stored_path),
        oktmo=oktmo,
        dry_run=True,
        status="queued",
        created_by_id=actor.user_id,
    )
    session.add(job)
    await session.flush()
    record(session, actor, "import_job", job.id, "created", data={"kind": kind, "filename": job.filename})
    return job


async def forget_stale_uploads(session: AsyncSession) -> int:
    """Delete the files of dry runs nobody confirmed within a day (and of failed runs)."""
    query = select(ImportJob).where(
        ImportJob.status.in_(("done", "failed")),
        ImportJob.finished_at < utcnow() - UPLOAD_KEPT,
        ImportJob.stored_path != "",
    )
    jobs = (await session.scalars(query)).all()
    for job in jobs:
        await asyncio.to_thread(Path(job.stored_path).unlink, missing_ok=True)
        job.stored_path = ""
    return len(jobs)


async def get_job(session: AsyncSession, job_id: int) -> ImportJob:
    job = await session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("Import not found.")
    return job


async def recent_jobs(session: AsyncSession, limit: int = 20) -> list[ImportJob]:
    return list((await session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit))).all())


async def confirm_job(session: AsyncSession, actor: Actor, job_id: int) -> ImportJob:
    """Turn a finished dry run into a real run of the same file (checked here, not in the form)."""
    job = await get_job(session, job_id)
    if not job.dry_run or job.status != "done":
        raise InvalidInput("Only a finished dry run can be run for real.")
    if not job.stored_path or not await asyncio.to_thread(Path(job.stored_path).exists):
        raise InvalidInput("The uploaded file is gone; upload it again.")
    job.dry_run, job.status, job.rows_done, job.finished_at, job.report = False, "queued", 0, None, None
    record(session, actor, "import_job", job.id, "confirmed", old_state="dry_run", new_state="queued")
    return job


async def execute_job(
    session_factory: async_sessionmaker[AsyncSession],
    job_id: int,
    *,
    actor: Actor,
    tz: ZoneInfo,
    term_rule: str = "previous",
) -> None:
    """Run a queued job to its end; never raises (the outcome is on the job row)."""
    async with session_factory() as session:
        job = await get_job(session, job_id)
        job.status = "running"
        kind, path, dry_run, oktmo = job.kind, Path(job.stored_path), job.dry_run, job.oktmo
        await session.commit()

    async def progress(done: int, total: int | None = None) -> None:
        async with session_factory() as progress_session:
            row = await get_job(progress_session, job_id)
            row.rows_done, row.rows_total = done, total
            await progress_session.commit()

    report: ImportReport | None = None
    error: DomainError | None = None
    try:
        async with session_factory() as session:
            if kind == GAR_KIND:

                async def gar_progress(done: int) -> None:
                    # A real run keeps each batch (as the spreadsheet kinds keep each chunk), which
                    # also frees SQLite's single writer for the progress row.
                    if not dry_run:
                        await session.commit()
                    await progress(done)

                report = await run_gar(
                    session, path, oktmo=oktmo or "", dry_run=dry_run, actor=actor, progress=gar_progress
                )
                if dry_run:
                    await session.rollback()
                else:
                    await session.commit()
            else:
                report = await run_import(
                    session,
                    kind,
                    path,
                    actor=actor,
                    tz=tz,
                    dry_run=dry_run,
                    progress=progress,
                    term_rule=term_rule,
                )
    except DomainError as exc:
        error = exc
    except Exception as exc:  # the page must say it failed, not spin forever
        log.exception("import job %s failed", job_id)
        error = InvalidInput("The import stopped on an unexpected error: %(error)s", error=type(exc).__name__)
    async with session_factory() as session:
        job = await get_job(session, job_id)
        job.finished_at = utcnow()
        if report is not None:
            job.status, job.report = "done", report.as_dict()
            job.rows_done = report.rows
        else:
            assert error is not None
            job.status, job.error = "failed", error.message
            job.report = {"error_params": {k: str(v) for k, v in error.params.items()}}
        record(
            session,
            actor,
            "import_job",
            job.id,
            "finished",
            new_state=job.status,
            data={"dry_run": dry_run, "rows": job.rows_done},
        )
        if not dry_run and job.status == "done":
            # The data is in; the upload is not kept.
            await asyncio.to_thread(Path(job.stored_path).unlink, missing_ok=True)
        await session.commit()
