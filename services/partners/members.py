"""Who belongs to an outside organisation. Its people are users of the organisation's own
department; this module is the one place that maps a user to their organisation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import Organisation, TelegramAccount, User, UserRole
from models.enums import Role
from services.errors import NotFound


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


async def staff_chats(
    session: AsyncSession, *conditions: ColumnElement[bool], role: Role | None = None
) -> list[tuple[User, int]]:
    """Active users matching ``conditions`` (and holding ``role``) with their chat ids: the chat of
    the Telegram account linked to them, else their Telegram id (as assignment notices write to it:
    staff entered in the panel with an id but no invite). One who blocked the bot is left out."""
    linked, by_id = aliased(TelegramAccount), aliased(TelegramAccount)
    chat = func.coalesce(linked.chat_id, User.telegram_id)
    query = (
        select(User, chat)
        .outerjoin(linked, linked.user_id == User.id)
        .outerjoin(by_id, by_id.id == User.telegram_id)
        .where(
            User.is_active.is_(True),
            chat.is_not(None),
            linked.blocked_at.is_(None),
            by_id.blocked_at.is_(None),
            *conditions,
        )
        .order_by(User.id)
    )
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return [(u, int(c)) for u, c in (await session.execute(query)).all()]


async def member_chats(session: AsyncSession, organisation_id: int) -> list[tuple[User, int]]:
    """Active members reachable in Telegram (not blocked), with their chat ids."""
    org = await get_organisation(session, organisation_id)
    return await staff_chats(session, User.department_id == org.department_id)
