"""What the settings pages share: the admin-only guard and reading whole numbers from a form."""

from __future__ import annotations

from admin_web.forms import Form
from admin_web.i18n import N_
from admin_web.security import requires_role
from models.enums import Role

admin_only = requires_role(Role.ADMIN)
MAX_NUMBER = 10**6


def number(form: Form, name: str, *, required: bool = False) -> int | None:
    """A whole number field; an empty optional one is None, anything else unreadable is refused."""
    raw = form.text(name, required=required, max_length=9)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) > MAX_NUMBER:
        form.fail(name, N_("Enter a whole number."))
        return None
    return int(raw)
