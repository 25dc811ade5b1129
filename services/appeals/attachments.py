"""Files that came with an appeal: stored through ``services.files``, refusals listed by reason.

A part the e-mail channel could not parse (``raw``) is kept as ``application/octet-stream``
without type checks: the clerk can still open it, and nothing the applicant sent is lost.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from models import StoredFile
from services import files as file_store
from services.notify import N_

RAW_MIME = "application/octet-stream"
EMPTY_FILE = N_("The file is empty.")
TOO_LARGE = N_("The file is larger than 20 MB.")
UNSUPPORTED = N_("This file type is not accepted: send photos, PDF or office documents.")


@dataclass
class IncomingFile:
    data: bytes
    filename: str | None = None
    declared_mime: str | None = None
    telegram_file_id: str | None = None
    telegram_file_unique_id: str | None = None
    raw: bool = False  # an unparseable part kept as-is (application/octet-stream, no type checks)


@dataclass
class RejectedFile:
    filename: str | None
    reason: str  # an English msgid without placeholders; the channel translates it for display


async def store_raw(
    session: AsyncSession, files_dir: Path, f: IncomingFile, *, appeal_id: int, telegram_id: int | None
) -> StoredFile:
    digest = hashlib.sha256(f.data).hexdigest()
    rel = Path(digest[:2]) / digest[2:4] / digest
    await asyncio.to_thread(file_store._write, files_dir / rel, f.data)
    stored = StoredFile(
        sha256=digest,
        original_name=(f.filename or "")[:255] or None,
        mime_type=RAW_MIME,
        size=len(f.data),
        storage_path=str(rel),
        telegram_file_id=f.telegram_file_id,
        telegram_file_unique_id=f.telegram_file_unique_id,
        uploaded_by_telegram_id=telegram_id,
        appeal_id=appeal_id,
    )
    session.add(stored)
    await session.flush()
    return stored


def _sniff_name(f: IncomingFile) -> str | None:
    """Plain text is accepted only under a ``.txt`` name; a part declared ``text/plain`` counts."""
    name = f.filename
    if f.declared_mime == "text/plain" and not (name or "").lower().endswith(".txt"):
        return (name or "text") + ".txt"
    return name


async def store_all(
    session: AsyncSession,
    files_dir: Path,
    incoming: list[IncomingFile],
    *,
    appeal_id: int,
    user_id: int | None,
    telegram_id: int | None,
) -> tuple[list[StoredFile], list[RejectedFile]]:
    stored: list[StoredFile] = []
    rejected: list[RejectedFile] = []
    for f in incoming:
        if not f.data:
            rejected.append(RejectedFile(f.filename, EMPTY_FILE))
            continue
        if f.raw:
            stored.append(
                await store_raw(session, files_dir, f, appeal_id=appeal_id, telegram_id=telegram_id)
            )
            continue
        if len(f.data) > file_store.MAX_FILE_BYTES:
            rejected.append(RejectedFile(f.filename, TOO_LARGE))
            continue
        if file_store.sniff_mime(f.data, _sniff_name(f)) not in file_store.ALLOWED_TYPES:
            rejected.append(RejectedFile(f.filename, UNSUPPORTED))
            continue
        stored.append(
            await file_store.store_file(
                session,
                files_dir,
                f.data,
                filename=_sniff_name(f),
                origin=file_store.FileOrigin(
                    telegram_file_id=f.telegram_file_id,
                    telegram_file_unique_id=f.telegram_file_unique_id,
                    uploaded_by_user_id=user_id,
                    uploaded_by_telegram_id=telegram_id,
                    appeal_id=appeal_id,
                ),
            )
        )
    return stored, rejected
