"""Human names for stored codes, marked for translation."""

from __future__ import annotations

from admin_web.i18n import N_
from models.enums import Role

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.MANAGER: N_("Manager"),
    Role.CONTROLLER: N_("Controller"),
    Role.EXECUTOR: N_("Executor"),
    Role.DISPATCHER: N_("Dispatcher"),
    Role.CLERK: N_("Clerk"),
}
