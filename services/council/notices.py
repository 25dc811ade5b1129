"""Members told of a meeting through the outbox: the date, the place and the agenda, in each member's
language. Sent when the organiser announces the meeting (again after a change: a new dedup key)."""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from services import audit, outbox
from services.audit import Actor
from services.council.agenda import agenda_rows
from services.council.meetings import get_meeting, member_ids, organiser, require_planned
from services.errors import InvalidInput
from services.notify import N_, NoticeContext, Translator, html_escape
from services.telegram_accounts import staff_chats


async def announce(session: AsyncSession, actor: Actor, meeting_id: int, ctx: NoticeContext) -> int:
    """Queue the notice to every member with a chat; returns how many were queued anew."""
    await organiser(session, actor)
    meeting = await get_meeting(session, meeting_id)
    require_planned(meeting)
    rows = await agenda_rows(session, meeting.id)
    if not rows:
        raise InvalidInput(N_("Put applications on the agenda before announcing the meeting."))
    # A changed number, date, place or agenda is a new notice; the same one is never queued twice.
    # Hashed: the key has to fit the outbox's column whatever the place's length (a place of the same
    # length as before, «Зал 1» → «Зал 2», is a change all the same).
    agenda_ids = ",".join(str(r.item.application_id) for r in rows)
    told = f"{meeting.number}|{meeting.held_at:%Y%m%d%H%M}|{meeting.place}|{agenda_ids}"
    version = hashlib.sha256(told.encode()).hexdigest()[:16]
    messages = []
    for user, chat in await staff_chats(session, User.id.in_(await member_ids(session, meeting.id))):
        t = Translator(ctx.locale_of(user))
        lines = [
            t("<b>Expert council meeting № %(number)s</b>", number=html_escape(meeting.number)),
            t("When: %(when)s", when=ctx.format_dt(meeting.held_at)),
            t("Where: %(place)s", place=html_escape(meeting.place)),
            "",
            t("Agenda:"),
            *(
                f"{n}. {html_escape(r.application.number)} — {html_escape(r.application.title)}"
                for n, r in enumerate(rows, start=1)
            ),
        ]
        link = ctx.panel_link(f"/council/{meeting.id}")
        if link:
            lines += ["", t("Vote in the panel: %(link)s", link=link)]
        key = f"council:{meeting.id}:{user.id}:{version}"
        messages.append(outbox.text_message(chat, "\n".join(lines), dedup_key=key))
    queued = await outbox.enqueue_many(session, messages)
    audit.record(session, actor, "council_meeting", meeting.id, "announce", data={"queued": queued})
    return queued
