"""Who may build and download the ССТУ.РФ report: it covers every appeal of the organisation."""

from __future__ import annotations

from models import User
from models.enums import Role
from services.appeals.access import scoped_department
from services.errors import PermissionDenied


def may_report(user: User) -> bool:
    """Administrators, managers and clerks who work for the whole organisation (no department)."""
    if not user.is_active:
        return False
    if user.has_role(Role.MANAGER):  # administrators pass too
        return True
    return Role.CLERK in user.roles and scoped_department(user) is None


def require_reporter(user: User) -> None:
    if not may_report(user):
        raise PermissionDenied("You are not allowed to build the SSTU.RF report.")
