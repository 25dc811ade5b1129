"""Who is alerted at once when a social object loses a resource: the managers always, plus the staff
the administrator lists here. Adding and removing go through ``services.config.social_alerts``,
which re-checks the administrator."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only
from services.config import social_alerts
from services.errors import DomainError

ROUTE = "settings_social_alerts"
ACTIONS = ("add", "remove")


@admin_only
async def social_alerts_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    form = Form()
    if request.method == "POST":
        form = Form.posted(await request.post())
        people = {p.user.id for p in await social_alerts.people(db)}
        action = form.text("action", max_length=8)
        user_id = form.choice("user_id", people)
        if action not in ACTIONS:
            form.fail("", N_("Choose a value from the list."))
        elif user_id is None and form.ok:
            form.fail("user_id", N_("Choose a value from the list."))
        if form.ok and user_id is not None:
            actor = request[USER_KEY].actor
            try:
                if action == "add":
                    await social_alerts.add_recipient(db, actor, user_id)
                else:
                    await social_alerts.remove_recipient(db, actor, user_id)
            except DomainError as exc:
                form.fail_domain(exc)
            else:
                await db.commit()
                await flash(request, gettext("The list is saved."))
                raise web.HTTPSeeOther(request.app.router[ROUTE].url_for())
    people = await social_alerts.people(db)
    return await render(
        request,
        "settings/social_alerts.html",
        {
            "form": form,
            "listed": [p for p in people if p.listed],
            "managers": [p for p in people if p.manager and not p.listed],
            "candidates": [(p.user.id, p.user.full_name) for p in people if not p.listed],
            "section": "settings",
            "tab": "social_alerts",
        },
        status=200 if form.ok else 400,
    )
