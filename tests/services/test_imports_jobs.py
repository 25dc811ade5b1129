"""Panel import jobs: a dry run, then the confirmed real run, with progress and audit on the job row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Correspondent, ImportJob
from services.errors import InvalidInput
from services.imports.jobs import confirm_job, create_job, execute_job
from tests.services.imports_support import ACTOR, TZ, write_csv


async def test_job_dry_run_then_real_run(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = [["ФИО", "Код"], *[[f"Житель {i}", f"C-{i}"] for i in range(2500)], ["", "C-x"]]
    path = write_csv(tmp_path / "c.csv", rows)
    async with session_factory() as session:
        job = await create_job(
            session, ACTOR, kind="correspondents", filename="c.csv", stored_path=path, oktmo=None
        )
        await session.commit()
        job_id = job.id
    await execute_job(session_factory, job_id, actor=ACTOR, tz=TZ)
    async with session_factory() as session:
        job = await session.get(ImportJob, job_id)
        assert job is not None and (job.status, job.dry_run, job.rows_done) == ("done", True, 2501)
        assert job.report["created"] == 2500 and job.report["rejected"][0][0] == 2502
        assert await session.scalar(select(func.count()).select_from(Correspondent)) == 0
        await confirm_job(session, ACTOR, job_id)
        await session.commit()
        with pytest.raises(InvalidInput):  # a real run cannot be confirmed again
            await confirm_job(session, ACTOR, job_id)
    await execute_job(session_factory, job_id, actor=ACTOR, tz=TZ)
    async with session_factory() as session:
        job = await session.get(ImportJob, job_id)
        assert job is not None and (job.status, job.dry_run) == ("done", False)
        assert await session.scalar(select(func.count()).select_from(Correspondent)) == 2500
        assert not path.exists()  # the upload is not kept after a real run
        actions = (
            await session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == job_id))
        ).all()
        assert {"created", "finished", "confirmed"} <= set(actions)


async def test_unknown_kind_and_bad_oktmo_are_refused(session: AsyncSession, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        await create_job(session, ACTOR, kind="cats", filename="x", stored_path=tmp_path, oktmo=None)
    with pytest.raises(InvalidInput):
        await create_job(
            session, ACTOR, kind="buildings-gar", filename="x.zip", stored_path=tmp_path, oktmo="abc"
        )


async def test_unconfirmed_uploads_are_removed_after_a_day(session: AsyncSession, tmp_path: Path) -> None:
    from datetime import timedelta

    from models import utcnow
    from services.imports.jobs import forget_stale_uploads

    old, fresh = write_csv(tmp_path / "old.csv", [["ФИО"]]), write_csv(tmp_path / "new.csv", [["ФИО"]])
    jobs = [
        await create_job(session, ACTOR, kind="staff", filename=path.name, stored_path=path, oktmo=None)
        for path in (old, fresh)
    ]
    for job, age in zip(jobs, (timedelta(days=2), timedelta(hours=1)), strict=True):
        job.status, job.finished_at = "done", utcnow() - age
    await session.flush()
    assert await forget_stale_uploads(session) == 1
    assert not old.exists() and fresh.exists()
    stale = await session.scalar(select(ImportJob).where(ImportJob.filename == "old.csv"))
    with pytest.raises(InvalidInput):
        await confirm_job(session, ACTOR, stale.id)


async def test_gar_job_runs_the_real_reader_and_shows_progress(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    from models import Building
    from tests.services.test_gar_import import OKTMO, write_region, zip_region

    archive = zip_region(write_region(tmp_path / "gar"))
    async with session_factory() as session:
        job = await create_job(
            session, ACTOR, kind="buildings-gar", filename="46.zip", stored_path=archive, oktmo=OKTMO
        )
        await session.commit()
        job_id = job.id
    await execute_job(session_factory, job_id, actor=ACTOR, tz=TZ)  # the dry run
    async with session_factory() as session:
        job = await session.get(ImportJob, job_id)
        assert job is not None and job.status == "done", job.error
        assert job.report["created"] > 0 and job.rows_done > 0
        assert await session.scalar(select(func.count()).select_from(Building)) == 0
        await confirm_job(session, ACTOR, job_id)
        await session.commit()
    await execute_job(session_factory, job_id, actor=ACTOR, tz=TZ)
    async with session_factory() as session:
        job = await session.get(ImportJob, job_id)
        assert job is not None and (job.status, job.dry_run) == ("done", False)
        built = await session.scalar(
            select(func.count()).select_from(Building).where(Building.fias_guid.is_not(None))
        )
        assert built == job.report["created"]
