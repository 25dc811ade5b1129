"""The segments block of a correspondent's CRM card: the consent to mailings with its history, and a
clerk's «withdraw» / «ask for consent» buttons (the service audits each change with channel «panel»)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.client_address import client_ip
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from admin_web.security import requires_role
from admin_web.views.common import acting_user, notice_context, zone
from models import Correspondent
from models.enums import MailingConsentStatus, Role
from services.audience.access import can_manage
from services.audit import Actor
from services.errors import DomainError
from services.mailings import consent

STATUS_LABELS = {
    MailingConsentStatus.PENDING: N_("asked, not confirmed yet"),
    MailingConsentStatus.CONFIRMED: N_("confirmed"),
    MailingConsentStatus.WITHDRAWN: N_("withdrawn"),
}
ACTION_LABELS = {
    "requested": N_("asked for consent"),
    "confirmed": N_("confirmed"),
    "withdrawn": N_("withdrawn"),
}
CHANNEL_LABELS = {
    "telegram": N_("in the bot"),
    "email": N_("by the e-mailed link"),
    "web": N_("on the website"),
    "form": N_("with a form"),
    "panel": N_("in the panel"),
}


async def card_context(request: web.Request, correspondent_id: int) -> dict[str, Any]:
    """What ``templates/segments/_card.html`` shows on the CRM card; {} hides the block."""
    current = request.get(USER_KEY)
    if current is None or not current.roles & {Role.MANAGER, Role.CLERK, Role.ADMIN}:
        return {}
    db = request[DB_KEY]
    row = await consent.status_of(db, correspondent_id)
    tz = zone(request)
    history = []
    if row is not None:
        for event in await consent.history(db, row):
            data = event.data or {}
            history.append(
                {
                    "when": event.at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
                    "action": gettext(ACTION_LABELS.get(event.action, event.action)),
                    "channel": gettext(
                        CHANNEL_LABELS.get(str(data.get("channel")), str(data.get("channel") or "—"))
                    ),
                    "ip": data.get("ip") or "",
                }
            )
    return {
        "correspondent_id": correspondent_id,
        "status": row.status if row else None,
        "status_label": gettext(STATUS_LABELS[MailingConsentStatus(row.status)])
        if row
        else gettext("never asked"),
        "history": history,
        "may_withdraw": row is not None and row.status != MailingConsentStatus.WITHDRAWN,
        "may_request": row is None or row.status != MailingConsentStatus.CONFIRMED,
    }


@requires_role(Role.MANAGER, Role.CLERK)
async def consent_action(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    correspondent_id = int(request.match_info["correspondent_id"])
    action = request.match_info["action"]
    card = await db.get(Correspondent, correspondent_id)
    if card is None or not can_manage(user):
        raise web.HTTPNotFound()
    actor, ip = Actor(user_id=user.id), client_ip(request)
    try:
        if action == "withdraw":
            await consent.withdraw(db, correspondent_id, actor=actor, channel="panel", ip=ip)
            message = gettext("The consent to mailings is withdrawn.")
        else:
            await consent.request(
                db,
                correspondent_id=correspondent_id,
                channel="panel",
                actor=actor,
                ip=ip,
                notify=notice_context(request),
            )
            message = gettext("A confirmation request is sent to the person.")
    except DomainError as exc:
        await db.rollback()
        message = translate_error(exc.message, exc.params)
    await flash(request, message)
    raise web.HTTPSeeOther(
        str(request.app.router["correspondent_page"].url_for(correspondent_id=str(correspondent_id)))
        + "#mailing-consent"
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(
        r"/segments/consent/{correspondent_id:\d+}/{action:(withdraw|request)}",
        consent_action,
        name="segment_consent",
    )
