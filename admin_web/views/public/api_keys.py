"""API keys for Open311 clients (admins only): issue one (shown once), list them, revoke one."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import int_or_none
from models.enums import Role
from services import api_clients


@requires_role(Role.ADMIN)
async def api_keys(request: web.Request) -> web.StreamResponse:
    """GET lists the keys; POST issues a new one and shows it on this response only."""
    form = Form()
    new_key: str | None = None
    if request.method == "POST":
        form = Form.posted(await request.post())
        name = form.text("name", required=True, max_length=api_clients.NAME_LIMIT)
        if form.ok and name:
            _client, new_key = await api_clients.create_client(
                request[DB_KEY], name, actor=request[USER_KEY].actor
            )
            form = Form()
    return await render(
        request,
        "public/api_keys.html",
        {
            "form": form,
            "new_key": new_key,
            "clients": await api_clients.list_clients(request[DB_KEY]),
            "section": "api_keys",
        },
    )


@requires_role(Role.ADMIN)
async def api_key_revoke(request: web.Request) -> web.StreamResponse:
    client_id = int_or_none(request.match_info["client_id"])
    client = None
    if client_id is not None:
        client = await api_clients.revoke_client(request[DB_KEY], client_id, actor=request[USER_KEY].actor)
    if client is None:
        raise web.HTTPNotFound()
    await flash(request, gettext("The key «%(name)s» is revoked.", name=client.name))
    raise web.HTTPSeeOther(request.app.router["api_keys"].url_for())
