"""The answer as a letter to print and post (or read out on the phone) when the applicant has
neither e-mail nor Telegram. An HTML page laid out for A4 shows the kept answer letter (its number,
addressee, text and signer) with its DOCX and PDF to download, and lets the clerk mark it posted or
handed over. An answer given without a letter (a 547-FZ message) prints from the answer itself."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES, answer_route, load_appeal
from admin_web.views.common import zone
from models import Correspondent, User
from services.appeals import answer_letter, attachments
from services.config import org_card

DATE_FORMAT = "%d.%m.%Y"


@requires_role(*STAFF_ROLES)
async def appeal_letter(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    appeal = await load_appeal(request)
    if appeal.answered_at is None or not appeal.answer_text:
        raise web.HTTPNotFound()  # only an answer given can be printed
    correspondent = await db.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    letter = await answer_letter.answer_letter_of(db, appeal.id)
    answered_by = await db.get(User, appeal.answered_by_id) if appeal.answered_by_id else None
    head = await org_card.letterhead(db)
    if letter is not None:
        recipient = [line for line in letter.recipient.splitlines() if line]
        signer = [x for x in (letter.signer_position, letter.signer_name) if x]
        text, issued = letter.body, letter.issued_at
    else:
        recipient = [correspondent.name] if correspondent is not None else []
        signer = [answered_by.full_name] if answered_by is not None else []
        text, issued = appeal.answer_text, appeal.answered_at
    route = await answer_route(request, appeal)
    if letter is None and route.postal_address:
        recipient.append(route.postal_address)
    return await render(
        request,
        "appeals/letter.html",
        {
            "a": appeal,
            # The organisation's card heads the letter (Настройки → Организация).
            "letterhead": head,
            "letter": letter,
            "recipient": recipient,
            "text": text,
            "signer": signer,
            "enclosures": await attachments.answer_files(db, appeal.id),
            "registered": appeal.registered_at.astimezone(zone(request)).strftime(DATE_FORMAT),
            "issued": issued.astimezone(zone(request)).strftime(DATE_FORMAT),
            "by_hand": route.by_hand,
            # Without a postal address the clerk calls: the number heads the page to read out.
            "phone": route.phone if not route.postal_address else None,
        },
    )
