"""Configuration is the administrators' job: every change re-checks the role here, whatever the UI."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User, UserRole
from models.enums import Role
from services.audit import Actor
from services.errors import PermissionDenied


async def require_admin(session: AsyncSession, actor: Actor) -> None:
    """Refuse unless ``actor`` is an active staff user holding the admin role (read afresh)."""
    if actor.user_id is not None:
        user = await session.get(User, actor.user_id)
        if user is not None and user.is_active:
            role = await session.scalar(
                select(UserRole.role).where(UserRole.user_id == user.id, UserRole.role == Role.ADMIN.value)
            )
            if role is not None:
                return
    raise PermissionDenied("Only an administrator may change the settings.")
