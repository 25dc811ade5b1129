"""An event's page: its registrations and waiting list, the clerk's actions on them (cancel, promote,
came / did not come, everyone at once) and the list as XLSX.

Every action reloads the registration and checks it belongs to the event of the URL; the services
re-check the role. A refusal comes back as a message above the page, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import select

from admin_web.exports import table_response
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user, notice_context, zone
from admin_web.views.events.common import attendance_label, event_of, event_url, status_label
from models import Correspondent, EventRegistration, User
from models.enums import RegistrationStatus, Role
from services.errors import DomainError
from services.events import registration
from services.events.events import counts

ATTENDANCE_VALUES = {"1": True, "0": False, "": None}


async def _rows(request: web.Request, event_id: int) -> list[tuple[EventRegistration, Correspondent]]:
    result = await request[DB_KEY].execute(
        select(EventRegistration, Correspondent)
        .join(Correspondent, Correspondent.id == EventRegistration.correspondent_id)
        .where(EventRegistration.event_id == event_id)
        .order_by(EventRegistration.created_at, EventRegistration.id)
    )
    return [(r, c) for r, c in result.all()]


@requires_role(Role.MANAGER, Role.CLERK)
async def event_page(request: web.Request) -> web.StreamResponse:
    event = await event_of(request)
    rows = await _rows(request, event.id)
    by_status: dict[str, list[tuple[EventRegistration, Correspondent]]] = {s: [] for s in RegistrationStatus}
    for row, card in rows:
        by_status[row.status].append((row, card))
    return await render(
        request,
        "events/event.html",
        {
            "event": event,
            "counts": (await counts(request[DB_KEY], [event.id]))[event.id],
            "registered": by_status[RegistrationStatus.REGISTERED],
            "waiting": by_status[RegistrationStatus.WAITLIST],
            "cancelled": by_status[RegistrationStatus.CANCELLED],
            "attendance_label": attendance_label,
            "section": "events",
        },
    )


Step = Callable[[web.Request, User, EventRegistration], Awaitable[str]]


def _registration_action(step: Step):  # type: ignore[no-untyped-def]
    @requires_role(Role.MANAGER, Role.CLERK)
    async def handler(request: web.Request) -> web.StreamResponse:
        db = request[DB_KEY]
        event = await event_of(request)
        raw = request.match_info["registration_id"]
        row = await db.get(EventRegistration, int(raw)) if len(raw) <= 18 else None
        if row is None or row.event_id != event.id:
            raise web.HTTPNotFound()
        try:
            notice = await step(request, await acting_user(request), row)
            await db.commit()
        except DomainError as exc:
            await db.rollback()
            notice = translate_error(exc.message, exc.params)
        await flash(request, notice)
        raise web.HTTPSeeOther(event_url(request, event.id) + f"#registration-{row.id}")

    return handler


async def _cancel(request: web.Request, user: User, row: EventRegistration) -> str:
    await registration.cancel_by_clerk(request[DB_KEY], user, row.id, notice_context(request))
    return gettext("The registration is cancelled; the person is told.")


async def _promote(request: web.Request, user: User, row: EventRegistration) -> str:
    await registration.promote_manually(request[DB_KEY], user, row.id, notice_context(request))
    return gettext("The person has a seat now and is told.")


async def _attendance(request: web.Request, user: User, row: EventRegistration) -> str:
    value = str((await request.post()).get("attended") or "")
    if value not in ATTENDANCE_VALUES:
        return gettext("Choose a value from the list.")
    await registration.mark_attendance(request[DB_KEY], user, row.id, ATTENDANCE_VALUES[value])
    return gettext("Attendance marked.")


ACTIONS = {
    "cancel": _registration_action(_cancel),
    "promote": _registration_action(_promote),
    "attendance": _registration_action(_attendance),
}


@requires_role(Role.MANAGER, Role.CLERK)
async def attendance_all(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    event = await event_of(request)
    value = str((await request.post()).get("attended") or "")
    if value not in ("1", "0"):
        raise web.HTTPBadRequest(text=gettext("Choose a value from the list."))
    try:
        marked = await registration.mark_all(db, await acting_user(request), event.id, value == "1")
        await db.commit()
    except DomainError as exc:
        await db.rollback()
        raise web.HTTPForbidden(text=translate_error(exc.message, exc.params)) from None
    await flash(request, gettext("Attendance marked for %(n)s people.", n=marked))
    raise web.HTTPSeeOther(event_url(request, event.id))


EXPORT_HEADER = (
    N_("No."),
    N_("Participant"),
    N_("Phone"),
    N_("E-mail"),
    N_("Telegram"),
    N_("Seats"),
    N_("Status"),
    N_("Registered at"),
    N_("Attendance"),
)


@requires_role(Role.MANAGER, Role.CLERK)
async def event_export(request: web.Request) -> web.StreamResponse:
    event = await event_of(request)
    tz = zone(request)
    rows = []
    for number, (row, card) in enumerate(await _rows(request, event.id), start=1):
        rows.append(
            [
                number,
                card.name,
                card.phone or "",
                row.email or card.email or "",
                "" if row.telegram_id is None else str(row.telegram_id),
                row.seats,
                status_label(row.status),
                row.created_at.astimezone(tz).replace(tzinfo=None),
                attendance_label(row.attended) if row.status == RegistrationStatus.REGISTERED else "",
            ]
        )
    header = [gettext(h) for h in EXPORT_HEADER]
    # The workbook is built in a thread: a long list must not stall the panel's event loop.
    return await table_response(
        request,
        "xlsx",
        f"event-{event.id}",
        header,
        rows,
        sheet=gettext("Registrations"),
        widths=(5, 30, 18, 26, 14, 7, 16, 18, 14),
    )
