"""``GET /appeals/files/{id}``: an appeal's attachment (a scan, a photo from the bot) for appeal staff.

Assignment files have their own route with assignment visibility; an appeal's files are shown only
here, behind the same role check as the appeal page.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES
from admin_web.views.assignments_files import INLINE_TYPES, content_disposition
from models import StoredFile
from services.files import file_path


@requires_role(*STAFF_ROLES)
async def appeal_file(request: web.Request) -> web.StreamResponse:
    stored = await request[DB_KEY].get(StoredFile, int(request.match_info["file_id"]))
    if stored is None or stored.appeal_id is None:
        raise web.HTTPNotFound()
    path = file_path(request.config_dict[SETTINGS_KEY].files_dir, stored)
    if not path.is_file():
        raise web.HTTPNotFound()
    inline = stored.mime_type in INLINE_TYPES and "download" not in request.query
    name = stored.original_name or f"file-{stored.id}"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": stored.mime_type,
            "Content-Disposition": content_disposition("inline" if inline else "attachment", name),
            "Cache-Control": "private, max-age=3600",
        },
    )
