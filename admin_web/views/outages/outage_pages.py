"""«Outages»: the list (active first, then recent) and one outage's page with broadcast progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from admin_web.exports import EXPORT_LIMIT, table_response
from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.labels import audit_label
from admin_web.render import flash, render
from admin_web.views.common import acting_user
from admin_web.views.listing_params import ListState, Sort, chip_text, read_search, read_sort
from admin_web.views.outages import record_pages
from admin_web.views.outages.common import (
    OUTAGE_STATUS_LABELS,
    PAGE_SIZE,
    day_start,
    kind_label,
    labels,
    local_day,
    positive_int,
    resource_label,
    status_label,
    viewer,
)
from models import AuditEvent, Outage
from services.outages import lifecycle, listing, queries
from services.outages.resources import all_resources
from services.streamed import in_parts, rows_of_parts

FILTER_FIELDS = ("resource", "status", "from", "to", "q")
DEFAULT_SORT = Sort("default")  # active first, then the most recent

# Notice batches, by the event that queued them.
BATCH_LABELS: dict[str, str] = {
    "publish": N_("Announcement"),
    "add": N_("Newly affected houses"),
    "remove": N_("Houses no longer affected"),
    "extend": N_("New expected end"),
    "warn": N_("Warning before the works"),
    "start": N_("Start of the works"),
    "resolve": N_("Supply restored"),
    "cancel": N_("Cancellation"),
    "social": N_("Alert to the heads: social objects"),
    "update": N_("News for residents"),
    "progress": N_("Dispatcher's progress message"),
}
SIGNAL_STATUS_LABELS: dict[str, str] = {
    "new": N_("waiting in the queue"),
    "linked": N_("linked"),
    "dismissed": N_("dismissed"),
}


def _batch_label(event: str) -> str:
    """«update-12» (the news with update id 12) is labelled as news; unknown tags show as they are."""
    key = "update" if event.startswith("update-") else event
    return gettext(BATCH_LABELS[key]) if key in BATCH_LABELS else event


def _filter(request: web.Request) -> queries.OutageFilter:
    tz = request.config_dict[SETTINGS_KEY].tz
    params = request.query
    resources = {r.code for r in all_resources()}
    first, last = local_day(params.get("from")), local_day(params.get("to"))
    sort = read_sort(params, queries.OUTAGE_SORT_KEYS, DEFAULT_SORT)
    return queries.OutageFilter(
        text=read_search(params),
        sort=None if sort == DEFAULT_SORT else sort.key,
        desc=sort.desc,
        resource=params.get("resource") if params.get("resource") in resources else None,
        status=params.get("status") if params.get("status") in OUTAGE_STATUS_LABELS else None,
        start=day_start(first, tz) if first else None,
        end=day_start(last + timedelta(days=1), tz) if last else None,
    )


@viewer
async def outage_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    params = request.query
    resources = {r.code: resource_label(r.code) for r in all_resources()}
    f = _filter(request)
    number = positive_int(params.get("page"))
    page = await queries.outages_page(db, f, number=number, size=PAGE_SIZE)
    state = ListState(
        request, FILTER_FIELDS, read_sort(params, queries.OUTAGE_SORT_KEYS, DEFAULT_SORT), DEFAULT_SORT
    )
    described = {
        "resource": chip_text(gettext("Resource"), resource_label(f.resource) if f.resource else "—"),
        "status": chip_text(gettext("Status"), status_label(f.status) if f.status else "—"),
        "from": chip_text(gettext("From"), params.get("from", "")),
        "to": chip_text(gettext("To"), params.get("to", "")),
        "q": chip_text(gettext("Description contains"), f.text or ""),
    }
    return await render(
        request,
        "outages/list.html",
        {
            **labels(),
            "page": page,
            "houses": await listing.house_counts(db, [o.id for o in page.items]),
            "filters": state.filters,
            "state": state,
            "chips": state.chips(described),
            "resources": resources,
            "statuses": OUTAGE_STATUS_LABELS,
            "prev_url": state.page_url(page=str(number - 1)) if number > 1 else None,
            "next_url": state.page_url(page=str(number + 1)) if number < page.pages else None,
            "section": "outages",
            "tab": "list",
        },
    )


async def _outage(request: web.Request) -> Outage:
    outage = await request[DB_KEY].get(Outage, int(request.match_info["outage_id"]))
    if outage is None:
        raise web.HTTPNotFound()
    return outage


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _step(event: AuditEvent) -> dict[str, Any]:
    data = event.data or {}
    return {
        "event": event,
        "label": audit_label(event.action, "outage"),
        "old_end": _moment(data.get("old")) if event.action == "extend" else None,
        "new_end": _moment(data.get("new")) if event.action == "extend" else None,
        "ended_at": _moment(data.get("ended_at")),
        "houses": len(data.get("buildings") or []) if event.action.endswith("_buildings") else 0,
        "signal_id": event.entity_id if event.entity_type == "outage_signal" else None,
    }


async def _render_page(
    request: web.Request,
    outage: Outage,
    *,
    rec: Form | None = None,
    news: Form | None = None,
    status: int = 200,
) -> web.StreamResponse:
    db = request[DB_KEY]
    signals = await queries.linked_signals(db, outage.id)
    events = await queries.timeline(db, outage.id, [s.signal.id for s in signals])
    extra = await record_pages.record_context(db, outage, await acting_user(request), rec=rec, news=news)
    batches = await queries.outage_batches(db, outage.id)
    return await render(
        request,
        "outages/page.html",
        {
            **labels(),
            **extra,
            "o": outage,
            "houses": await lifecycle.buildings_of(db, outage.id),
            "reach": await lifecycle.preview(db, outage),
            "signals": signals,
            "signal_status": {k: gettext(v) for k, v in SIGNAL_STATUS_LABELS.items()},
            "steps": [_step(e) for e in events],
            "names": await queries.user_names(
                db,
                [
                    outage.created_by_id,
                    *(e.actor_user_id for e in events),
                    *(u.update.author_user_id for u in extra["updates"]),
                ],
            ),
            "batches": batches,
            "batch_labels": {b.event: _batch_label(b.event) for b in batches},
            "section": "outages",
        },
        status=status,
    )


@viewer
async def outage_page(request: web.Request) -> web.StreamResponse:
    return await _render_page(request, await _outage(request))


@viewer
async def outage_record(request: web.Request) -> web.StreamResponse:
    """POST: the cause, informant and responsible organisation (dispatchers; the service re-checks)."""
    db, outage = request[DB_KEY], await _outage(request)
    form = Form.posted(await request.post())
    sent = await record_pages.save_record(request, db, await acting_user(request), outage, form)
    if sent is None:
        return await _render_page(request, outage, rec=form, status=400)
    await db.commit()
    note = gettext("The record is saved.")
    if sent:
        note += " " + gettext("The organisation's people notified: %(n)s", n=sent)
    await flash(request, note)
    raise web.HTTPSeeOther(str(request.app.router["outage_page"].url_for(outage_id=str(outage.id))))


@viewer
async def outage_news(request: web.Request) -> web.StreamResponse:
    """POST: the dispatcher's update, sent to the residents unless it is an internal note."""
    db, outage = request[DB_KEY], await _outage(request)
    form = Form.posted(await request.post())
    queued = await record_pages.post_news(request, db, await acting_user(request), outage, form)
    if queued is None:
        return await _render_page(request, outage, news=form, status=400)
    await db.commit()
    await flash(request, gettext("The update is saved. Notices queued for residents: %(n)s", n=queued))
    raise web.HTTPSeeOther(
        str(request.app.router["outage_page"].url_for(outage_id=str(outage.id))) + "#updates"
    )


@viewer
async def outage_progress(request: web.Request) -> web.StreamResponse:
    """The broadcast progress as JSON, polled by the outage page while notices are being sent."""
    outage = await _outage(request)
    batches = await queries.outage_batches(request[DB_KEY], outage.id)
    return web.json_response(
        {
            "batches": [
                {
                    "batch": b.batch,
                    "total": b.progress.total,
                    "sent": b.progress.sent,
                    "pending": b.progress.pending,
                    "failed": b.progress.failed,
                    "blocked": b.progress.dropped,
                    "percent": b.percent,
                }
                for b in batches
            ],
            "done": all(b.progress.pending == 0 for b in batches),
        },
        headers={"Cache-Control": "no-store"},
    )


EXPORT_HEADER = (
    N_("No."),
    N_("Type"),
    N_("Resource"),
    N_("Status"),
    N_("Start"),
    N_("Expected end"),
    N_("End"),
    N_("Houses"),
    N_("Description"),
)


@viewer
async def outage_export(request: web.Request) -> web.StreamResponse:
    """The list with its current filters, as XLSX or CSV."""
    db = request[DB_KEY]
    tz = request.config_dict[SETTINGS_KEY].tz
    query = await queries.outages_query(db, _filter(request))

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    async def rows_of(part: Sequence[Outage]) -> list[list[object]]:
        houses = await listing.house_counts(db, [o.id for o in part])
        return [
            [
                o.id,
                kind_label(o.kind),
                resource_label(o.resource),
                status_label(o.status),
                local(o.starts_at),
                local(o.expected_end_at),
                local(o.ended_at),
                houses.get(o.id, 0),
                o.description or "",
            ]
            for o in part
        ]

    rows = await rows_of_parts(in_parts(db, query.limit(EXPORT_LIMIT)), rows_of)
    stamp = datetime.now(tz).strftime("%Y-%m-%d")
    return await table_response(
        request,
        request.match_info["fmt"],
        f"outages-{stamp}",
        [gettext(h) for h in EXPORT_HEADER],
        rows,
        sheet=gettext("Outages"),
        widths=(8, 14, 18, 14, 17, 17, 17, 9, 60),
    )
