"""Reading the journal's form fields: local times, map coordinates, organisations from the list.

Every reader records a refusal on the form (never raises), so a hostile or mistyped value comes back
as a message next to its field.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from admin_web.forms import Form
from admin_web.i18n import N_
from admin_web.views.common import parse_local

TEXT_LIMIT = 4000


def local_time(form: Form, name: str, tz: ZoneInfo, *, required: bool = False) -> datetime | None:
    raw = form.text(name, max_length=32)
    if raw is None:
        if required:
            form.fail(name, N_("This field is required."))
        return None
    moment = parse_local(raw, tz)
    if moment is None:
        form.fail(name, N_("Enter a date and time."))
    return moment


def coordinate(form: Form, name: str) -> float | None:
    raw = form.text(name, max_length=32)
    if raw is None:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        form.fail(name, N_("Enter a number, e.g. 55.75580."))
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities parse too
        form.fail(name, N_("Enter a number, e.g. 55.75580."))
        return None
    return value


def choice(form: Form, name: str, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
    raw = str(form.values.get(name) or "").strip()
    if not raw:
        if required:
            form.fail(name, N_("This field is required."))
        return None
    if raw not in allowed:
        form.fail(name, N_("Choose a value from the list."))
        return None
    return raw
