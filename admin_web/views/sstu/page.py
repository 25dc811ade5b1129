"""One page for the monthly ССТУ.РФ report.

GET builds the chosen month (default: the previous one) and shows the preview table and the
problems; the download (POST, CSRF-protected) rebuilds and re-validates on the server and refuses
with the problems rather than trusting the page the user saw. Reading answer files and zipping run
in a thread (services.sstu.archive).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from admin_web.i18n import N_, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, zone
from models import utcnow
from models.enums import Role
from services.errors import DomainError, PermissionDenied
from services.sstu import export
from services.sstu.period import previous_month
from services.sstu.report import SstuReport, Status
from services.sstu.validate import Problem

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# The portal's question statuses in words; the page shows the code the upload carries beside them.
STATUS_LABELS = {
    Status.NOT_REGISTERED: N_("not registered"),
    Status.IN_WORK: N_("in work"),
    Status.EXPLAINED: N_("explained"),
    Status.SUPPORTED: N_("supported"),
    Status.NOT_SUPPORTED: N_("not supported"),
    Status.TRANSFERRED: N_("redirected by competence"),
    Status.ANSWERED: N_("answered"),
    Status.LEFT_WITHOUT_ANSWER: N_("left without an answer"),
}


def _month(raw: str | None, request: web.Request, *, strict: bool = False) -> tuple[int, int]:
    """``YYYY-MM`` as the month input sends it; the page falls back to the previous month, the
    download refuses (it must never pack a month the user did not choose)."""
    match = MONTH_RE.match((raw or "").strip())
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 2000:
        return int(match.group(1)), int(match.group(2))
    if strict:
        raise web.HTTPBadRequest()
    return previous_month(utcnow(), zone(request))


def _problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {"number": p.number, "text": translate_error(p.message, p.params), "settings_link": p.settings_link}
        for p in problems
    ]


async def _show(
    request: web.Request,
    year: int,
    month: int,
    report: SstuReport,
    problems: list[Problem],
    *,
    status: int = 200,
) -> web.Response:
    return await render(
        request,
        "sstu/report.html",
        {
            "section": "sstu",
            "month_value": f"{year:04d}-{month:02d}",
            "report": report,
            "problems": _problem_rows(problems),
            "statuses": STATUS_LABELS,
        },
        status=status,
    )


@requires_role(Role.MANAGER, Role.CLERK)
async def report_page(request: web.Request) -> web.StreamResponse:
    user = await acting_user(request)
    year, month = _month(request.query.get("month"), request)
    settings = request.config_dict[SETTINGS_KEY]
    try:
        report, problems = await export.preview(
            request[DB_KEY], user, year, month, tz=zone(request), files_dir=settings.files_dir
        )
    except PermissionDenied:
        raise web.HTTPForbidden() from None
    return await _show(request, year, month, report, problems)


@requires_role(Role.MANAGER, Role.CLERK)
async def report_download(request: web.Request) -> web.StreamResponse:
    user = await acting_user(request)
    form = await request.post()
    year, month = _month(str(form.get("month") or ""), request, strict=True)
    db = request[DB_KEY]
    settings = request.config_dict[SETTINGS_KEY]
    try:
        result = await export.export_month(
            db, user, year, month, tz=zone(request), files_dir=settings.files_dir
        )
    except PermissionDenied:
        raise web.HTTPForbidden() from None
    except DomainError:
        await db.rollback()
        raise
    if result.data is None:
        # Refused: the page again, with what is wrong now.
        return await _show(request, year, month, result.report, result.problems, status=409)
    await db.commit()  # the audit event
    return web.Response(
        body=result.data,
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{result.file_name}"'},
    )
