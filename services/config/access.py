"""Configuration is the administrators' job: every change re-checks the role, whatever the UI."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services import admin_rights
from services.audit import Actor
from services.notify import N_


async def require_admin(session: AsyncSession, actor: Actor) -> None:
    """Refuse unless ``actor`` is an active staff user holding the admin role (read afresh)."""
    await admin_rights.require_admin(session, actor, N_("Only an administrator may change the settings."))
