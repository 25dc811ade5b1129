"""A meeting's page: the agenda with each application's link and reviewers' average score, the
members with their attendance, the votes, the decisions; the protocol's downloads once it is held.

Organisers (managers, administrators) run the meeting; members see it and vote for themselves on
their own row of each item. Anyone else gets «not found»: a meeting is not everyone's business.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.i18n import current_locale
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import render
from admin_web.views.common import zone
from admin_web.views.council.common import is_organiser, meeting_id
from models import User
from models.enums import MeetingStatus, Vote
from services.council import agenda, meetings, protocol_files, voting
from services.council import protocol as protocol_data
from services.errors import DomainError, NotFound
from services.notify import Translator


async def _visible(request: web.Request):  # type: ignore[no-untyped-def]
    """The meeting, its members and whether the viewer organises it; 404 for outsiders."""
    db = request[DB_KEY]
    try:
        meeting = await meetings.get_meeting(db, meeting_id(request))
    except NotFound:
        raise web.HTTPNotFound() from None
    people = await meetings.members(db, meeting.id)
    organiser = await is_organiser(request)
    if not organiser and request[USER_KEY].id not in {u.id for _m, u in people}:
        raise web.HTTPNotFound()
    return meeting, people, organiser


async def meeting(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    meeting, people, organiser = await _visible(request)
    me = request[USER_KEY].id
    present_ids = {u.id for m, u in people if m.present}
    t = Translator(current_locale.get())
    items: list[dict[str, Any]] = []
    for row in await agenda.agenda_rows(db, meeting.id):
        cast = await voting.votes(db, row.item.id)
        items.append(
            {
                "row": row,
                "tally": await voting.tally(db, row.item),
                "votes": [(u, cast.get(u.id)) for m, u in people if m.present],
                "mine": cast.get(me),
                "decision": protocol_data.decision_name(t, row.item.decision) if row.item.decision else None,
                "score": protocol_data.score_text(t, row.average, row.reviews, row.score_max),
            }
        )
    planned = meeting.status == MeetingStatus.PLANNED
    total, present = len(people), len(present_ids)
    context = {
        "section": "council",
        "meeting": meeting,
        "people": people,
        "chair": await db.get(User, meeting.chair_id) if meeting.chair_id else None,
        "secretary": await db.get(User, meeting.secretary_id) if meeting.secretary_id else None,
        "organiser": organiser,
        "planned": planned,
        "items": items,
        "total": total,
        "present": present,
        "quorum": voting.has_quorum(total, present),
        "can_vote": planned and me in present_ids,
        "any_decided": any(i["row"].item.decision for i in items),
        "eligible": await agenda.eligible(db) if organiser and planned else [],
        "votes": [(Vote.FOR, t("For")), (Vote.AGAINST, t("Against")), (Vote.ABSTAIN, t("Abstain"))],
        "vote_names": {Vote.FOR: t("For"), Vote.AGAINST: t("Against"), Vote.ABSTAIN: t("Abstain")},
        "tz": zone(request),
    }
    return await render(request, "council/meeting.html", context)


async def protocol(request: web.Request) -> web.StreamResponse:
    meeting, _people, _organiser = await _visible(request)
    fmt = request.match_info["fmt"]
    try:
        content, name = await protocol_file(request, meeting.id, fmt)
    except DomainError:
        raise web.HTTPNotFound() from None
    mime = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return web.Response(
        body=content,
        content_type=mime,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
    )


async def protocol_file(request: web.Request, mid: int, fmt: str) -> tuple[bytes, str]:
    return await protocol_files.protocol_file(
        request[DB_KEY], mid, fmt, locale=current_locale.get(), tz=zone(request)
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
