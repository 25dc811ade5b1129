"""The service desk's list: the requests the signed-in user may see (``services.service_desk.panel``
decides which), with filters, the search by number or subject, and both SLA clocks."""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.views.common import acting_user, int_or_none
from admin_web.views.listing_params import ListState, Sort, chip_text, read_search
from admin_web.views.outages.common import positive_int
from admin_web.views.service_desk.common import (
    PAGE_SIZE,
    STATUSES,
    URGENCIES,
    calendar,
    clocks,
    labels,
    status_label,
    topic_name,
    urgency_label,
)
from models import utcnow
from services.service_desk import panel

FILTER_FIELDS = ("status", "topic", "urgency", "assignee", "overdue", "q", "mine")
DEFAULT_SORT = Sort("default")  # newest first


async def request_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    params = request.query
    worker = await panel.works_desk(db, user)
    topics = {t.id: t for t in await panel.topics(db)}
    people = {u.id: u.full_name for u in await panel.assignee_choices(db, user)} if worker else {}
    assignee_raw = params.get("assignee") or ""
    assignee: int | str | None = panel.NOBODY if assignee_raw == panel.NOBODY else int_or_none(assignee_raw)
    topic_id = int_or_none(params.get("topic"))
    status = params.get("status") or ""
    flt = panel.RequestFilter(
        status=status if status in STATUSES or status == "open" else None,
        topic_id=topic_id if topic_id in topics else None,
        urgency=params.get("urgency") if params.get("urgency") in URGENCIES else None,
        assignee=assignee,
        overdue=params.get("overdue") == "1",
        text=read_search(params),
        mine=params.get("mine") == "1" or not worker,
    )
    now = utcnow()
    page = await panel.requests_page(
        db, user, flt, now=now, number=positive_int(params.get("page")), size=PAGE_SIZE
    )
    cal = await calendar(request)
    state = ListState(request, FILTER_FIELDS, DEFAULT_SORT, DEFAULT_SORT)
    statuses = {"open": gettext("Open (new, in work, waiting)")} | {s: status_label(s) for s in STATUSES}
    assignee_names = {panel.NOBODY: gettext("Nobody")} | {str(k): v for k, v in people.items()}
    described = {
        "status": chip_text(gettext("Status"), statuses.get(status, "—")),
        "topic": chip_text(gettext("Topic"), topic_name(topics.get(flt.topic_id or 0))),
        "urgency": chip_text(gettext("Urgency"), urgency_label(flt.urgency) if flt.urgency else "—"),
        "assignee": chip_text(gettext("Assignee"), assignee_names.get(assignee_raw, "—")),
        "overdue": gettext("SLA breached"),
        "q": chip_text(gettext("Number or subject"), flt.text or ""),
    }
    owners = await panel.users_by_id(db, [r.assignee_id for r in page.items])
    return await render(
        request,
        "service_desk/list.html",
        {
            **labels(),
            "page": page,
            "worker": worker,
            "mine": flt.mine,
            "topics": topics,
            "clocks": {r.id: clocks(request, r, cal, now) for r in page.items},
            "assignees": {k: v.full_name for k, v in owners.items()},
            "filters": state.filters,
            "state": state,
            "chips": state.chips(described),
            "statuses": statuses,
            "topic_options": {str(t.id): topic_name(t) for t in topics.values()},
            "urgencies": {u.value: urgency_label(u) for u in URGENCIES},
            "assignee_options": assignee_names,
            "prev_url": state.page_url(page=str(page.number - 1)) if page.number > 1 else None,
            "next_url": state.page_url(page=str(page.number + 1)) if page.number < page.pages else None,
            "section": "service_desk_mine" if flt.mine else "service_desk",
        },
    )
