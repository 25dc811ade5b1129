"""Administrators' work (staff, departments, settings) re-checks the role here, whatever the UI:
the panel's route guard is one line of defence, this is the other, read afresh from the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User, UserRole
from models.enums import Role
from services.audit import Actor
from services.errors import PermissionDenied
from services.notify import N_


async def require_admin(
    session: AsyncSession, actor: Actor, refusal: str = N_("Only an administrator may do this.")
) -> None:
    """Refuse (with the msgid ``refusal``) unless ``actor`` is an active user holding the admin role."""
    if actor.user_id is not None:
        user = await session.get(User, actor.user_id)
        if user is not None and user.is_active:
            role = await session.scalar(
                select(UserRole.role).where(UserRole.user_id == user.id, UserRole.role == Role.ADMIN.value)
            )
            if role is not None:
                return
    raise PermissionDenied(refusal)
