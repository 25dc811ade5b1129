"""The import pages. The work itself runs in services/imports in a background task; the job row
carries its progress and report, which these pages read."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from admin_web.exports import XLSX_TYPE
from admin_web.i18n import N_, current_locale, gettext, translate_error
from admin_web.keys import DB_KEY, OFFLOAD_KEY, SESSION_FACTORY_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.files import content_disposition
from models import ImportJob
from models.enums import Role
from services.errors import DomainError, NotFound
from services.imports import GAR_KIND, KINDS, ImportReport
from services.imports.invites import bulk_invites, invites_csv, invites_xlsx, qr_svg
from services.imports.jobs import RUNNING, confirm_job, create_job, execute_job, get_job, recent_jobs
from services.imports.reader import sample_bytes_csv
from services.imports.templates import template_bytes
from services.offload import render as offloaded

MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # a ГАР region .zip is the largest upload
REJECTED_SHOWN = 500
START_GRACE_SECONDS = 2.0
_BLOCK = 1024 * 1024
_TASKS: set[asyncio.Task[None]] = set()  # strong references: a bare task may be garbage-collected
KIND_TITLES = {**{name: kind.title for name, kind in KINDS.items()}, GAR_KIND: N_("Buildings (ГАР)")}
STATUS_TITLES = {
    "queued": N_("queued"),
    "running": N_("running"),
    "done": N_("finished"),
    "failed": N_("failed"),
}


async def _start(request: web.Request, job_id: int) -> None:
    """Run the job in the background; a small file is usually done within the grace period, so the
    next page shows its report at once instead of a progress bar."""
    settings = request.config_dict[SETTINGS_KEY]
    task = asyncio.create_task(
        execute_job(
            request.config_dict[SESSION_FACTORY_KEY],
            job_id,
            actor=request[USER_KEY].actor,
            tz=settings.tz,
            term_rule=settings.appeal_term_on_day_off,
        )
    )
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    await asyncio.wait({task}, timeout=START_GRACE_SECONDS)


def _uploads_dir(request: web.Request) -> Path:
    return Path(request.config_dict[SETTINGS_KEY].files_dir) / "imports"


async def _index(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    jobs = await recent_jobs(request[DB_KEY])
    return await render(
        request,
        "imports/index.html",
        {
            "kinds": KIND_TITLES,
            "template_kinds": list(KINDS),
            "jobs": jobs,
            "status_titles": STATUS_TITLES,
            "error": error,
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "section": "imports",
        },
        status=status,
    )


@requires_role(Role.ADMIN)
async def import_index(request: web.Request) -> web.StreamResponse:
    return await _index(request)


async def _save_upload(request: web.Request) -> tuple[dict[str, str], Path | None, str]:
    """The form's fields and the uploaded file copied to the uploads folder (aiohttp already spooled
    it to a temporary file: the CSRF check reads the form first), never held in memory."""
    data = await request.post()
    fields = {k: str(v)[:200] for k, v in data.items() if isinstance(v, str)}
    upload = data.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return fields, None, ""
    filename = Path(upload.filename).name[:255]
    suffix = Path(filename).suffix.lower()
    suffix = suffix if suffix in (".csv", ".xlsx", ".xlsm", ".zip", ".txt") else ".bin"
    directory = _uploads_dir(request)
    path = directory / f"{secrets.token_hex(12)}{suffix}"

    def copy() -> None:
        directory.mkdir(parents=True, exist_ok=True)
        upload.file.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, _BLOCK)

    await asyncio.to_thread(copy)
    return fields, path, filename


@requires_role(Role.ADMIN)
async def import_upload(request: web.Request) -> web.StreamResponse:
    fields, path, filename = await _save_upload(request)
    kind = fields.get("kind", "")
    if kind not in KIND_TITLES:
        return await _index(request, error=gettext("Choose what to import."), status=400)
    if path is None or not filename:
        return await _index(request, error=gettext("Choose a file."), status=400)
    db = request[DB_KEY]
    try:
        job = await create_job(
            db,
            request[USER_KEY].actor,
            kind=kind,
            filename=filename,
            stored_path=path,
            oktmo=fields.get("oktmo"),
        )
    except DomainError as exc:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        return await _index(request, error=translate_error(exc.message, exc.params), status=400)
    await db.commit()  # the background task reads the job row from its own session
    await _start(request, job.id)
    raise web.HTTPSeeOther(request.app.router["import_job"].url_for(job_id=str(job.id)))


async def _job(request: web.Request) -> ImportJob:
    try:
        return await get_job(request[DB_KEY], int(request.match_info["job_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None


@requires_role(Role.ADMIN)
async def import_job(request: web.Request) -> web.StreamResponse:
    job = await _job(request)
    report = ImportReport.from_dict(job.report) if job.report and "kind" in job.report else None
    locale = current_locale.get()
    rejected = [(r.row, r.text(locale)) for r in report.rejected[:REJECTED_SHOWN]] if report else []
    error = None
    if job.error:
        error = translate_error(job.error, (job.report or {}).get("error_params", {}))
    percent = None
    if job.rows_total:
        percent = min(100, round(100 * job.rows_done / job.rows_total))
    return await render(
        request,
        "imports/job.html",
        {
            "job": job,
            "kind_title": KIND_TITLES.get(job.kind, job.kind),
            "status_title": STATUS_TITLES.get(job.status, job.status),
            "running": job.status in RUNNING,
            "percent": percent,
            "report": report,
            "rejected": rejected,
            "more_rejected": len(report.rejected) - len(rejected) if report else 0,
            "error": error,
            "can_invite": bool(report and not report.dry_run and report.created_user_ids),
            "section": "imports",
        },
    )


@requires_role(Role.ADMIN)
async def import_run(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        job = await confirm_job(db, request[USER_KEY].actor, int(request.match_info["job_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await flash(request, translate_error(exc.message, exc.params))
        url = request.app.router["import_job"].url_for(job_id=request.match_info["job_id"])
        raise web.HTTPSeeOther(url) from None
    await db.commit()
    await _start(request, job.id)
    raise web.HTTPSeeOther(request.app.router["import_job"].url_for(job_id=str(job.id)))


@requires_role(Role.ADMIN)
async def import_rejected(request: web.Request) -> web.StreamResponse:
    """Every rejected row of the job, as CSV (the page shows the first few hundred)."""
    job = await _job(request)
    report = ImportReport.from_dict(job.report) if job.report and "kind" in job.report else None
    locale = current_locale.get()
    rows = [[str(r.row), r.text(locale)] for r in report.rejected] if report else []
    body = sample_bytes_csv([gettext("Row"), gettext("Reason")], rows)
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": content_disposition("attachment", f"rejected-{job.id}.csv")},
    )


@requires_role(Role.ADMIN)
async def import_template(request: web.Request) -> web.StreamResponse:
    kind = KINDS.get(request.match_info["kind"])
    if kind is None:
        raise web.HTTPNotFound()
    fmt = request.match_info["fmt"]
    body = await offloaded(request.app.get(OFFLOAD_KEY), template_bytes, kind, fmt, current_locale.get())
    headers = {"Content-Disposition": content_disposition("attachment", f"{kind.name}-template.{fmt}")}
    if fmt == "csv":
        return web.Response(body=body, content_type="text/csv", charset="utf-8", headers=headers)
    return web.Response(body=body, content_type=XLSX_TYPE, headers=headers)


@requires_role(Role.ADMIN)
async def import_invites(request: web.Request) -> web.StreamResponse:
    """Fresh invite links for the staff this import created (and who still have no Telegram):
    as CSV, XLSX or a printable page of QR codes. Earlier unused links of the same people stop working."""
    job = await _job(request)
    report = ImportReport.from_dict(job.report) if job.report and "kind" in job.report else None
    if report is None or report.dry_run or not report.created_user_ids:
        raise web.HTTPNotFound()
    fmt = str((await request.post()).get("format") or "html")
    settings = request.config_dict[SETTINGS_KEY]
    lines = await bulk_invites(
        request[DB_KEY],
        request[USER_KEY].actor,
        report.created_user_ids,
        bot_username=settings.bot_username,
        ttl=timedelta(hours=settings.invite_ttl_hours),
    )
    locale, tz = current_locale.get(), settings.tz
    headers = {"Cache-Control": "no-store"}
    if fmt == "csv":
        headers["Content-Disposition"] = content_disposition("attachment", f"invites-{job.id}.csv")
        return web.Response(
            body=invites_csv(lines, locale, tz), content_type="text/csv", charset="utf-8", headers=headers
        )
    if fmt == "xlsx":
        headers["Content-Disposition"] = content_disposition("attachment", f"invites-{job.id}.xlsx")
        body = await offloaded(request.app.get(OFFLOAD_KEY), invites_xlsx, lines, locale, tz)
        return web.Response(body=body, content_type=XLSX_TYPE, headers=headers)
    cards: list[dict[str, Any]] = [
        {"line": line, "qr": await asyncio.to_thread(qr_svg, line.link)} for line in lines
    ]
    context = {"cards": cards, "job": job, "section": "imports"}
    response = await render(request, "imports/invites.html", context)
    response.headers.update(headers)
    return response
