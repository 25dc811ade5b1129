"""Merging two records of one correspondent: the appeals and Telegram accounts (and everything of the
museum's audience, ``merge_audience``) move to the kept record, its missing contacts are filled from
the other, and the other points at it for good."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Correspondent, TelegramAccount
from services.audit import Actor, record
from services.correspondents.directory import check_not_merged, get
from services.correspondents.merge_audience import move_audience
from services.errors import InvalidInput

_CONTACT_FIELDS = ("phone", "email", "telegram_id", "postal_address", "organisation_inn")


async def merge(session: AsyncSession, keep_id: int, merge_id: int, *, actor: Actor) -> Correspondent:
    if keep_id == merge_id:
        raise InvalidInput("Choose two different correspondents to merge.")
    keep = await get(session, keep_id)
    other = await get(session, merge_id)
    check_not_merged(keep)
    check_not_merged(other)
    moved = list((await session.scalars(select(Appeal.id).where(Appeal.correspondent_id == other.id))).all())
    await session.execute(
        update(Appeal)
        .where(Appeal.correspondent_id == other.id)
        .values(correspondent_id=keep.id)
        .execution_options(synchronize_session="fetch")
    )
    await session.execute(
        update(TelegramAccount)
        .where(TelegramAccount.correspondent_id == other.id)
        .values(correspondent_id=keep.id)
        .execution_options(synchronize_session="fetch")
    )
    await move_audience(session, keep.id, other.id)
    filled = []
    for name in _CONTACT_FIELDS:
        if getattr(keep, name) is None and getattr(other, name) is not None:
            setattr(keep, name, getattr(other, name))
            filled.append(name)
    if keep.phone_normalized is None and other.phone_normalized is not None:
        keep.phone_normalized = other.phone_normalized
    # A contact keeps whether it was proven: only proven ones match incoming appeals.
    if "phone" in filled:
        keep.phone_proven = other.phone_proven
    if "email" in filled:
        keep.email_proven = other.email_proven
    if other.notes:
        keep.notes = "\n".join(n for n in (keep.notes, other.notes) if n)
    other.merged_into_id = keep.id
    await session.flush()
    # Counted, not added up: the stored counters may have drifted before.
    keep.appeals_count = (
        await session.scalar(
            select(func.count()).select_from(Appeal).where(Appeal.correspondent_id == keep.id)
        )
        or 0
    )
    other.appeals_count = 0
    data = {"kept_id": keep.id, "merged_id": other.id, "appeals_moved": len(moved), "filled": filled}
    record(session, actor, "correspondent", keep.id, "merged", data=data)
    record(session, actor, "correspondent", other.id, "merged_into", data=data)
    for appeal_id in moved:
        record(session, actor, "appeal", appeal_id, "correspondent_merged", data=data)
    await session.flush()
    return keep
