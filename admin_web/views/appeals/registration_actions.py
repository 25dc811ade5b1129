"""The appeal page's art. 8 actions (see ``registration``): «Register» for an appeal waiting in
«received», and «Redirect by competence». The role is checked here, scope and state again in the
services; a refusal shows the page again with what was typed."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash
from admin_web.security import requires_role
from admin_web.views.appeals import page
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of, letter_env, load_appeal, page_url
from admin_web.views.appeals.form_actions import run_form
from admin_web.views.common import acting_user, notice_context
from services.appeals import redirect, registration
from services.errors import DomainError

BODY_LIMIT = redirect.BODY_LIMIT
TEXT_LIMIT = redirect.TEXT_LIMIT


def add_routes(router: web.UrlDispatcher) -> None:
    appeal = r"/appeals/{appeal_id:\d+}"
    router.add_post(appeal + "/register", appeal_register, name="appeal_register")
    router.add_post(appeal + "/redirect", appeal_redirect, name="appeal_redirect")


@requires_role(*STAFF_ROLES)
async def appeal_register(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        await registration.register_received(
            request[DB_KEY],
            appeal_id_of(request),
            actor=await acting_user(request),
            notify=notice_context(request),
        )
        return N_("The appeal is registered.")

    return await run_form(request, "register", act)


@requires_role(*STAFF_ROLES)
async def appeal_redirect(request: web.Request) -> web.StreamResponse:
    await load_appeal(request)
    db = request[DB_KEY]
    form = Form.posted(await request.post())
    body = form.text("redirect_to", required=True, max_length=BODY_LIMIT)
    sstu_id = form.text("redirect_sstu_id", max_length=64)
    cover = form.text("redirect_cover", required=True, max_length=TEXT_LIMIT)
    notice = form.text("redirect_notice", required=True, max_length=TEXT_LIMIT)
    attach = form.flag("redirect_attach")
    anyway = form.flag("redirect_anyway")
    reason = form.text("redirect_override_reason", max_length=redirect.REASON_LIMIT)
    if anyway and not reason:
        form.fail(
            "redirect_override_reason", N_("Say why the appeal is redirected with assignments still open.")
        )
    if form.ok and body and cover and notice:
        try:
            await redirect.redirect_appeal(
                db,
                appeal_id_of(request),
                redirect.RedirectInput(
                    body_name=body,
                    cover_text=cover,
                    notice_text=notice,
                    sstu_id=sstu_id,
                    attach_files=attach,
                    override_reason=reason if anyway else None,
                ),
                actor=await acting_user(request),
                env=letter_env(request),
                notify=notice_context(request),
            )
        except redirect.RedirectBlocked as exc:
            await db.rollback()
            form.values["redirect_anyway"] = ""
            form.fail("redirect_anyway", exc.message, n=len(exc.assignments))
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext(N_("The appeal is redirected; the letters are issued.")))
            raise web.HTTPSeeOther(page_url(request, appeal_id_of(request)))
    return await page.render_page(request, await load_appeal(request), {"redirect": form}, status=400)
