"""What the service-desk pages share: labels of stored codes, the SLA clocks as words, the menu entry."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from admin_web.i18n import N_, current_locale, format_dt, gettext
from admin_web.keys import DB_KEY
from admin_web.views.common import zone
from models import ServiceRequest, ServiceTopic
from models.enums import ServiceStatus, ServiceUrgency
from services.service_desk import sla
from services.work_calendar import store as calendar_store
from services.work_calendar.clock import WorkCalendar

PAGE_SIZE = 50
STATUSES = tuple(s.value for s in ServiceStatus)
URGENCIES = (ServiceUrgency.CRITICAL, ServiceUrgency.HIGH, ServiceUrgency.NORMAL, ServiceUrgency.LOW)

STATUS_LABELS = {
    ServiceStatus.NEW: N_("New, not taken"),
    ServiceStatus.IN_WORK: N_("In work"),
    ServiceStatus.WAITING: N_("Waiting for the requester"),
    ServiceStatus.RESOLVED: N_("Solved, awaiting confirmation"),
    ServiceStatus.CLOSED: N_("Request closed"),
    ServiceStatus.CANCELLED: N_("Request cancelled"),
}
URGENCY_LABELS = {
    ServiceUrgency.CRITICAL: N_("Critical"),
    ServiceUrgency.HIGH: N_("High"),
    ServiceUrgency.NORMAL: N_("Normal urgency"),
    ServiceUrgency.LOW: N_("Low"),
}
CHANNEL_LABELS = {"bot": N_("Telegram"), "email": N_("E-mail"), "panel": N_("Panel")}
EVENT_LABELS = {
    "filed": N_("Request filed"),
    "taken": N_("Taken into work"),
    "assigned": N_("Assigned"),
    "commented": N_("Comment"),
    "waiting": N_("Asked the requester"),
    "resolved": N_("Solution reported"),
    "confirmed": N_("Result confirmed"),
    "auto_closed": N_("Closed without an answer"),
    "rated": N_("Rated"),
    "reopened": N_("Returned to work"),
    "cancelled": N_("Request cancelled"),
    "urgency_changed": N_("Urgency changed"),
}


def status_label(code: str) -> str:
    return gettext(STATUS_LABELS.get(code, code))  # type: ignore[call-overload]


def urgency_label(code: str) -> str:
    return gettext(URGENCY_LABELS.get(code, code))  # type: ignore[call-overload]


def event_label(code: str) -> str:
    return gettext(EVENT_LABELS.get(code, code))


def channel_label(code: str) -> str:
    return gettext(CHANNEL_LABELS.get(code, code))


def topic_name(topic: ServiceTopic | None) -> str:
    if topic is None:
        return "—"
    return topic.name_en if current_locale.get() == "en" and topic.name_en else topic.name_ru


def duration(minutes: int) -> str:
    """Working time as «2 h 05 min» / «45 min»."""
    hours, rest = divmod(abs(minutes), 60)
    if hours:
        return gettext("%(h)d h %(m)02d min", h=hours, m=rest)
    return gettext("%(m)d min", m=rest)


class ClockView:
    """One SLA clock as the list and the card show it: a CSS state and the words."""

    def __init__(self, clock: sla.Clock, tz: object) -> None:
        self.state = clock.state.value
        self.due = format_dt(clock.due_at, tz) if clock.due_at else ""
        self.due_at = clock.due_at
        left = clock.left_minutes
        state = clock.state
        if state == sla.ClockState.NONE:
            self.text = "—"
        elif state == sla.ClockState.MET:
            self.text = gettext("met")
        elif state == sla.ClockState.MISSED:
            self.text = gettext("missed")
        elif state == sla.ClockState.PAUSED:
            self.text = gettext("paused, %(left)s left", left=duration(left or 0))
        elif state == sla.ClockState.BREACHED:
            self.text = gettext("overdue by %(left)s", left=duration(left or 0))
        else:
            self.text = gettext("%(left)s left", left=duration(left or 0))

    @property
    def breached(self) -> bool:
        return self.state in ("breached", "missed")


async def calendar(request: web.Request) -> WorkCalendar:
    return await calendar_store.load(request[DB_KEY], zone(request))


def clocks(
    request: web.Request, item: ServiceRequest, cal: WorkCalendar, now: datetime
) -> dict[str, ClockView]:
    tz = zone(request)
    return {
        "reaction": ClockView(sla.reaction_clock(item, cal, now), tz),
        "resolution": ClockView(sla.resolution_clock(item, cal, now), tz),
    }


def labels() -> dict[str, object]:
    """Label functions for the templates (the Jinja environment is shared, so no new filters)."""
    return {
        "sd_status": status_label,
        "sd_urgency": urgency_label,
        "sd_event": event_label,
        "sd_channel": channel_label,
        "sd_topic": topic_name,
    }
