"""Who hears at once that a social object lost a resource, besides the managers (who always do):
the administrator keeps the list (a deputy head for housing, the head of education…).

The alert itself is ``services.outages.social``; this module only edits the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Organisation, SocialAlertRecipient, User, UserRole
from models.enums import Role
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class Person:
    user: User
    listed: bool  # in SocialAlertRecipient
    manager: bool  # alerted anyway
    reachable: bool  # has a Telegram chat the alert can go to


def _own_staff():  # type: ignore[no-untyped-def]
    """The administration's people: not members of an outside organisation."""
    return ~exists().where(Organisation.department_id == User.department_id)


async def people(session: AsyncSession) -> list[Person]:
    """Active staff, the listed and the managers first, then everyone else by name."""
    users = (
        await session.scalars(
            select(User).where(User.is_active.is_(True), _own_staff()).order_by(User.full_name)
        )
    ).all()
    listed = set((await session.scalars(select(SocialAlertRecipient.user_id))).all())
    managers = set(
        (await session.scalars(select(UserRole.user_id).where(UserRole.role == Role.MANAGER))).all()
    )
    result = [Person(u, u.id in listed, u.id in managers, u.telegram_id is not None) for u in users]
    result.sort(key=lambda p: (not (p.listed or p.manager), p.user.full_name))
    return result


async def listed_users(session: AsyncSession) -> Sequence[User]:
    rows = await session.scalars(
        select(User)
        .join(SocialAlertRecipient, SocialAlertRecipient.user_id == User.id)
        .order_by(User.full_name)
    )
    return rows.all()


async def add_recipient(session: AsyncSession, actor: Actor, user_id: int) -> bool:
    """False when already listed."""
    await require_admin(session, actor)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    if not user.is_active:
        raise InvalidInput("The user is deactivated.")
    if await session.get(SocialAlertRecipient, user_id) is not None:
        return False
    if user.department_id is not None and await session.scalar(
        select(Organisation.id).where(Organisation.department_id == user.department_id)
    ):
        raise InvalidInput("Only the administration's own staff can receive these alerts.")
    session.add(SocialAlertRecipient(user_id=user_id))
    record(session, actor, "social_alert_recipient", user_id, "add")
    await session.flush()
    return True


async def remove_recipient(session: AsyncSession, actor: Actor, user_id: int) -> bool:
    """False when not listed (a second press)."""
    await require_admin(session, actor)
    row = await session.get(SocialAlertRecipient, user_id)
    if row is None:
        return False
    await session.delete(row)
    record(session, actor, "social_alert_recipient", user_id, "remove")
    await session.flush()
    return True
