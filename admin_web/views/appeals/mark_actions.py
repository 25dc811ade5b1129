"""The repeated and collective marks on the appeal page: confirm a suggested earlier appeal in one
click or type its number, clear the link, mark the appeal collective with its count of signatures.
The services (``services.appeals.links``) re-check the role and the scope of both appeals; forms run
through ``outcome_actions.run_form``."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of
from admin_web.views.appeals.form_actions import run_form
from admin_web.views.common import acting_user, zone
from models import Appeal
from services.appeals import links, numbering

NUMBER_LIMIT = numbering.REFERENCE_LIMIT


@requires_role(*STAFF_ROLES)
async def appeal_repeat(request: web.Request) -> web.StreamResponse:
    """Link to the earlier appeal: a suggestion's button posts its id, the field a typed number."""

    async def act(form: Form) -> str | None:
        db = request[DB_KEY]
        picked = str(form.values.get("repeat_of") or "")
        number = form.text("repeat_number", required=not picked, max_length=NUMBER_LIMIT)
        if not form.ok:
            return None
        if picked.isdigit():
            earlier_id = int(picked)
        else:
            year = numbering.current_year(zone(request))
            earlier_id = (await numbering.find_by_reference(db, number or "", year=year)).id
        appeal = await links.mark_repeat(
            db, appeal_id_of(request), earlier_id, actor=await acting_user(request)
        )
        earlier = await db.get(Appeal, appeal.repeat_of_id)
        return gettext(
            "The appeal is marked as a repeat of %(number)s.", number=earlier.reg_number if earlier else "—"
        )

    return await run_form(request, "repeat", act)


@requires_role(*STAFF_ROLES)
async def appeal_repeat_clear(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        await links.unmark_repeat(request[DB_KEY], appeal_id_of(request), actor=await acting_user(request))
        return gettext("The appeal is no longer marked as repeated.")

    return await run_form(request, "repeat", act)


@requires_role(*STAFF_ROLES)
async def appeal_collective(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        collective = form.flag("collective")
        raw = form.text("signatories", required=collective, max_length=6)
        if raw is not None and not raw.isdigit():
            form.fail("signatories", N_("Enter a whole number."))
        if not form.ok:
            return None
        await links.set_collective(
            request[DB_KEY],
            appeal_id_of(request),
            collective=collective,
            signatories=int(raw) if raw else None,
            actor=await acting_user(request),
        )
        if collective:
            return gettext("The appeal is marked as collective.")
        return gettext("The appeal is no longer marked as collective.")

    return await run_form(request, "collective", act)


def add_routes(router: web.UrlDispatcher) -> None:
    base = r"/appeals/{appeal_id:\d+}"
    router.add_post(base + "/repeat", appeal_repeat, name="appeal_repeat")
    router.add_post(base + "/repeat/clear", appeal_repeat_clear, name="appeal_repeat_clear")
    router.add_post(base + "/collective", appeal_collective, name="appeal_collective")
