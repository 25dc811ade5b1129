"""What the applications pages share: labels of statuses and decisions, ids from the URL."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import N_, current_locale, gettext
from models import ApplicationType
from models.enums import ApplicationDecision, ApplicationStatus, SubmissionChannel
from services.applications.types import type_name

STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: N_("Submitted"),
    ApplicationStatus.IN_REVIEW: N_("In review"),
    ApplicationStatus.REVIEWED: N_("Reviewed"),
    ApplicationStatus.ON_COUNCIL: N_("On the council"),
    ApplicationStatus.NEEDS_MORE: N_("More information asked"),
    ApplicationStatus.APPROVED: N_("Approved"),
    ApplicationStatus.REJECTED: N_("Rejected"),
}
DECISION_LABELS = {
    ApplicationDecision.APPROVED: N_("Approve"),
    ApplicationDecision.REJECTED: N_("Reject"),
    ApplicationDecision.NEEDS_MORE: N_("Ask for more information"),
}
RECOMMENDATION_LABELS = {
    ApplicationDecision.APPROVED: N_("Approve"),
    ApplicationDecision.REJECTED: N_("Reject"),
    ApplicationDecision.NEEDS_MORE: N_("Ask for more"),
}
CHANNEL_LABELS = {
    SubmissionChannel.TELEGRAM: N_("Telegram"),
    SubmissionChannel.WEB: N_("Web form"),
    SubmissionChannel.PANEL: N_("Entered in the panel"),
}


def labels() -> dict[str, object]:
    def label(mapping: dict, value: str | None) -> str:  # type: ignore[type-arg]
        return gettext(mapping[value]) if value in mapping else (value or "—")

    return {
        "ap_status": lambda v: label(STATUS_LABELS, v),
        "ap_decision": lambda v: label(DECISION_LABELS, v),
        "ap_recommendation": lambda v: label(RECOMMENDATION_LABELS, v),
        "ap_channel": lambda v: label(CHANNEL_LABELS, v),
        "ap_type": lambda kind: (
            type_name(kind, current_locale.get()) if isinstance(kind, ApplicationType) else "—"
        ),
    }


def id_of(request: web.Request, name: str) -> int:
    return int(request.match_info[name])
