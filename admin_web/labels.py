"""Human names for stored codes, marked for translation."""

from __future__ import annotations

from collections.abc import Mapping

from admin_web.i18n import N_, jinja_gettext
from models.enums import AppealRegime, OutageStatus, Role
from services.appeals import labels as appeal_labels
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

# Timeline steps of an assignment, by audit action ("create" is what the demo history and older
# records carry, "created" what the service writes today).
EVENT_LABELS: dict[str, str] = {
    "created": N_("created"),
    "create": N_("created"),
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
    "checklist_added": N_("checklist items added"),
    "checklist_set": N_("checklist written"),
    "checklist_edited": N_("checklist item edited"),
    "checklist_removed": N_("checklist item removed"),
    "checklist_moved": N_("checklist item moved"),
    "checklist_ticked": N_("checklist item ticked"),
    "checklist_unticked": N_("checklist item unticked"),
    "checklist_required": N_("checklist rule changed"),
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


# Appeal states, as the appeal pages, lists and exports show them (and a person's data archive).
APPEAL_STATUS_LABELS = appeal_labels.APPEAL_STATUS_LABELS
# 547-FZ regimes of an appeal, and what each means for the clerk.
APPEAL_REGIME_LABELS: dict[str, str] = {
    AppealRegime.APPEAL: N_("Appeal (59-FZ)"),
    AppealRegime.MESSAGE: N_("Message (simplified procedure)"),
}
# The list's narrow column.
APPEAL_REGIME_SHORT: dict[str, str] = {
    AppealRegime.APPEAL: N_("appeal"),
    AppealRegime.MESSAGE: N_("message"),
}
APPEAL_REGIME_HINTS: dict[str, str] = {
    AppealRegime.APPEAL: N_(
        "Considered by the whole of 59-FZ: registration, the 30-day answer letter, the ССТУ.РФ report."
    ),
    AppealRegime.MESSAGE: N_(
        "A «сообщение» (547-FZ): answered by the simplified procedure, without a 59-FZ answer letter,"
        " not reported to ССТУ.РФ."
    ),
}
# Outage states.
OUTAGE_STATUS_LABELS: dict[str, str] = {
    OutageStatus.ACTIVE: N_("In progress"),
    OutageStatus.PLANNED: N_("Scheduled"),
    OutageStatus.DRAFT: N_("Draft"),
    OutageStatus.RESOLVED: N_("Resolved"),
    OutageStatus.CANCELLED: N_("Cancelled"),
}

# Timeline steps of an appeal, by the audit action the appeals services record.
APPEAL_EVENT_LABELS: dict[str, str] = {
    "registered": N_("registered"),
    "received": N_("received, waiting for registration"),
    "redirected": N_("redirected by competence"),
    "letter_issued": N_("letter issued"),
    "letter_sent": N_("letter sent"),
    "assignment_created": N_("assignment created"),
    "status_changed": N_("status changed"),
    "deadline_extended": N_("answer deadline extended"),
    "answered": N_("answer given"),
    "rejected": N_("rejected"),
    "closed": N_("closed"),
    "rated": N_("rated by the correspondent"),
    "correspondent_merged": N_("correspondent records merged"),
}
# The questions of an appeal (services/appeals/questions.py).
APPEAL_EVENT_LABELS |= {
    "question_added": N_("question added"),
    "question_changed": N_("question changed"),
    "question_removed": N_("question removed"),
    "question_result": N_("question's result set"),
}
# The 59-FZ art. 11 outcomes and the repeated / collective marks (services/appeals/outcomes*, links).
APPEAL_EVENT_LABELS |= {
    "outcome_anonymous": N_("anonymous: left without an answer"),
    "outcome_abusive": N_("abusive language: left without an answer on the merits"),
    "outcome_unreadable": N_("unreadable: left without an answer"),
    "outcome_correspondence_stopped": N_("correspondence on the question stopped"),
    "marked_repeat": N_("marked as repeated"),
    "unmarked_repeat": N_("repeated mark removed"),
    "marked_collective": N_("collective mark changed"),
    "letter_issued": N_("letter issued"),
}
# Timeline steps of an outage (outage events and the linking of residents' signals).
OUTAGE_EVENT_LABELS: dict[str, str] = {
    "create": N_("draft created"),
    "publish": N_("published, residents notified"),
    "extend": N_("expected end changed"),
    "add_buildings": N_("houses added"),
    "remove_buildings": N_("houses removed"),
    "start": N_("planned works began"),
    "warn": N_("residents warned of the planned works"),
    "resolve": N_("supply restored"),
    "cancel": N_("outage cancelled"),
    "link": N_("a resident's report linked"),
    "social_alert": N_("heads alerted: social objects cut off"),
    "record": N_("cause and informant recorded"),
    "responsible": N_("handed to an organisation"),
    "acknowledged": N_("taken by the organisation"),
    "field_report": N_("the organisation's report"),
    "update": N_("news for residents"),
}

# The one place the panel turns a stored audit action or state into words: by the kind of record,
# since the same code means different things ("start" of work vs. of planned outage works).
AUDIT_LABELS: dict[str, Mapping[str, str]] = {
    "assignment": EVENT_LABELS,
    "appeal": APPEAL_EVENT_LABELS,
    "outage": OUTAGE_EVENT_LABELS,
}
STATE_LABELS: dict[str, Mapping[str, str]] = {
    "assignment": STATUS_LABELS,
    "appeal": APPEAL_STATUS_LABELS,
    "outage": OUTAGE_STATUS_LABELS,
}
# An action or state this panel has no words for yet: still a sentence, never the raw code.
UNKNOWN_ACTION = N_("other change")
UNKNOWN_STATE = N_("other state")


def label_options(labels: Mapping[object, str]) -> list[tuple[str, str]]:
    """A {code: N_(label)} mapping as the (value, text) pairs of a <select>, the texts translated into
    the panel's language: the one way a label dict becomes options (``m.select``, ``filter_select``)."""
    return [(str(code), jinja_gettext(text)) for code, text in labels.items()]


def audit_label(action: object, entity_type: str) -> str:
    """The translated name of an audit action of ``entity_type`` ("assignment", "appeal", ...)."""
    text = AUDIT_LABELS.get(entity_type, {}).get(str(action), UNKNOWN_ACTION)
    return jinja_gettext(text)


def state_label(state: object, entity_type: str) -> str:
    """The translated name of a stored state; "—" when there is none."""
    if state is None or state == "":
        return "—"
    return jinja_gettext(STATE_LABELS.get(entity_type, {}).get(str(state), UNKNOWN_STATE))
