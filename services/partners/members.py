"""Who belongs to an outside organisation. Its people are users of the organisation's own
department; this module is the one place that maps a user to their organisation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Organisation, User
from services.errors import NotFound

# staff_chats moved to telegram_accounts (the service desk uses it too); importable from here still.
from services.telegram_accounts import staff_chats as staff_chats


async def get_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("Organisation not found.")
    return org


async def active_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    org = await get_organisation(session, organisation_id)
    if not org.is_active:
        raise NotFound("Organisation not found.")
    return org


async def active_organisations(session: AsyncSession) -> Sequence[Organisation]:
    rows = await session.scalars(
        select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.name)
    )
    return rows.all()


async def organisation_of(session: AsyncSession, user: User | None) -> Organisation | None:
    """The outside organisation ``user`` works for; None for the administration's own staff."""
    if user is None or user.department_id is None:
        return None
    return await session.scalar(select(Organisation).where(Organisation.department_id == user.department_id))


async def is_member(session: AsyncSession, user: User | None, organisation_id: int | None) -> bool:
    if user is None or not user.is_active or organisation_id is None:
        return False
    org = await organisation_of(session, user)
    return org is not None and org.id == organisation_id and org.is_active


async def members(session: AsyncSession, organisation_id: int) -> Sequence[User]:
    org = await get_organisation(session, organisation_id)
    rows = await session.scalars(
        select(User)
        .where(User.department_id == org.department_id, User.is_active.is_(True))
        .order_by(User.full_name)
    )
    return rows.all()


async def member_chats(session: AsyncSession, organisation_id: int) -> list[tuple[User, int]]:
    """Active members reachable in Telegram (not blocked), with their chat ids."""
    org = await get_organisation(session, organisation_id)
    return await staff_chats(session, User.department_id == org.department_id)
