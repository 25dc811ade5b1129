"""«Обращения»: the filtered, paged list with overdue flags and the «ready to answer» marker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.exports import EXPORT_LIMIT, table_response
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY
from admin_web.labels import APPEAL_REGIME_LABELS, APPEAL_REGIME_SHORT, state_label
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views.appeals import outcome_list
from admin_web.views.appeals.common import STAFF_ROLES, STATUS_LABELS, label
from admin_web.views.common import acting_user, int_or_none, parse_local_date, zone
from admin_web.views.listing_params import Chip, ListState, Sort, chip_text, read_search, read_sort
from models import Appeal, Category, Correspondent, utcnow
from services.appeals import queries, questions
from services.appeals.categories import name_in as category_name
from services.appeals.labels import APPEAL_CHANNEL_LABELS
from services.mail import quarantine
from services.streamed import rows_by_ids, rows_of_parts

PAGE_SIZE = 25
MAX_PAGE = 10_000
SEARCH_LIMIT = 100
FILTER_FIELDS = (
    "status",
    "channel",
    "regime",
    "category",
    "overdue",
    "registration",
    "unassigned",
    "due",
    "from",
    "to",
    "q",
)
FILTER_FIELDS += outcome_list.FILTER_FIELDS  # repeated, collective, outcome
DEFAULT_SORT = Sort("registered", desc=True)


@dataclass(frozen=True, slots=True)
class Row:
    appeal: Appeal
    correspondent: str
    overdue: bool
    ready: bool  # every linked assignment finished, one done: the answer can be written


def appeal_filters(
    params: Mapping[str, str], request: web.Request, *, now: datetime | None = None
) -> queries.AppealFilters:
    """The list's filters from a query string (the home page counts through this very function)."""
    tz = zone(request)
    now = now or utcnow()
    status = params.get("status") or None
    channel = params.get("channel") or None
    regime = params.get("regime") or None
    sort = read_sort(params, queries.SORT_KEYS, DEFAULT_SORT)
    return queries.AppealFilters(
        status=status if status in STATUS_LABELS else None,
        channel=channel if channel in APPEAL_CHANNEL_LABELS else None,
        regime=regime if regime in APPEAL_REGIME_LABELS else None,
        registration_overdue=params.get("registration") == "overdue",
        category_id=int_or_none(params.get("category")),
        overdue=params.get("overdue") == "1",
        text=read_search(params, SEARCH_LIMIT),
        registered_from=parse_local_date(params.get("from") or "", tz),
        registered_before=parse_local_date(params.get("to") or "", tz, next_day=True),
        now=now,
        unassigned=params.get("unassigned") == "1",
        due_before=now + queries.DUE_SOON if params.get("due") == "soon" else None,
        sort=sort.key,
        desc=sort.desc,
        **outcome_list.filters(params),
    )


def list_state(request: web.Request) -> ListState:
    return ListState(
        request, FILTER_FIELDS, read_sort(request.query, queries.SORT_KEYS, DEFAULT_SORT), DEFAULT_SORT
    )


def _chips(state: ListState, category_names: dict[int, str]) -> list[Chip]:
    f = state.filters
    described = {
        "status": chip_text(gettext("Status"), label(STATUS_LABELS, f.get("status"))),
        "channel": chip_text(gettext("Channel"), label(APPEAL_CHANNEL_LABELS, f.get("channel"))),
        "regime": chip_text(gettext("Regime"), label(APPEAL_REGIME_LABELS, f.get("regime"))),
        "registration": gettext("Registration overdue"),
        "category": chip_text(
            gettext("Category"), category_names.get(int_or_none(f.get("category")) or 0, "—")
        ),
        "overdue": gettext("Overdue only"),
        "unassigned": gettext("Not assigned yet"),
        "due": gettext("Answer due within 3 days"),
        "from": chip_text(gettext("Registered from"), f.get("from", "")),
        "to": chip_text(gettext("Registered to"), f.get("to", "")),
        "q": chip_text(gettext("Search"), f.get("q", "")),
    }
    described |= outcome_list.chips(f)
    return state.chips(described)


async def _names(request: web.Request, appeals: Sequence[Appeal]) -> dict[int, str]:
    ids = [a.correspondent_id for a in appeals if a.correspondent_id]
    rows = await rows_by_ids(
        request[DB_KEY],
        ids,
        lambda chunk: select(Correspondent.id, Correspondent.name).where(Correspondent.id.in_(chunk)),
    )
    return {r.id: r.name for r in rows}


async def categories(request: web.Request) -> list[Category]:
    query = select(Category).order_by(Category.name_ru, Category.id)
    return list((await request[DB_KEY].scalars(query)).all())


@requires_role(*STAFF_ROLES)
async def appeal_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    now: datetime = utcnow()
    page = min(max(int_or_none(request.query.get("page")) or 1, 1), MAX_PAGE)
    state = list_state(request)
    appeals, total = await queries.list_appeals(
        db,
        appeal_filters(request.query, request, now=now),
        viewer=await acting_user(request),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    names = await _names(request, appeals)
    ready = await queries.ready_to_answer_ids(db, [a.id for a in appeals])
    rows = [
        Row(a, names.get(a.correspondent_id or 0, "—"), queries.is_overdue(a, now), a.id in ready)
        for a in appeals
    ]
    filters = state.filters
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    all_categories = await categories(request)
    locale = current_locale.get()
    return await render(
        request,
        "appeals/list.html",
        {
            "rows": rows,
            "total": total,
            "overdue_total": await queries.overdue_count(db, now),
            "registration_overdue_total": await queries.count_appeals(
                db,
                queries.AppealFilters(registration_overdue=True, now=now),
                viewer=await acting_user(request),
            ),
            "regimes": APPEAL_REGIME_LABELS,
            "regimes_short": APPEAL_REGIME_SHORT,
            "quarantine_pending": await quarantine.pending_count(db),
            "filters": filters,
            "statuses": STATUS_LABELS,
            "channels": APPEAL_CHANNEL_LABELS,
            "outcomes": outcome_list.OUTCOME_LABELS,
            "categories": all_categories,
            "state": state,
            "chips": _chips(state, {c.id: category_name(c, locale) for c in all_categories}),
            "page": page,
            "prev_url": state.page_url(page=str(page - 1)) if page > 1 else None,
            "next_url": state.page_url(page=str(page + 1)) if page < pages else None,
            "section": "appeals",
        },
    )


EXPORT_HEADER = (
    N_("Registration number"),
    N_("Registered"),
    N_("Channel"),
    N_("Status"),
    N_("Category"),
    N_("Correspondent"),
    N_("Subject"),
    N_("Address"),
    N_("Answer due"),
    N_("Overdue"),
    N_("Answered"),
    N_("Regime"),  # 547-FZ: appeal or «сообщение»
    *outcome_list.EXPORT_HEADER,
)
CODES_HEADER = N_("Classifier codes")


@requires_role(*STAFF_ROLES)
async def appeal_export(request: web.Request) -> web.StreamResponse:
    """The list with its current filters, as XLSX or CSV."""
    db = request[DB_KEY]
    now = utcnow()
    tz = zone(request)
    category_names = {c.id: category_name(c, current_locale.get()) for c in await categories(request)}
    yes, no = gettext("yes"), gettext("no")

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    async def rows_of(part: Sequence[Appeal]) -> list[list[Any]]:
        names = await _names(request, part)
        repeated = await outcome_list.repeat_numbers(db, part)
        # The questions' classifier codes (services/appeals/questions.py), in the last column.
        codes = await questions.codes_by_appeal(db, [a.id for a in part])
        return [
            [
                a.reg_number,
                local(a.registered_at),
                gettext(APPEAL_CHANNEL_LABELS.get(a.channel, a.channel)),
                state_label(a.status, "appeal"),
                category_names.get(a.category_id or 0, ""),
                names.get(a.correspondent_id or 0, ""),
                a.subject or "",
                a.address or "",
                local(a.due_at),
                yes if queries.is_overdue(a, now) else no,
                local(a.answered_at),
                label(APPEAL_REGIME_LABELS, a.regime),
                *outcome_list.export_cells(a, repeated),
                "; ".join(codes.get(a.id, [])),
            ]
            for a in part
        ]

    filters = appeal_filters(request.query, request, now=now)
    viewer = await acting_user(request)
    parts = queries.appeals_in_parts(db, filters, viewer=viewer, limit=EXPORT_LIMIT)
    rows = await rows_of_parts(parts, rows_of)
    stamp = now.astimezone(tz).strftime("%Y-%m-%d")
    return await table_response(
        request,
        request.match_info["fmt"],
        f"appeals-{stamp}",
        [gettext(h) for h in (*EXPORT_HEADER, CODES_HEADER)],
        rows,
        sheet=gettext("Appeals"),
        widths=(14, 17, 16, 16, 24, 30, 40, 40, 17, 10, 17, 18, *outcome_list.EXPORT_WIDTHS, 30),
    )
