"""Texts and keyboards of the events in the bot, in the reader's language and the configured zone."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.events.callbacks import Act, EventCallback
from models import EventRegistration, MuseumEvent
from models.enums import RegistrationStatus
from services.events.notices import when_text
from services.notify import NoticeContext, html_escape

BUTTON_TITLE = 40  # characters of a title on a button
DESCRIPTION_SHOWN = 1500


def seats_line(event: MuseumEvent, free: int | None) -> str:
    if free is None:
        return _("Seats: not limited")
    if free > 0:
        return _("Free seats: %(n)s of %(total)s") % {"n": free, "total": event.capacity}
    return _("No free seats: you can join the waiting list")


def short_title(event: MuseumEvent) -> str:
    return event.title if len(event.title) <= BUTTON_TITLE else event.title[: BUTTON_TITLE - 1] + "…"


def list_markup(events: list[tuple[MuseumEvent, int | None]], ctx: NoticeContext) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for event, free in events:
        mark = "⏳ " if free == 0 else ""
        label = f"{mark}{ctx.local(event.starts_at).strftime('%d.%m %H:%M')} · {short_title(event)}"
        builder.button(text=label, callback_data=EventCallback(action=Act.SHOW, id=event.id))
    builder.button(text=_("🎫 My registrations"), callback_data=EventCallback(action=Act.MINE))
    builder.adjust(1)
    return builder.as_markup()


def status_line(row: EventRegistration | None, number: int | None) -> str | None:
    if row is None or row.status == RegistrationStatus.CANCELLED:
        return None
    if row.status == RegistrationStatus.REGISTERED:
        return _("✅ You are registered.")
    return _("⏳ You are on the waiting list, number %(n)s.") % {"n": number}


def card_text(
    event: MuseumEvent,
    free: int | None,
    ctx: NoticeContext,
    row: EventRegistration | None,
    number: int | None,
) -> str:
    lines = [f"<b>{html_escape(event.title)}</b>"]
    if event.programme:
        lines.append(_("Programme: %(name)s") % {"name": html_escape(event.programme)})
    lines.append(_("When: %(when)s") % {"when": when_text(event, ctx)})
    if event.place:
        lines.append(_("Where: %(place)s") % {"place": html_escape(event.place)})
    lines.append(seats_line(event, free))
    if event.description:
        lines += ["", html_escape(event.description[:DESCRIPTION_SHOWN])]
    if (status := status_line(row, number)) is not None:
        lines += ["", status]
    return "\n".join(lines)


def card_markup(event: MuseumEvent, free: int | None, row: EventRegistration | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if row is None or row.status == RegistrationStatus.CANCELLED:
        label = _("✅ Register") if free is None or free > 0 else _("⏳ Join the waiting list")
        builder.button(text=label, callback_data=EventCallback(action=Act.REGISTER, id=event.id))
    else:
        builder.button(
            text=_("✖ Cancel my registration"), callback_data=EventCallback(action=Act.CANCEL, id=row.id)
        )
    builder.button(text=_("⬅ All events"), callback_data=EventCallback(action=Act.LIST))
    builder.adjust(1)
    return builder.as_markup()
