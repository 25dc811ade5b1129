"""Reading files from a panel form, one way for every form that takes them (a paper letter's scans,
an assignment's attachments, an answer's attachments, the public appeal form).

Each file is read off the event loop, capped at the size limit plus one byte (a bigger one is
refused without reading it all), checked by its bytes, never its name, and every refusal is listed
by file name so the user knows which one to pick again. Storing the accepted files is the caller's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

from admin_web.i18n import gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.views.common import filesize
from models import StoredFile
from services import files
from services.assignment_files import unattached_uploads
from services.errors import DomainError


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes
    mime: str | None  # as the browser declared it; the stored type is sniffed from the bytes


async def read_uploads(
    fields: Iterable[object],
    errors: list[str],
    *,
    max_files: int,
    already: int = 0,
    allowed: frozenset[str] = files.ALLOWED_TYPES,
    type_refusal: str | None = None,
    max_total_bytes: int | None = None,
) -> list[Upload]:
    """The accepted files among the posted ``fields``; refusals go to ``errors``. ``already``: files
    kept from an earlier try, counted against ``max_files``; ``type_refusal``: a msgid with
    ``%(name)s`` said instead of the generic wrong-type message (which lists office files)."""
    result: list[Upload] = []
    total = 0
    for item in fields:
        if not isinstance(item, web.FileField) or not item.filename:
            continue
        name = item.filename[:255]
        if already + len(result) >= max_files:
            errors.append(gettext("%(name)s: at most %(n)d files.", name=name, n=max_files))
            continue
        data = await asyncio.to_thread(item.file.read, files.MAX_FILE_BYTES + 1)
        try:
            files.check_file(data, name, allowed=allowed)
        except DomainError as exc:
            if type_refusal is not None and "type" in exc.message:
                errors.append(gettext(type_refusal, name=name))
            else:
                errors.append(f"{name}: {translate_error(exc.message, exc.params)}")
            continue
        total += len(data)
        if max_total_bytes is not None and total > max_total_bytes:
            errors.append(
                gettext(
                    "%(name)s: all files together may take at most %(size)s.",
                    name=name,
                    size=filesize(max_total_bytes),
                )
            )
            continue
        result.append(Upload(name, data, item.content_type))
    return result


async def pending_uploads(
    request: web.Request, user_id: int, raw_ids: Iterable[str], *, limit: int
) -> list[StoredFile]:
    """This user's uploads not yet attached to anything (the ids come from the page, so re-checked)."""
    ids = [int(i) for i in raw_ids if str(i).isdigit()][:limit]
    return await unattached_uploads(request[DB_KEY], user_id, ids)


async def keep_uploads(
    request: web.Request,
    user_id: int,
    fields: Iterable[object],
    kept_ids: Iterable[str],
    errors: list[str],
    *,
    max_files: int,
) -> list[int]:
    """Store the newly posted files and keep the ones stored by an earlier try; returns their ids.

    New rows are committed at once (unattached, owned by the user), so a form that comes back with
    an error never costs the user the files already accepted: the page lists them by id.
    """
    db = request[DB_KEY]
    ids = [f.id for f in await pending_uploads(request, user_id, kept_ids, limit=max_files)]
    accepted = await read_uploads(fields, errors, max_files=max_files, already=len(ids))
    for upload in accepted:
        stored = await files.store_file(
            db,
            request.config_dict[SETTINGS_KEY].files_dir,
            upload.data,
            filename=upload.name,
            origin=files.FileOrigin(uploaded_by_user_id=user_id),
        )
        ids.append(stored.id)
    if accepted:
        await db.commit()
    return ids
