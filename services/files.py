"""Received files: MIME type checked from the bytes (never from the name), size limits, content
hash, stored once under ``FILES_DIR/ab/cd/<sha256>``.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from sqlalchemy.ext.asyncio import AsyncSession

from models import StoredFile
from services.errors import InvalidInput
from services.messengers import MAX_FILE_PREFIX, Messenger, messenger_of

# Telegram's Bot API lets a bot download at most 20 MB.
MAX_FILE_BYTES = 20 * 1024 * 1024

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/gif", "image/tiff"})
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/rtf",
        "text/plain",
    }
)
ALLOWED_TYPES = IMAGE_TYPES | DOCUMENT_TYPES


def sniff_mime(data: bytes, filename: str | None = None) -> str | None:
    """The type the bytes really are; plain UTF-8 text is accepted only under a .txt name."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        # Office Open XML files are ZIPs; filetype tells them apart by their inner part names.
        return kind.mime
    if filename and filename.lower().endswith(".txt"):
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


@dataclass(frozen=True, slots=True)
class FileCheck:
    mime: str
    sha256: str


def check_file(data: bytes, filename: str | None, *, allowed: frozenset[str] = ALLOWED_TYPES) -> FileCheck:
    if len(data) == 0:
        raise InvalidInput("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // (1024 * 1024))
    mime = sniff_mime(data, filename)
    if mime is None or mime not in allowed:
        raise InvalidInput(
            "This file type is not accepted. Send photos (JPEG, PNG), PDF or office documents."
        )
    return FileCheck(mime=mime, sha256=hashlib.sha256(data).hexdigest())


def _write(path: Path, data: bytes) -> None:
    if path.exists():  # same content already stored: hashes are content addresses
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)


@dataclass(frozen=True, slots=True)
class FileOrigin:
    """Who sent a file, as which Telegram file, and what it belongs to (all optional)."""

    uploaded_by_user_id: int | None = None
    uploaded_by_telegram_id: int | None = None
    telegram_file_id: str | None = None
    telegram_file_unique_id: str | None = None
    appeal_id: int | None = None
    assignment_id: int | None = None
    report_id: int | None = None
    dispatch_update_id: int | None = None
    service_request_id: int | None = None
    service_comment_id: int | None = None


async def store_file(
    session: AsyncSession,
    files_dir: Path,
    data: bytes,
    *,
    filename: str | None,
    allowed: frozenset[str] = ALLOWED_TYPES,
    origin: FileOrigin = FileOrigin(),
) -> StoredFile:
    checked = check_file(data, filename, allowed=allowed)
    rel = Path(checked.sha256[:2]) / checked.sha256[2:4] / checked.sha256
    await asyncio.to_thread(_write, files_dir / rel, data)
    stored = StoredFile(
        sha256=checked.sha256,
        original_name=(filename or "")[:255] or None,
        mime_type=checked.mime,
        size=len(data),
        storage_path=str(rel),
        telegram_file_id=origin.telegram_file_id,
        telegram_file_unique_id=origin.telegram_file_unique_id,
        uploaded_by_user_id=origin.uploaded_by_user_id,
        uploaded_by_telegram_id=origin.uploaded_by_telegram_id,
        appeal_id=origin.appeal_id,
        assignment_id=origin.assignment_id,
        report_id=origin.report_id,
        dispatch_update_id=origin.dispatch_update_id,
        service_request_id=origin.service_request_id,
        service_comment_id=origin.service_comment_id,
    )
    session.add(stored)
    await session.flush()
    return stored


def file_path(files_dir: Path, stored: StoredFile) -> Path:
    return files_dir / stored.storage_path


def reusable_file_id(f: StoredFile, chat_id: int) -> str | None:
    """The messenger's id of a stored file, when it is valid in ``chat_id``'s messenger. A file id
    is only valid in the messenger that issued it; the MAX adapter's start with ``max:``."""
    file_id = f.telegram_file_id
    if not file_id:
        return None
    return (
        file_id if file_id.startswith(MAX_FILE_PREFIX) == (messenger_of(chat_id) is Messenger.MAX) else None
    )


def outbox_file(f: StoredFile) -> dict[str, Any]:
    """A stored file in an outbox request: the sender uses the messenger's file id when it fits the
    chat it sends to (a notice may move to the person's other messenger), else uploads from disk."""
    ref: dict[str, Any] = {"path": f.storage_path, "filename": f.original_name or "file"}
    if f.telegram_file_id:
        ref["file_id"] = f.telegram_file_id
    return ref
