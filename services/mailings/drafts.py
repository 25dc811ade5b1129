"""Composing a mailing: a draft's title, body, file and link buttons, checked on every save.

Only a draft (or a scheduled one, which goes back to being a draft) can change: what was queued
is what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from models import Mailing, Segment, StoredFile, User, utcnow
from models.enums import MailingStatus
from services import files
from services.audience.access import can_manage
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.mailings import content

# Telegram shows these as photos; anything else attached goes as a document.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram's sendPhoto limit
EDITABLE = (MailingStatus.DRAFT, MailingStatus.SCHEDULED)


@dataclass
class DraftInput:
    title: str
    body: str
    segment_id: int | None
    buttons: list[tuple[str, str]] = field(default_factory=list)
    remove_file: bool = False


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, telegram_id=user.telegram_id)


def require_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied("Only managers and clerks work with mailings.")


async def get(session: AsyncSession, mailing_id: int) -> Mailing:
    mailing = await session.get(Mailing, mailing_id)
    if mailing is None:
        raise NotFound("Mailing not found.")
    return mailing


async def store_upload(
    session: AsyncSession, user: User, files_dir: Path, data: bytes, filename: str
) -> tuple[StoredFile, str]:
    """Keep an uploaded photo or document (type from its bytes); returns it and its kind."""
    require_manager(user)
    stored = await files.store_file(
        session, files_dir, data, filename=filename, origin=files.FileOrigin(uploaded_by_user_id=user.id)
    )
    return stored, kind_of(stored)


def kind_of(stored: StoredFile) -> str:
    return "photo" if stored.mime_type in PHOTO_TYPES and stored.size <= PHOTO_MAX_BYTES else "document"


async def own_upload(session: AsyncSession, user: User, file_id: int) -> tuple[StoredFile, str] | None:
    """A file this user uploaded on an earlier try of the form (the id comes from the page: checked)."""
    stored = await session.get(StoredFile, file_id)
    if stored is None or stored.uploaded_by_user_id != user.id:
        return None
    return stored, kind_of(stored)


async def save(
    session: AsyncSession,
    user: User,
    data: DraftInput,
    *,
    mailing_id: int | None = None,
    upload: tuple[StoredFile, str] | None = None,
) -> Mailing:
    """Create a draft or change one. A scheduled mailing that is edited is unscheduled (a draft again)."""
    require_manager(user)
    title = " ".join((data.title or "").split())
    if not title:
        raise InvalidInput("Give the mailing a title (only staff see it).", field="title")
    if len(title) > content.TITLE_LIMIT:
        raise InvalidInput("At most %(n)d characters.", n=content.TITLE_LIMIT, field="title")
    if data.segment_id is not None and await session.get(Segment, data.segment_id) is None:
        raise InvalidInput("Choose a segment from the list.", field="segment_id")
    mailing = await get(session, mailing_id) if mailing_id is not None else None
    if mailing is not None and mailing.status not in EDITABLE:
        raise InvalidInput("A mailing that has been sent or cancelled cannot be changed.")
    file_id = mailing.file_id if mailing else None
    file_kind = mailing.file_kind if mailing else None
    if data.remove_file:
        file_id, file_kind = None, None
    if upload is not None:
        file_id, file_kind = upload[0].id, upload[1]
    body = content.clean_body(data.body, with_file=file_id is not None)
    buttons = content.clean_buttons(data.buttons)
    old_state = mailing.status if mailing else None
    if mailing is None:
        mailing = Mailing(created_by_id=user.id, status=MailingStatus.DRAFT)
        session.add(mailing)
    mailing.title = title
    mailing.body_html = body.html
    mailing.file_id, mailing.file_kind = file_id, file_kind
    mailing.buttons = buttons
    mailing.segment_id = data.segment_id
    mailing.status = MailingStatus.DRAFT
    mailing.scheduled_at = None
    mailing.updated_at = utcnow()
    await session.flush()
    record(
        session,
        actor_of(user),
        "mailing",
        mailing.id,
        "create" if old_state is None else "edit",
        old_state=old_state,
        new_state=mailing.status,
        data={"title": title, "segment_id": data.segment_id, "buttons": len(buttons), "file": file_kind},
    )
    return mailing


async def attached_file(session: AsyncSession, mailing: Mailing) -> StoredFile | None:
    return await session.get(StoredFile, mailing.file_id) if mailing.file_id else None
