"""«Addresses»: the building registry, one building's page, and importing the registry from a file."""

from __future__ import annotations

import asyncio

from aiohttp import web

from admin_web.exports import EXPORT_LIMIT, table_response
from admin_web.i18n import N_, current_locale, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import render
from admin_web.views.files import content_disposition
from admin_web.views.outages.common import (
    BUILDING_KIND_LABELS,
    EDIT_ROLES,
    PAGE_SIZE,
    building_kind_label,
    editor,
    labels,
    page_url,
    positive_int,
    social_label,
    viewer,
)
from models import Building
from services.addresses import ImportReport, import_buildings
from services.errors import DomainError
from services.outages import queries
from services.streamed import in_parts, rows_in_parts

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # ~100,000 rows of CSV; the importer refuses more rows anyway
REJECTED_SHOWN = 1000
SEARCH_LIMIT = 200
# Every column the importer understands, in Russian as clerks type them; two example rows.
SAMPLE_CSV = (
    "Улица;Дом;Широта;Долгота;Тип;Социальный объект;Тип объекта;Название\r\n"
    "ул. Ленина;5;55.7512;37.6184;жилой дом;нет;;\r\n"
    "ул. Школьная;12;;;;да;школа;Школа № 3\r\n"
)


def _filters(request: web.Request) -> tuple[str, str | None, bool]:
    text = (request.query.get("q") or "").strip()[:SEARCH_LIMIT]
    kind = request.query.get("kind") or None
    return text, kind if kind in BUILDING_KIND_LABELS else None, request.query.get("social") == "1"


@viewer
async def building_list(request: web.Request) -> web.StreamResponse:
    text, kind, social_only = _filters(request)
    number = positive_int(request.query.get("page"))
    page = await queries.buildings_page(
        request[DB_KEY], text, social_only=social_only, kind=kind, number=number, size=PAGE_SIZE
    )
    return await render(
        request,
        "outages/buildings.html",
        {
            **labels(),
            "page": page,
            "q": text,
            "kind": kind or "",
            "social_only": social_only,
            "kinds": BUILDING_KIND_LABELS,
            "prev_url": page_url(request, page=number - 1) if number > 1 else None,
            "next_url": page_url(request, page=number + 1) if number < page.pages else None,
            "can_import": request[USER_KEY].has_role(*EDIT_ROLES),
            "export_query": {
                k: v
                for k, v in (("q", text), ("kind", kind or ""), ("social", "1" if social_only else ""))
                if v
            },
            "section": "buildings",
        },
    )


@viewer
async def building_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    building = await db.get(Building, int(request.match_info["building_id"]))
    if building is None:
        raise web.HTTPNotFound()
    return await render(
        request,
        "outages/building.html",
        {
            **labels(),
            "b": building,
            "subscribers": await queries.subscriber_count(db, building.id),
            "outages": await queries.outages_of_building(db, building.id),
            "section": "buildings",
        },
    )


@editor
async def building_import(request: web.Request) -> web.StreamResponse:
    report: ImportReport | None = None
    error: str | None = None
    filename = ""
    if request.method == "POST":
        data = await request.post()
        upload = data.get("file")
        if not isinstance(upload, web.FileField) or not upload.filename:
            error = gettext("Choose a CSV or XLSX file.")
        else:
            filename = upload.filename[:255]
            content = await asyncio.to_thread(upload.file.read, MAX_IMPORT_BYTES + 1)
            try:
                report = await import_buildings(
                    request[DB_KEY], content, actor=request[USER_KEY].actor, filename=filename
                )
            except DomainError as exc:
                await request[DB_KEY].rollback()
                error = translate_error(exc.message, exc.params)
    locale = current_locale.get()
    rejected = [(r.row, r.text(locale)) for r in report.rejected[:REJECTED_SHOWN]] if report else []
    return await render(
        request,
        "outages/import.html",
        {
            "report": report,
            "rejected": rejected,
            "more_rejected": len(report.rejected) - len(rejected) if report else 0,
            "error": error,
            "filename": filename,
            "max_mb": MAX_IMPORT_BYTES // (1024 * 1024),
            "section": "buildings",
        },
    )


@viewer
async def building_sample(request: web.Request) -> web.StreamResponse:
    # A BOM so Excel opens the Cyrillic header as UTF-8.
    return web.Response(
        body=("\ufeff" + SAMPLE_CSV).encode("utf-8"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": content_disposition("attachment", "addresses-sample.csv"),
        },
    )


EXPORT_HEADER = (
    N_("Street"),
    N_("House"),
    N_("Kind"),
    N_("Socially important object"),
    N_("Name"),
    N_("Latitude"),
    N_("Longitude"),
)


@viewer
async def building_export(request: web.Request) -> web.StreamResponse:
    """The registry (or what the search and filters find), as XLSX or CSV."""
    text, kind, social_only = _filters(request)

    def row(b: Building) -> list[object]:
        return [
            b.street,
            b.house,
            building_kind_label(b.kind),
            social_label(b.social_type) if b.is_social else "",
            b.name or "",
            b.latitude,
            b.longitude,
        ]

    if text:  # a search finds at most SEARCH_MAX houses, already in memory
        page = await queries.buildings_page(
            request[DB_KEY], text, social_only=social_only, kind=kind, number=1, size=EXPORT_LIMIT
        )
        rows = [row(b) for b in page.items]
    else:
        query = queries.registry_query(social_only=social_only, kind=kind).limit(EXPORT_LIMIT)
        rows = await rows_in_parts(in_parts(request[DB_KEY], query), row)
    return await table_response(
        request,
        request.match_info["fmt"],
        "buildings",
        [gettext(h) for h in EXPORT_HEADER],
        rows,
        sheet=gettext("Addresses"),
        widths=(30, 10, 18, 24, 40, 11, 11),
    )
