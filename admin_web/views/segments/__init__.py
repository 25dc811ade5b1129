"""The panel's segments (issue #16): the list with live counts, the builder with a live count and a
preview of the first members, save / edit / archive, the members' export, and the public pages of
the consent links (``consent_pages``). Managers and clerks; the service re-checks rights."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.client_address import client_ip
from admin_web.exports import table_response
from admin_web.forms import Form
from admin_web.i18n import N_, current_locale, gettext, ngettext, translate_error
from admin_web.identity import CurrentUser
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, zone
from admin_web.views.segments import builder, card, consent_pages
from models import utcnow
from models.enums import Role
from services.errors import DomainError, NotFound
from services.privacy import access_log
from services.segments import query, saved
from services.segments.filters import SegmentFilters, parse
from services.streamed import rows_in_parts

staff = requires_role(Role.MANAGER, Role.CLERK)
# Who sees the correspondents (names, contacts) in the panel: the correspondents list's roles.
CONTACT_ROLES = (Role.CLERK, Role.MANAGER)
EXPORT_LIMIT = 20_000
CONSENT_LABELS = {k.value: v for k, v in builder.CONSENT_LABELS.items()}
EXPORT_HEADER = (N_("Name"), N_("Telegram chat"), N_("E-mail"), N_("Consent to mailings"))


def _sees_contacts(user: CurrentUser | None) -> bool:
    return user is not None and bool(user.roles & {*CONTACT_ROLES, Role.ADMIN})


async def _count(request: web.Request, spec: SegmentFilters) -> int:
    return await query.count(request[DB_KEY], spec, tz=zone(request))


@staff
async def segment_list(request: web.Request) -> web.StreamResponse:
    archived = request.query.get("archived") == "1"
    db = request[DB_KEY]
    rows = []
    for segment in await saved.listing(db, archived=archived):
        try:
            count: int | None = await _count(request, saved.filters_of(segment))
        except DomainError:
            count = None  # a spec saved by an older version: shown, editable, not counted
        rows.append((segment, count))
    return await render(
        request, "segments/list.html", {"rows": rows, "archived": archived, "section": "segments"}
    )


def _member_json(m: query.Member, contacts: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"id": m.correspondent_id, "name": m.name, "consent": gettext(_consent_label(m))}
    if contacts:
        item |= {"telegram": m.telegram_chat_id is not None, "email": m.email or ""}
    return item


def _consent_label(m: query.Member) -> str:
    return CONSENT_LABELS.get(m.consent_status or "none", m.consent_status or "")


@staff
async def segment_count(request: web.Request) -> web.StreamResponse:
    """The builder's live count and preview: ``{"count", "members": [first 50]}`` or ``{"error"}``."""
    headers = {"Cache-Control": "no-store"}
    try:
        spec = parse(builder.filters_from_form(request.query))
    except DomainError as exc:
        return web.json_response(
            {"error": translate_error(exc.message, exc.params)}, status=400, headers=headers
        )
    db = request[DB_KEY]
    total = await _count(request, spec)
    contacts = _sees_contacts(request[USER_KEY])
    members = await query.members(db, spec, limit=query.PREVIEW_LIMIT, tz=zone(request))
    body = {
        "count": total,
        "count_text": ngettext("%(num)s person", "%(num)s people", total),
        "members": [_member_json(m, contacts) for m in members],
    }
    return web.json_response(body, headers=headers)


@staff
async def segment_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@staff
async def segment_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["segment_id"]))


async def _edit(request: web.Request, segment_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    segment = None
    if segment_id is not None:
        try:
            segment = await saved.get(db, segment_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    if request.method == "POST":
        data = await request.post()
        form = Form.posted(data, multi=builder.MULTI)
        name = form.text("name", required=True)
        description = form.text("description", max_length=saved.DESCRIPTION_LIMIT) or ""
        if form.ok:
            try:
                raw = builder.filters_from_form(data)
                if segment is None:
                    segment = await saved.create(
                        db, await acting_user(request), name=name or "", filters=raw, description=description
                    )
                else:
                    await saved.update(
                        db,
                        await acting_user(request),
                        segment.id,
                        name=name or "",
                        filters=raw,
                        description=description,
                    )
            except DomainError as exc:
                await db.rollback()
                # The rollback expired the row (or dropped a new one): the page shows the stored one.
                segment = await saved.get(db, segment_id) if segment_id is not None else None
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Segment “%(name)s” saved.", name=segment.name))
                raise web.HTTPSeeOther(request.app.router["segment_edit"].url_for(segment_id=str(segment.id)))
        spec = None
    else:
        spec = saved.filters_of(segment) if segment is not None else SegmentFilters()
        values = builder.values_from_filters(spec)
        if segment is not None:
            values |= {"name": segment.name, "description": segment.description}
        form = Form(values=values)
    count = None
    members: list[query.Member] = []
    if spec is not None:
        count = await _count(request, spec)
        members = await query.members(db, spec, limit=query.PREVIEW_LIMIT, tz=zone(request))
    return await render(
        request,
        "segments/edit.html",
        {
            "form": form,
            "segment": segment,
            "count": count,
            "members": members,
            "contacts": _sees_contacts(request[USER_KEY]),
            "consent_label": lambda m: gettext(_consent_label(m)),
            "choices": await builder.choices(db, current_locale.get(), zone(request)),
            "channel_labels": {k.value: gettext(v) for k, v in builder.CHANNEL_LABELS.items()},
            "consent_labels": {k: gettext(v) for k, v in CONSENT_LABELS.items()},
            "address_labels": {k: gettext(v) for k, v in builder.ADDRESS_LABELS.items()},
            "activity_labels": {k: gettext(v) for k, v in builder.ACTIVITY_LABELS.items()},
            "section": "segments",
        },
        status=400 if form.errors else 200,
    )


@staff
async def segment_archive(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    restore = (await request.post()).get("restore") == "1"
    try:
        segment = await saved.archive(
            db, await acting_user(request), int(request.match_info["segment_id"]), restore=restore
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await db.rollback()
        raise web.HTTPForbidden(text=translate_error(exc.message, exc.params)) from None
    message = N_("Segment “%(name)s” restored.") if restore else N_("Segment “%(name)s” archived.")
    await flash(request, gettext(message, name=segment.name))
    raise web.HTTPSeeOther(request.app.router["segments"].url_for())


@staff
async def segment_export(request: web.Request) -> web.StreamResponse:
    """The members as XLSX or CSV, built in a thread (a large workbook would stall the loop)."""
    db = request[DB_KEY]
    user = request[USER_KEY]
    if not _sees_contacts(user):
        raise web.HTTPForbidden()
    try:
        segment = await saved.get(db, int(request.match_info["segment_id"]))
        spec = saved.filters_of(segment)
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        raise web.HTTPBadRequest(text=translate_error(exc.message, exc.params)) from None
    # 152-FZ: a list of people's contacts leaving the panel is logged, as the correspondents' export.
    access_log.note(db, user.id, access_log.LIST_EXPORT, ip=client_ip(request))
    rows = await rows_in_parts(
        query.members_in_parts(db, spec, limit=EXPORT_LIMIT, tz=zone(request)),
        lambda m: [m.name, m.telegram_chat_id or "", m.email or "", gettext(_consent_label(m))],
    )
    header = [gettext(h) for h in EXPORT_HEADER]
    stamp = utcnow().astimezone(zone(request)).strftime("%Y-%m-%d")
    return await table_response(
        request,
        request.match_info["fmt"],
        f"segment-{segment.id}-{stamp}",
        header,
        rows,
        sheet=gettext("Segment"),
        widths=(36, 16, 32, 28),
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/segments", segment_list, name="segments")
    router.add_get("/segments/count", segment_count, name="segment_count")
    for path, handler, name in (
        ("/segments/new", segment_new, "segment_new"),
        (r"/segments/{segment_id:\d+}", segment_edit, "segment_edit"),
    ):
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", handler)
        resource.add_route("POST", handler)
    router.add_post(r"/segments/{segment_id:\d+}/archive", segment_archive, name="segment_archive")
    router.add_get(
        r"/segments/{segment_id:\d+}/export.{fmt:(xlsx|csv)}", segment_export, name="segment_export"
    )
    card.add_routes(router)
    consent_pages.add_routes(router)
