"""Stored files in the panel: ``GET /files/{id}`` (an assignment's or a report's file, only for those
who may see the assignment) and the response every area uses to hand out a file it has authorised."""

from __future__ import annotations

import re
from urllib.parse import quote

from aiohttp import web

from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.views.common import acting_user
from models import StoredFile
from services.assignments import panel_detail
from services.files import file_path

# Shown inline (thumbnails and the full picture); everything else is always a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()\-]")


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266 with an RFC 5987 ``filename*`` for the real (often Cyrillic) name and an ASCII fallback."""
    name = filename.replace("\r", " ").replace("\n", " ").strip() or "file"
    fallback = _UNSAFE_ASCII.sub("_", name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def file_download(request: web.Request) -> web.StreamResponse:
    user = await acting_user(request)
    stored = await panel_detail.file_for_panel(request[DB_KEY], int(request.match_info["file_id"]), user)
    if stored is None:
        raise web.HTTPNotFound()
    return stored_file_response(request, stored)


def stored_file_response(request: web.Request, stored: StoredFile) -> web.StreamResponse:
    """A stored file, already authorised by the caller: shown inline when the browser can display
    it safely, else downloaded; never stored by the browser or a proxy (personal data: a copy left
    in a shared computer's cache would outlive the sign-out)."""
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
            "Cache-Control": "no-store",
        },
    )
