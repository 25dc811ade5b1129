"""Helpers every panel view shares: the acting user, notices, local times, file sizes, ids from forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin_web.i18n import N_, current_locale, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash
from models import User
from porucheno.numbers import format_number
from services.audit import Actor
from services.errors import DomainError, NotFound
from services.notify import NoticeContext
from services.staff import people_by_name

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


async def acting_user(request: web.Request) -> User:
    """The signed-in staff member as a model, for the services (already in the session's identity map)."""
    user = await request[DB_KEY].get(User, request[USER_KEY].id)
    if user is None:  # deleted between the middleware and here
        raise web.HTTPForbidden()
    return user


async def toggle_active(
    request: web.Request,
    set_active: Callable[[AsyncSession, Actor, int, bool], Awaitable[Any]],
    *,
    name: Callable[[Any], str],
    back: str,
) -> web.StreamResponse:
    """Offer a template (or the like) again or stop offering it: the POSTed ``active`` flag on the
    item of the URL, through the service's ``set_active`` (which re-checks the role); back to ``back``."""
    db = request[DB_KEY]
    active = (await request.post()).get("active") == "1"
    try:
        item = await set_active(db, request[USER_KEY].actor, int(request.match_info["item_id"]), active)
        label = name(item)
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await db.rollback()
        raise web.HTTPForbidden(text=translate_error(exc.message, exc.params)) from None
    message = (
        N_("Template “%(name)s” is offered again.") if active else N_("Template “%(name)s” deactivated.")
    )
    await flash(request, gettext(message, name=label))
    raise web.HTTPSeeOther(request.app.router[back].url_for())


def notice_context(request: web.Request) -> NoticeContext:
    return NoticeContext.from_settings(request.config_dict[SETTINGS_KEY])


def zone(request: web.Request) -> ZoneInfo:
    return request.config_dict[SETTINGS_KEY].tz


def parse_local(value: str, tz: ZoneInfo) -> datetime | None:
    """A ``datetime-local`` value read as wall-clock time in ``tz``, returned in UTC."""
    try:
        naive = datetime.strptime(value.strip()[:16], LOCAL_INPUT_FORMAT)
    except ValueError:
        return None
    return naive.replace(tzinfo=tz).astimezone(UTC)


def parse_local_date(value: str, tz: ZoneInfo, *, next_day: bool = False) -> datetime | None:
    """Local midnight of a ``date`` input (or of the day after it), in UTC."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    if next_day:
        day = date.fromordinal(day.toordinal() + 1)
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def local_input(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(LOCAL_INPUT_FORMAT) if moment else ""


def filesize(size: int) -> str:
    locale = current_locale.get()
    if size < 1024:
        return gettext("%(n)s B", n=size)
    if size < 1024 * 1024:
        return gettext("%(n)s KB", n=format_number(size / 1024, locale, 1))
    return gettext("%(n)s MB", n=format_number(size / 1024 / 1024, locale, 1))


def int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def staff_choices(people: Iterable[Any]) -> list[tuple[int, str]]:
    """A staff pick list's (id, full name) options in the one order of every staff list: by full
    name, then id (``services.staff.people_by_name``)."""
    return [(p.id, p.full_name) for p in people_by_name(people)]
