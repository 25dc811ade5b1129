"""What the events pages share: the event of the URL, the labels of a registration's state."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from models import MuseumEvent
from models.enums import RegistrationStatus

STATUS_LABELS = {
    RegistrationStatus.REGISTERED: N_("with a seat"),
    RegistrationStatus.WAITLIST: N_("on the waiting list"),
    RegistrationStatus.CANCELLED: N_("registration cancelled"),
}
ATTENDANCE_LABELS = {True: N_("came"), False: N_("did not come"), None: N_("not marked")}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(RegistrationStatus(status), status))


def attendance_label(attended: bool | None) -> str:
    return gettext(ATTENDANCE_LABELS[attended])


def event_id_of(request: web.Request) -> int:
    raw = request.match_info["event_id"]
    if len(raw) > 18:
        raise web.HTTPNotFound()
    return int(raw)


async def event_of(request: web.Request) -> MuseumEvent:
    event = await request[DB_KEY].get(MuseumEvent, event_id_of(request))
    if event is None:
        raise web.HTTPNotFound()
    return event


def event_url(request: web.Request, event_id: int) -> str:
    return str(request.app.router["event_page"].url_for(event_id=str(event_id)))
