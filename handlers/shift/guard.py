"""Only an active dispatcher hands a shift over; re-checked on every message and press."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.utils.i18n import gettext as _

from bot.role_guard import RoleGuard
from models import User
from models.enums import Role


class ShiftForm(StatesGroup):
    confirm = State()  # the report is shown; the buttons wait
    note = State()  # the next text is the note for the next shift


def can_hand_over(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.DISPATCHER)


def shift_guard() -> RoleGuard:
    return RoleGuard(can_hand_over, ShiftForm, lambda: _("Only a duty dispatcher can hand over the shift."))
