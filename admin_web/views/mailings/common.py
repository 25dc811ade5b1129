"""What the mailing pages share: labels of statuses and of reasons a member is left out, loading."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from models import Mailing
from models.enums import MailingStatus
from services.errors import NotFound
from services.mailings import audience, drafts

STATUS_LABELS = {
    MailingStatus.DRAFT: N_("Draft"),
    MailingStatus.SCHEDULED: N_("Scheduled"),
    MailingStatus.SENDING: N_("Sending"),
    MailingStatus.SENT: N_("Sent"),
    MailingStatus.CANCELLED: N_("Cancelled"),
}
LEFT_OUT_LABELS = {
    audience.NO_CONSENT: N_("no confirmed consent to mailings"),
    audience.NO_CHAT: N_("never wrote to the bot"),
    audience.BLOCKED: N_("blocked the bot"),
    audience.ERASED: N_("personal data erased"),
    audience.SHARED_CHAT: N_("the same chat as another member (one message)"),
}
DELIVERY_LABELS = {
    "pending": N_("in the queue"),
    "sent": N_("delivered"),
    "dropped": N_("blocked the bot"),
    "failed": N_("not delivered"),
}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))  # type: ignore[call-overload]


async def load(request: web.Request) -> Mailing:
    try:
        return await drafts.get(request[DB_KEY], int(request.match_info["mailing_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None


def page_url(request: web.Request, mailing_id: int) -> str:
    return str(request.app.router["mailing"].url_for(mailing_id=str(mailing_id)))
