"""Human names for stored codes, marked for translation."""

from __future__ import annotations

from admin_web.i18n import N_
from models.enums import Role
from services.assignments.notices import PRIORITY_NAMES, STATUS_NAMES

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.MANAGER: N_("Manager"),
    Role.CONTROLLER: N_("Controller"),
    Role.EXECUTOR: N_("Executor"),
    Role.DISPATCHER: N_("Dispatcher"),
    Role.CLERK: N_("Clerk"),
}

# Assignment states and priorities: the same names the bot uses (translated in services.po).
STATUS_LABELS: dict[str, str] = {str(k): v for k, v in STATUS_NAMES.items()}
PRIORITY_LABELS: dict[str, str] = {str(k): v for k, v in PRIORITY_NAMES.items()}

# Timeline steps, by audit action.
EVENT_LABELS: dict[str, str] = {
    "created": N_("created"),
    "acknowledge": N_("accepted for execution"),
    "start": N_("work started"),
    "submit": N_("report submitted"),
    "accept": N_("report accepted, assignment done"),
    "return": N_("sent back for rework"),
    "decline": N_("declined by the executor"),
    "reassign": N_("handed to another executor"),
    "cancel": N_("assignment cancelled"),
    "commented": N_("comment"),
    "extension_requested": N_("deadline extension requested"),
    "extension_approved": N_("deadline extension approved"),
    "extension_rejected": N_("deadline extension refused"),
    "deadline_changed": N_("deadline changed"),
}

# Buttons on the assignment page, by lifecycle action.
ACTION_LABELS: dict[str, str] = {
    "acknowledge": N_("Accept for execution"),
    "decline": N_("Decline"),
    "accept": N_("Accept the report"),
    "return": N_("Return for rework"),
    "reassign": N_("Reassign"),
    "cancel": N_("Cancel the assignment"),
}

# The list's status filter: groups first, then each state.
STATUS_FILTERS: dict[str, str] = {
    "open": N_("Open"),
    "overdue": N_("Overdue"),
    "all": N_("All statuses"),
}

# A report's review state.
REPORT_LABELS: dict[str, str] = {
    "submitted": N_("awaiting review"),
    "accepted": N_("report accepted"),
    "returned": N_("report returned"),
}
