"""Who may export or erase a person's data: staff who see the correspondent card (clerks, managers)
and whose view is not limited to one department (managers, clerks without a department): a partial
export would mislead the person, and an erasure reaches every appeal of theirs."""

from __future__ import annotations

from models import User
from models.enums import Role
from services.appeals import access
from services.errors import PermissionDenied


def may_handle_requests(user: User) -> bool:
    return (
        user.is_active and user.has_role(Role.CLERK, Role.MANAGER) and access.scoped_department(user) is None
    )


def check(user: User) -> None:
    if not may_handle_requests(user):
        raise PermissionDenied(
            "Only organisation-wide clerks and managers may export or erase personal data."
        )
