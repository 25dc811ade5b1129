"""What the council's pages share: the acting user's rights and a refusal shown as a flash."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from admin_web.views.common import acting_user
from services.council import meetings
from services.errors import DomainError, NotFound


async def is_organiser(request: web.Request) -> bool:
    return meetings.can_organise(await acting_user(request))


async def require_organiser(request: web.Request) -> None:
    if not await is_organiser(request):
        raise web.HTTPForbidden()


async def can_see(request: web.Request, mid: int) -> bool:
    """Organisers see every meeting; a member sees the meetings they are invited to."""
    if await is_organiser(request):
        return True
    return mid in await meetings.meetings_of(request[DB_KEY], request[USER_KEY].id)


def meeting_id(request: web.Request) -> int:
    return int(request.match_info["meeting_id"])


async def refused(request: web.Request, exc: DomainError) -> None:
    """A service's refusal: nothing it began is kept; the reason is shown on the next page."""
    if isinstance(exc, NotFound):
        raise web.HTTPNotFound()
    await request[DB_KEY].rollback()
    await flash(request, translate_error(exc.message, exc.params))


def to_meeting(request: web.Request, mid: int, anchor: str = "") -> web.HTTPSeeOther:
    url = str(request.app.router["council_meeting"].url_for(meeting_id=str(mid)))
    return web.HTTPSeeOther(url + (f"#{anchor}" if anchor else ""))
