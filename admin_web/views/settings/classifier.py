"""The thematic classifier of appeals in the settings: load the file (CSV or XLSX), see what the
load did or why the file was refused (bad lines by number: nothing is loaded then), browse the
tree level by level and search it. The service re-checks the administrator's role."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only
from services.appeals import classifier
from services.errors import DomainError

ROUTE = "settings_classifier"
MAX_BYTES = 20 * 1024 * 1024  # the official file is a few MB at most
QUERY_LIMIT = 100
SEARCH_SHOWN = 100


async def _page(
    request: web.Request,
    *,
    report: classifier.LoadReport | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    db = request[DB_KEY]
    q = (request.query.get("q") or "").strip()[:QUERY_LIMIT]
    under = classifier.normalize_code((request.query.get("under") or "").strip()) or None
    context: dict[str, Any] = {
        "counts": await classifier.counts(db),
        "report": report,
        "errors": [translate_error(e.message, e.params) for e in report.errors] if report else [],
        "error_lines": [e.line for e in report.errors] if report else [],
        "error": error,
        "q": q,
        "under": under,
        "path": await classifier.path_to(db, under) if under else [],
        "entries": (
            await classifier.search(db, q, include_inactive=True, limit=SEARCH_SHOWN)
            if q
            else await classifier.tree(db, under)
        ),
        "max_mb": MAX_BYTES // (1024 * 1024),
        "section": "settings",
        "tab": "classifier",
    }
    return await render(request, "settings/classifier.html", context, status=status)


@admin_only
async def classifier_page(request: web.Request) -> web.StreamResponse:
    if request.method != "POST":
        return await _page(request)
    db = request[DB_KEY]
    upload = (await request.post()).get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await _page(request, error=gettext("Choose a file."), status=400)
    upload.file.seek(0)
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return await _page(request, error=gettext("The file is too large."), status=400)
    try:
        report = await classifier.load_file(db, data, filename=upload.filename, actor=request[USER_KEY].actor)
    except DomainError as exc:
        await db.rollback()
        return await _page(request, error=translate_error(exc.message, exc.params), status=400)
    if not report.loaded:
        await db.rollback()
        return await _page(request, report=report, status=400)
    await flash(
        request,
        gettext(
            N_(
                "Classifier loaded: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, "
                "%(deactivated)d no longer listed (kept inactive)."
            ),
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            deactivated=report.deactivated,
        ),
    )
    raise web.HTTPSeeOther(request.app.router[ROUTE].url_for())
