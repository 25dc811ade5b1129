"""The list of applications (a reviewer sees only the ones they review; managers and clerks all)
and the form a clerk uses to enter an application that came on paper."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import EMAIL_RE, Form
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.applications.common import STATUS_LABELS, labels
from admin_web.views.common import acting_user, int_or_none, notice_context
from models.enums import Role
from services.applications import access, intake, queries, types
from services.errors import DomainError


async def application_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    kinds = {k.id: k for k in await types.list_types(db)}
    type_id = int_or_none(request.query.get("type"))
    status = request.query.get("status") or ""
    rows = await queries.panel_list(
        db,
        user,
        type_id=type_id if type_id in kinds else None,
        status=status if status in STATUS_LABELS else None,
    )
    return await render(
        request,
        "applications/list.html",
        {
            **labels(),
            "section": "applications",
            "rows": rows,
            "kinds": kinds,
            "manager": access.can_manage(user),
            "filters": {"type": str(type_id or ""), "status": status},
            "type_options": [(str(k.id), types.type_name(k, current_locale.get())) for k in kinds.values()],
            "status_options": [(k.value, gettext(v)) for k, v in STATUS_LABELS.items()],
        },
    )


@requires_role(Role.MANAGER, Role.CLERK)
async def application_new(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    kinds = await types.list_types(db, active_only=True)
    form = Form()
    if request.method == "POST":
        form = Form.posted(await request.post())
        type_id = form.choice("type_id", {k.id for k in kinds})
        if type_id is None and "type_id" not in form.errors:
            form.fail("type_id", N_("This field is required."))
        title = form.text("title", required=True, max_length=intake.TITLE_MAX)
        org = form.text("applicant_org", max_length=intake.TITLE_MAX)
        summary = form.text("summary", max_length=intake.SUMMARY_MAX)
        email = form.matching("email", EMAIL_RE, N_("This does not look like an e-mail address."))
        if form.ok and type_id is not None and title:
            try:
                application = await intake.enter_in_panel(
                    db,
                    intake.PanelEntry(type_id, title, org or "", summary or "", email or ""),
                    actor=await acting_user(request),
                    ctx=notice_context(request),
                )
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(
                    request, gettext("Application %(number)s is registered.", number=application.number)
                )
                raise web.HTTPSeeOther(
                    request.app.router["application"].url_for(application_id=str(application.id))
                )
    return await render(
        request,
        "applications/new.html",
        {
            "section": "applications",
            "form": form,
            "type_options": [(k.id, types.type_name(k, current_locale.get())) for k in kinds],
        },
        status=200 if form.ok else 422,
    )
