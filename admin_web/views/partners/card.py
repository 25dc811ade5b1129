"""An organisation's card: its details, areas of responsibility, people, invite links and KPI; and
the administrator's actions on it (each a POST that reloads and re-checks in the services)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.common import int_or_none
from admin_web.views.partners.common import (
    SEARCH_LIMIT,
    admin_only,
    labels,
    organisation_from,
    page_url,
    read_period,
    resource_options,
    viewer,
)
from models import Organisation, utcnow
from models.enums import Role
from services.addresses import search_buildings
from services.audit import Actor
from services.errors import DomainError
from services.partners import areas, invites, kpi, people

FOUND_LIMIT = 20
DEFAULT_TTL_DAYS = invites.DEFAULT_TTL.days


@viewer
async def organisation_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    org = await organisation_from(request)
    is_admin = request[USER_KEY].has_role(Role.ADMIN)
    now = utcnow()
    period = read_period(request, now)
    q = (request.query.get("q") or "").strip()[:SEARCH_LIMIT]
    found = await search_buildings(db, q, limit=FOUND_LIMIT) if (q and is_admin) else []
    return await render(
        request,
        "partners/card.html",
        {
            **labels(),
            "org": org,
            "areas": await areas.areas_of(db, org.id),
            "people": await people.people_of(db, org.id),
            "invites": await invites.active_invites(db, org.id, now=now),
            "kpi_row": await kpi.organisation_kpi(db, org, period.start, period.end, now=now),
            "period": period,
            "q": q,
            "found": found,
            "districts": await areas.districts(db),
            "resource_options": resource_options(),
            "default_ttl_days": DEFAULT_TTL_DAYS,
            "max_ttl_days": invites.MAX_TTL.days,
            "can_edit": is_admin,
            "section": "organisations",
        },
    )


async def _done(
    request: web.Request, org: Organisation, message: str, **params: object
) -> web.StreamResponse:
    await flash(request, gettext(message, **params))
    raise web.HTTPSeeOther(page_url(request, org))


async def _refused(request: web.Request, org: Organisation, exc: DomainError) -> web.StreamResponse:
    target = page_url(request, org)  # read before the rollback expires ``org``
    await request[DB_KEY].rollback()
    await flash(request, translate_error(exc.message, exc.params))
    raise web.HTTPSeeOther(target)


@admin_only
async def area_add(request: web.Request) -> web.StreamResponse:
    org = await organisation_from(request)
    form = await request.post()
    db, actor = request[DB_KEY], request[USER_KEY].actor
    level = str(form.get("level") or "")
    resource = str(form.get("resource") or "")[:32] or None
    try:
        if level == "building":
            building_id = int_or_none(str(form.get("building_id") or ""))
            if building_id is None:
                return await _done(request, org, N_("Choose a house from the list."))
            await areas.add_building(db, actor, org.id, building_id, resource)
        elif level == "street":
            await areas.add_street(db, actor, org.id, str(form.get("street") or "")[:1000], resource)
        elif level == "district":
            await areas.add_district(db, actor, org.id, str(form.get("district") or "")[:1000], resource)
        else:
            raise web.HTTPBadRequest()
    except DomainError as exc:
        return await _refused(request, org, exc)
    return await _done(request, org, N_("The area of responsibility has been added."))


RowCommand = Callable[[AsyncSession, Actor, int, int], Awaitable[object]]


async def _on_row(request: web.Request, command: RowCommand, key: str, notice: str) -> web.StreamResponse:
    """One of the card's row buttons (remove an area, revoke a link, name the contact person): the
    service re-checks the admin and that the row belongs to this organisation."""
    org = await organisation_from(request)
    try:
        await command(request[DB_KEY], request[USER_KEY].actor, org.id, int(request.match_info[key]))
    except DomainError as exc:
        return await _refused(request, org, exc)
    return await _done(request, org, notice)


@admin_only
async def area_remove(request: web.Request) -> web.StreamResponse:
    return await _on_row(
        request, areas.remove_area, "area_id", N_("The area of responsibility has been removed.")
    )


@admin_only
async def invite_create(request: web.Request) -> web.StreamResponse:
    """Make a link and show it once: only its hash is stored, so it cannot be shown again."""
    org = await organisation_from(request)
    form = await request.post()
    settings = request.config_dict[SETTINGS_KEY]
    days = int_or_none(str(form.get("ttl_days") or "")) or DEFAULT_TTL_DAYS
    max_uses = int_or_none(str(form.get("max_uses") or ""))
    try:
        invite, token = await invites.create_invite(
            request[DB_KEY],
            request[USER_KEY].actor,
            org.id,
            ttl=timedelta(days=min(days, 10_000)),
            max_uses=max_uses,
        )
    except DomainError as exc:
        return await _refused(request, org, exc)
    return await render(
        request,
        "partners/invite.html",
        {
            "org": org,
            "link": invites.invite_link(settings.bot_username, token),
            "start_command": f"/start {invites.ORG_INVITE_PREFIX}{token}",
            "invite": invite,
            "section": "organisations",
        },
    )


@admin_only
async def invite_revoke(request: web.Request) -> web.StreamResponse:
    return await _on_row(request, invites.revoke_invite, "invite_id", N_("The invite link has been revoked."))


@admin_only
async def person_deactivate(request: web.Request) -> web.StreamResponse:
    org = await organisation_from(request)
    try:
        user = await people.deactivate_member(
            request[DB_KEY], request[USER_KEY].actor, org.id, int(request.match_info["user_id"])
        )
    except DomainError as exc:
        return await _refused(request, org, exc)
    return await _done(
        request, org, N_("%(name)s no longer works for the organisation in the bot."), name=user.full_name
    )


@admin_only
async def person_head(request: web.Request) -> web.StreamResponse:
    return await _on_row(request, people.make_head, "user_id", N_("The contact person has been changed."))
