"""Checklists in the panel: the block any page shows by naming an owner, and its one POST endpoint.

A page that shows a checklist puts ``checklist_kind`` ("a" an assignment, "r" a service request)
and ``checklist_owner_id`` into its render context and includes ``task_tools/checklist.html``;
:func:`checklist_context` (run by :func:`admin_web.render.render` for every page) loads what the
block shows for the signed-in user. Every POST goes through :mod:`services.checklists.edit`, which
reloads the owner and re-checks the rights; a refusal comes back as a flash message.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.i18n import gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from admin_web.views.common import acting_user, int_or_none
from models import User
from services import checklists
from services.checklists import edit
from services.errors import DomainError, NotFound

ROUTE = "checklist_act"
OPS = ("add", "tick", "untick", "remove", "up", "down", "required")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(r"/checklists/{kind:(a|r)}/{owner_id:\d+}", checklist_act, name=ROUTE)


async def checklist_context(request: web.Request, context: dict[str, Any]) -> dict[str, Any]:
    """``checklist`` (None when there is none to show) and the names of those who ticked."""
    kind, owner_id = context.get("checklist_kind"), context.get("checklist_owner_id")
    if kind not in checklists.KINDS or not isinstance(owner_id, int) or request.get(USER_KEY) is None:
        return {}
    db = request[DB_KEY]
    try:
        cl = await edit.view(db, await acting_user(request), str(kind), owner_id)
    except DomainError:
        return {"checklist": None, "checklist_names": {}}
    ids = {i.done_by_id for i in cl.items if i.done_by_id is not None}
    names = {}
    if ids:
        rows = await db.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
        names = {uid: name for uid, name in rows}
    return {"checklist": cl, "checklist_names": names}


def _back(request: web.Request, kind: str, owner_id: int, data: Any) -> web.HTTPSeeOther:
    """Back to the page the form was on (a local path only), else the assignment's page."""
    back = str(data.get("back") or "")
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return web.HTTPSeeOther(back + "#checklist")
    if kind == checklists.ASSIGNMENT:
        page = request.app.router["assignment_page"].url_for(assignment_id=str(owner_id))
        return web.HTTPSeeOther(str(page))
    return web.HTTPSeeOther("/")


async def checklist_act(request: web.Request) -> web.StreamResponse:
    kind, owner_id = request.match_info["kind"], int(request.match_info["owner_id"])
    data = await request.post()
    back = _back(request, kind, owner_id, data)
    op = str(data.get("op") or "")
    item_id = int_or_none(str(data.get("item_id") or ""))
    if op not in OPS or (op not in ("add", "required") and item_id is None):
        await flash(request, gettext("This action is not available here."))
        raise back
    db, user = request[DB_KEY], await acting_user(request)
    try:
        if op == "add":
            await edit.add_items(db, user, kind, owner_id, [str(data.get("text") or "")])
        elif op == "required":
            await edit.set_required(db, user, kind, owner_id, data.get("required") == "1")
        else:
            assert item_id is not None
            await _item_op(db, user, kind, owner_id, op, item_id)
    except DomainError as exc:
        await db.rollback()
        await flash(request, translate_error(exc.message, exc.params))
        raise back from None
    await flash(request, gettext("The checklist is saved."))
    raise back


async def _item_op(db: Any, user: User, kind: str, owner_id: int, op: str, item_id: int) -> None:
    # The item must belong to the owner in the address: a form cannot reach another list's item.
    if item_id not in {i.id for i in await checklists.items_of(db, kind, owner_id)}:
        raise NotFound("Checklist item not found.")
    if op in ("tick", "untick"):
        await edit.tick(db, user, item_id, op == "tick")
    elif op == "remove":
        await edit.remove_item(db, user, item_id)
    else:
        await edit.move_item(db, user, item_id, -1 if op == "up" else 1)
