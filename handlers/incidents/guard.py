"""Every step and press re-checks the dispatcher role on the freshly loaded user (roles may change)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.role_guard import RoleGuard
from handlers.incidents.states import IncidentForm
from models import User
from models.enums import Role


def can_dispatch(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.DISPATCHER)


def incident_guard() -> RoleGuard:
    return RoleGuard(can_dispatch, IncidentForm, lambda: _("Only a duty dispatcher can manage incidents."))
