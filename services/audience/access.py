"""Who works with the audience (forms, events, volunteers, segments, mailings) in the panel."""

from __future__ import annotations

from models import User
from models.enums import Role

AUDIENCE_ROLES = (Role.MANAGER, Role.CLERK)


def can_manage(user: User | None) -> bool:
    """Managers and clerks (and administrators) define forms, events, segments and mailings."""
    return user is not None and user.is_active and user.has_role(*AUDIENCE_ROLES)
