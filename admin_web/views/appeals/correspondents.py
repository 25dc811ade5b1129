"""«Корреспонденты»: search, the card with contacts and appeals, possible duplicates, the autocomplete."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from admin_web.client_address import client_ip
from admin_web.exports import EXPORT_LIMIT, table_response
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views import audience_card
from admin_web.views.appeals import messengers
from admin_web.views.appeals.common import STAFF_ROLES, STATUS_LABELS
from admin_web.views.common import acting_user, int_or_none
from admin_web.views.listing_params import ListState, Sort, chip_text, read_sort
from models import Correspondent, utcnow
from services import correspondents
from services.appeals import access, queries
from services.appeals.labels import APPEAL_CHANNEL_LABELS
from services.correspondents import directory
from services.errors import NotFound
from services.privacy import access_log, erasure, rights
from services.streamed import in_parts, rows_in_parts

PAGE_SIZE = 25
MAX_PAGE = 1000
QUERY_LIMIT = 100
LOOKUP_LIMIT = 8
LOOKUP_MIN_CHARS = 2


def contacts_line(c: Correspondent) -> str:
    return ", ".join(v for v in (c.phone, c.email, c.postal_address) if v)


def _sort(request: web.Request, q: str) -> tuple[Sort, Sort]:
    """(chosen, default): a search lists by name, the bare page the most recently added first."""
    default = Sort("name") if q else Sort("added", desc=True)
    return read_sort(request.query, directory.SORT_KEYS, default), default


async def _find(request: web.Request, q: str, *, limit: int, offset: int) -> list[Correspondent]:
    db = request[DB_KEY]
    sort, _default = _sort(request, q)
    if q:
        return list(
            await correspondents.search(db, q, limit=limit, offset=offset, sort=sort.key, desc=sort.desc)
        )
    # No query: the most recent records, so the page is never blank.
    return list(await directory.recent(db, limit=limit, offset=offset, sort=sort.key, desc=sort.desc))


@requires_role(*STAFF_ROLES)
async def correspondent_list(request: web.Request) -> web.StreamResponse:
    q = (request.query.get("q") or "").strip()[:QUERY_LIMIT]
    page = min(max(int_or_none(request.query.get("page")) or 1, 1), MAX_PAGE)
    found = await _find(request, q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    sort, default = _sort(request, q)
    state = ListState(request, ("q",), sort, default)
    open_count = len(await correspondents.suggestions.open_suggestions(request[DB_KEY]))
    return await render(
        request,
        "appeals/correspondents.html",
        {
            "rows": found[:PAGE_SIZE],
            "q": q,
            "state": state,
            "chips": state.chips({"q": chip_text(gettext("Search"), q)}),
            "open_suggestions": open_count,
            "contacts_line": contacts_line,
            "prev_url": state.page_url(page=str(page - 1)) if page > 1 else None,
            "next_url": state.page_url(page=str(page + 1)) if len(found) > PAGE_SIZE else None,
            "section": "correspondents",
        },
    )


@requires_role(*STAFF_ROLES)
async def correspondent_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        data = await correspondents.card(db, int(request.match_info["correspondent_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None
    c = data.correspondent
    # A department's clerk sees this person's appeals of their own scope only.
    user = await acting_user(request)
    hidden = 0
    if not access.sees_all(user):
        clerks, department = await access.clerk_map(db), access.scoped_department(user)
        shown = [a for a in data.appeals if clerks.covers(department, await access.department_of(db, a))]
        hidden = len(data.appeals) - len(shown)
        data = replace(data, appeals=shown)
    duplicates = [] if c.merged_into_id else list(await correspondents.duplicates_of(db, c.id))
    now = utcnow()
    # 152-FZ: who opened whose personal data is logged.
    access_log.note(db, user.id, access_log.VIEW_CARD, correspondent_id=c.id, ip=client_ip(request))
    return await render(
        request,
        "appeals/correspondent.html",
        {
            "card": data,
            "hidden_appeals": hidden,
            "c": c,
            "duplicates": duplicates,
            "suggestions": await correspondents.suggestions.open_suggestions(db, correspondent_id=c.id),
            "contacts_line": contacts_line,
            "overdue": {a.id for a in data.appeals if queries.is_overdue(a, now)},
            "statuses": STATUS_LABELS,
            "channels": APPEAL_CHANNEL_LABELS,
            "section": "correspondents",
            "pd_requests": rights.may_handle_requests(user),
            "pd_erased": await erasure.erasure_of(db, c.id),
            "audience_blocks": [] if c.merged_into_id else await audience_card.blocks(request, c.id),
            "messengers": await messengers.card_context(request, c),
        },
    )


@requires_role(*STAFF_ROLES)
async def correspondent_lookup(request: web.Request) -> web.StreamResponse:
    """JSON for the registration form's autocomplete: ``{"items": [{id, name, details}]}``."""
    q = (request.query.get("q") or "").strip()[:QUERY_LIMIT]
    found = (
        await correspondents.search(request[DB_KEY], q, limit=LOOKUP_LIMIT)
        if len(q) >= LOOKUP_MIN_CHARS
        else []
    )
    items = [{"id": c.id, "name": c.name, "details": contacts_line(c)} for c in found]
    return web.json_response({"items": items}, headers={"Cache-Control": "no-store"})


KIND_LABELS = {"person": N_("person"), "organisation": N_("organisation")}
EXPORT_HEADER = (
    N_("Name or title"),
    N_("Kind"),
    N_("Phone"),
    N_("E-mail"),
    N_("Telegram"),
    N_("Postal address"),
    N_("Appeals"),
)


@requires_role(*STAFF_ROLES)
async def correspondent_export(request: web.Request) -> web.StreamResponse:
    """The search result (or the whole directory), as XLSX or CSV."""
    q = (request.query.get("q") or "").strip()[:QUERY_LIMIT]
    user = request[USER_KEY]
    access_log.note(request[DB_KEY], user.id, access_log.LIST_EXPORT, ip=client_ip(request))

    def row(c: Correspondent) -> list[object]:
        return [
            c.name,
            gettext(KIND_LABELS.get(c.kind, c.kind)),
            c.phone or "",
            c.email or "",
            c.telegram_id or "",
            c.postal_address or "",
            c.appeals_count,
        ]

    sort, _default = _sort(request, q)
    query = await directory.listing_query(request[DB_KEY], q, sort=sort.key, desc=sort.desc)
    rows = (
        []
        if query is None
        else await rows_in_parts(in_parts(request[DB_KEY], query.limit(EXPORT_LIMIT)), row)
    )
    return await table_response(
        request,
        request.match_info["fmt"],
        "correspondents",
        [gettext(h) for h in EXPORT_HEADER],
        rows,
        sheet=gettext("Correspondents"),
        widths=(36, 14, 18, 30, 14, 40, 9),
    )
