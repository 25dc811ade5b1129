"""The answer as a letter to print and post (or read out on the phone) when the applicant has
neither e-mail nor Telegram. An HTML page laid out for A4; DOCX/PDF letters are a later step."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES, answer_route, load_appeal
from admin_web.views.common import zone
from models import Correspondent, User
from services.appeals import attachments
from services.config import org_card

DATE_FORMAT = "%d.%m.%Y"


@requires_role(*STAFF_ROLES)
async def appeal_letter(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    appeal = await load_appeal(request)
    if appeal.answered_at is None or not appeal.answer_text:
        raise web.HTTPNotFound()  # only an answer given can be printed
    correspondent = await db.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    signer = await db.get(User, appeal.answered_by_id) if appeal.answered_by_id else None
    return await render(
        request,
        "appeals/letter.html",
        {
            "a": appeal,
            # The organisation's card heads the letter (Настройки → Организация).
            "letterhead": await org_card.letterhead(db),
            "correspondent": correspondent,
            "route": await answer_route(request, appeal),
            "signer": signer,
            "enclosures": await attachments.answer_files(db, appeal.id),
            "registered": appeal.registered_at.astimezone(zone(request)).strftime(DATE_FORMAT),
            "answered": appeal.answered_at.astimezone(zone(request)).strftime(DATE_FORMAT),
        },
    )
