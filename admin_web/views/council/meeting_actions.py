"""The meeting page's buttons, one POST each (``op``): every one re-checks rights in the service and
comes back to the page with what happened (or why not) as a flash."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from admin_web.views.common import int_or_none, notice_context
from admin_web.views.council.common import can_see, meeting_id, refused, to_meeting
from admin_web.views.council.meetings import meeting_cancel
from services.council import agenda, notices, voting
from services.errors import DomainError

Op = Callable[[web.Request, int], Awaitable[str]]


def _item(form) -> int:  # type: ignore[no-untyped-def]
    value = int_or_none(str(form.get("item_id") or ""))
    if value is None:
        raise web.HTTPBadRequest()
    return value


async def _add(request: web.Request, mid: int) -> str:
    form = await request.post()
    application = int_or_none(str(form.get("application_id") or ""))
    if application is None:
        raise web.HTTPBadRequest()
    await agenda.add_item(request[DB_KEY], request[USER_KEY].actor, mid, application)
    return gettext("The application is on the agenda.")


async def _move(request: web.Request, mid: int) -> str:
    form = await request.post()
    step = -1 if form.get("direction") == "up" else 1
    await agenda.move_item(request[DB_KEY], request[USER_KEY].actor, mid, _item(form), step)
    return gettext("The agenda's order is changed.")


async def _remove(request: web.Request, mid: int) -> str:
    await agenda.remove_item(request[DB_KEY], request[USER_KEY].actor, mid, _item(await request.post()))
    return gettext("The application is taken off the agenda.")


async def _attendance(request: web.Request, mid: int) -> str:
    form = await request.post()
    present = {int(v) for v in form.getall("present", []) if str(v).isdigit()}
    await voting.set_attendance(request[DB_KEY], request[USER_KEY].actor, mid, present)
    return gettext("Attendance saved.")


async def _vote(request: web.Request, mid: int) -> str:
    form = await request.post()
    await voting.cast_vote(
        request[DB_KEY], request[USER_KEY].actor, mid, _item(form), str(form.get("vote") or "")
    )
    return gettext("Your vote is recorded.")


async def _decide(request: web.Request, mid: int) -> str:
    form = await request.post()
    needs_more = str(form.get("needs_more") or "") if form.get("mode") == "needs_more" else None
    await voting.decide_item(
        request[DB_KEY], request[USER_KEY].actor, mid, _item(form), needs_more=needs_more
    )
    return gettext("The decision is recorded.")


async def _close(request: web.Request, mid: int) -> str:
    ctx = notice_context(request)
    await voting.close_meeting(
        request[DB_KEY], request[USER_KEY].actor, mid, locale=ctx.default_locale, ctx=ctx
    )
    return gettext("The meeting is held and closed; the decisions are applied to the applications.")


async def _announce(request: web.Request, mid: int) -> str:
    queued = await notices.announce(request[DB_KEY], request[USER_KEY].actor, mid, notice_context(request))
    return gettext("Notices queued to the members: %(n)d.", n=queued)


OPS: dict[str, Op] = {
    "agenda_add": _add,
    "agenda_move": _move,
    "agenda_remove": _remove,
    "attendance": _attendance,
    "vote": _vote,
    "decide": _decide,
    "close": _close,
    "announce": _announce,
}
ANCHORS = {"vote": "agenda", "decide": "agenda", "agenda_add": "agenda", "attendance": "members"}


async def action(request: web.Request) -> web.StreamResponse:
    op = request.match_info["op"]
    if op == "cancel":
        return await meeting_cancel(request)
    handler = OPS.get(op)
    if handler is None:
        raise web.HTTPNotFound()
    mid = meeting_id(request)
    try:
        await flash(request, await handler(request, mid))
    except DomainError as exc:
        await refused(request, exc)
        if not await can_see(request, mid):  # a stranger is told why, on a page they may open
            raise web.HTTPSeeOther(str(request.app.router["council"].url_for())) from None
    raise to_meeting(request, mid, ANCHORS.get(op, ""))
