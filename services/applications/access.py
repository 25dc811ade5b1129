"""Who may do what with applications. One place: the bot and the panel both ask here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, ApplicationType, User
from models.enums import Role
from services.audience import access as audience_access
from services.errors import NotFound, PermissionDenied

# Managers and clerks (and administrators) see every application and enter paper ones — the same
# people who work with the audience; only managers set up types and decide (``can_decide``).
can_manage = audience_access.can_manage


def can_decide(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.MANAGER)


async def review_of(session: AsyncSession, application_id: int, user_id: int) -> ApplicationReview | None:
    return await session.scalar(
        select(ApplicationReview).where(
            ApplicationReview.application_id == application_id, ApplicationReview.reviewer_id == user_id
        )
    )


async def load_visible(session: AsyncSession, user: User | None, application_id: int) -> Application:
    """The application if this staff member may see it (its reviewer, or a manager/clerk); a foreign
    or unknown id reads the same «not found», so ids cannot be probed."""
    application = await session.get(Application, application_id)
    if application is None or user is None or not user.is_active:
        raise NotFound("Application not found.")
    if can_manage(user) or await review_of(session, application.id, user.id) is not None:
        return application
    raise NotFound("Application not found.")


async def type_of(session: AsyncSession, application: Application) -> ApplicationType:
    kind = await session.get(ApplicationType, application.type_id)
    if kind is None:  # RESTRICT keeps it; a broken row is a bug, not a user's doing
        raise NotFound("Application type not found.")
    return kind


def require_manager(user: User | None) -> None:
    if not can_decide(user):
        raise PermissionDenied("Only a manager may do this.")
