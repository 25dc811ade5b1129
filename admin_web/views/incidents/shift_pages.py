"""«Hand over the shift»: the report of the current period with the note and the button, the stored
hand-overs, and either as XLSX or PDF."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY, OFFLOAD_KEY
from admin_web.render import flash, render
from admin_web.views.common import acting_user, notice_context
from admin_web.views.incidents.common import viewer
from models import ShiftHandover, utcnow
from models.enums import Role
from services.errors import DomainError
from services.incidents import shift, shift_files, shift_render
from services.notify import Translator
from services.outages.queries import user_names

FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _sections(request: web.Request, report: shift.ShiftReport) -> list[dict[str, object]]:
    ctx = notice_context(request)
    return [
        {
            "key": s.key,
            "title": s.title,
            "header": s.header,
            "rows": [[shift_render.cell_text(v, ctx) for v in row] for row in s.rows],
        }
        for s in shift_render.sections(report, ctx, Translator(current_locale.get()))
    ]


@viewer
async def shift_handover(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    form = Form()
    if request.method == "POST":
        # Managers read the report; handing over is the dispatcher's (the service checks it too).
        if not (await acting_user(request)).has_role(Role.DISPATCHER):
            raise web.HTTPForbidden()
        form = Form.posted(await request.post())
        note = form.text("note", max_length=shift.NOTE_LIMIT) or ""
        if form.ok:
            try:
                handover = await shift.hand_over(db, await acting_user(request), note)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("The shift is handed over."))
                raise web.HTTPSeeOther(
                    str(request.app.router["shift_handover_page"].url_for(handover_id=str(handover.id)))
                )
    report = await shift.shift_report(db, now=utcnow())
    return await render(
        request,
        "incidents/shift.html",
        {
            "report": report,
            "sections": _sections(request, report),
            "form": form,
            "handover": None,
            "handed_by": None,
            "past": await shift.recent_handovers(db),
            "section": "incidents",
        },
    )


async def _stored(request: web.Request) -> ShiftHandover:
    handover = await request[DB_KEY].get(ShiftHandover, int(request.match_info["handover_id"]))
    if handover is None:
        raise web.HTTPNotFound()
    return handover


@viewer
async def shift_handover_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    handover = await _stored(request)
    report = await shift.handover_report(db, handover)
    names = await user_names(db, [handover.handed_by_id])
    return await render(
        request,
        "incidents/shift.html",
        {
            "report": report,
            "sections": _sections(request, report),
            "form": None,
            "handover": handover,
            "handed_by": names.get(handover.handed_by_id or 0),
            "past": await shift.recent_handovers(db),
            "section": "incidents",
        },
    )


async def _file(
    request: web.Request, report: shift.ShiftReport, note: str | None, handed_by: str | None
) -> web.Response:
    fmt = request.match_info["fmt"]
    ctx = notice_context(request)
    t = Translator(current_locale.get())
    body = await shift_files.report_file(
        fmt, report, ctx, t, note=note, handed_by=handed_by, offload=request.app.get(OFFLOAD_KEY)
    )
    name = shift_files.file_name(report, ctx, fmt)
    return web.Response(
        body=body,
        content_type=FILE_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@viewer
async def shift_current_file(request: web.Request) -> web.StreamResponse:
    report = await shift.shift_report(request[DB_KEY], now=utcnow())
    return await _file(request, report, None, None)


@viewer
async def shift_handover_file(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    handover = await _stored(request)
    names = await user_names(db, [handover.handed_by_id])
    report = await shift.handover_report(db, handover)
    return await _file(request, report, handover.note or None, names.get(handover.handed_by_id or 0))
