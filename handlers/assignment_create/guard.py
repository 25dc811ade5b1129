"""Every step re-checks the creating role on the freshly loaded user (roles may change mid-way)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.role_guard import RoleGuard
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import can_create


def creator_guard() -> RoleGuard:
    return RoleGuard(can_create, CreateAssignment, lambda: _("You are not allowed to create assignments."))
