"""Files that came with an appeal: stored through ``services.files``, refusals listed by reason.

A part the e-mail channel could not parse (``raw``) is kept as ``application/octet-stream``
without type checks: the clerk can still open it, and nothing the applicant sent is lost.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import StoredFile
from services import files as file_store
from services.appeals import queries
from services.errors import InvalidInput
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


MAX_ANSWER_FILES = 10


async def take_answer_files(
    session: AsyncSession, appeal_id: int, file_ids: Sequence[int], *, uploaded_by: int
) -> list[StoredFile]:
    """Make the clerk's uploads the answer's attachments. The ids come from a form, so only files
    this user uploaded and nothing has claimed yet are taken; any other id is refused."""
    ids = list(dict.fromkeys(file_ids))
    if not ids:
        return []
    if len(ids) > MAX_ANSWER_FILES:
        raise InvalidInput("At most %(n)d files can be attached.", n=MAX_ANSWER_FILES)
    found = (
        await session.scalars(
            select(StoredFile)
            .where(
                StoredFile.id.in_(ids),
                StoredFile.uploaded_by_user_id == uploaded_by,
                StoredFile.appeal_id.is_(None),
                StoredFile.assignment_id.is_(None),
                StoredFile.report_id.is_(None),
            )
            .order_by(StoredFile.id)
        )
    ).all()
    if len(found) != len(ids):
        raise InvalidInput("An attached file is no longer available; please attach it again.")
    for f in found:
        f.appeal_id, f.for_answer = appeal_id, True
    await session.flush()
    return list(found)


async def answer_files(session: AsyncSession, appeal_id: int) -> list[StoredFile]:
    """The files sent with the appeal's answer, in the order they were attached."""
    query = (
        select(StoredFile)
        .where(StoredFile.appeal_id == appeal_id, StoredFile.for_answer.is_(True))
        .order_by(StoredFile.id)
    )
    return list((await session.scalars(query)).all())


async def answer_file_with_code(
    session: AsyncSession, number: str, code: str, file_id: int
) -> StoredFile | None:
    """One file of the answer for the public status page: only with the appeal's number and access
    code (the same proof the page asks for), only a file sent with an answer actually given."""
    appeal = await queries.find_with_code(session, number, code)
    if appeal is None or appeal.answered_at is None:
        return None
    stored = await session.get(StoredFile, file_id)
    if stored is None or stored.appeal_id != appeal.id or not stored.for_answer:
        return None
    return stored
