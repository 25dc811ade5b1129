"""``GET /appeals/files/{id}``: an appeal's attachment (a scan, a photo from the bot) for appeal staff.

Assignment files have their own route with assignment visibility; an appeal's files are shown only
here, behind the same role and scope checks as the appeal page.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES
from admin_web.views.common import acting_user
from admin_web.views.files import stored_file_response
from models import Appeal, StoredFile
from services.appeals import access


@requires_role(*STAFF_ROLES)
async def appeal_file(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    stored = await db.get(StoredFile, int(request.match_info["file_id"]))
    if stored is None or stored.appeal_id is None:
        raise web.HTTPNotFound()
    appeal = await db.get(Appeal, stored.appeal_id)
    if appeal is None or not await access.may_see(db, await acting_user(request), appeal):
        raise web.HTTPNotFound()
    return stored_file_response(request, stored)
