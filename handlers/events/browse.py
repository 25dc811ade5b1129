"""«🎟 Events»: the upcoming events with open registration, an event's card, registering (with the
consent to personal data for residents), «My registrations» and cancelling.

Every press reloads the event or the registration and asks the services again; a press on an old
card or a forged one is answered with a clear alert, never acted on blindly.
"""

from __future__ import annotations

import logging

from aiogram.types import CallbackQuery, Message
from aiogram.types import User as TgUser
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select

from bot.consent_prompt import channel as consent_channel
from bot.consent_prompt import prompt_text
from bot.i18n import N_
from bot.messages import alert, outdated, refuse, settle, show_in_place
from bot.turn import Turn
from handlers.events import render
from handlers.events.callbacks import Act, EventCallback, valid_id
from models import EventRegistration, MuseumEvent, TelegramAccount, User, utcnow
from models.enums import RegistrationStatus
from services.audit import Actor
from services.correspondents.contact import ContactInput
from services.correspondents.directory import find_or_create
from services.errors import DomainError
from services.events import registration
from services.events.events import free_seats, open_events, seats_taken
from services.events.notices import waiting_number
from services.notify import html_escape
from services.privacy import consent

log = logging.getLogger(__name__)
MINE_SHOWN = 15  # registrations in one «My registrations» message: well under Telegram's 4096 characters
GONE = N_("This event is no longer available.")


async def _own_registration(turn: Turn, event_id: int, telegram_id: int) -> EventRegistration | None:
    rows = await turn.session.scalars(
        select(EventRegistration)
        .where(
            EventRegistration.event_id == event_id, EventRegistration.status != RegistrationStatus.CANCELLED
        )
        .order_by(EventRegistration.id)
    )
    for row in rows.all():
        if await registration.owns(turn.session, row, telegram_id):
            return row
    return None


async def _list(turn: Turn) -> tuple[str, object]:
    shown = []
    for event in await open_events(turn.session):
        shown.append((event, free_seats(event, await seats_taken(turn.session, event.id))))
    if not shown:
        text = _("There are no upcoming events open for registration right now.")
    else:
        text = _(
            "<b>Upcoming events</b>\nChoose one to see the details and register. ⏳ — only the waiting list."
        )
    return text, render.list_markup(shown, turn.notice_ctx)


async def show_list(message: Message, turn: Turn) -> None:
    if turn.state is not None:
        await turn.state.clear()
    text, markup = await _list(turn)
    await message.answer(text, reply_markup=markup)  # type: ignore[arg-type]


async def list_again(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    text, markup = await _list(turn)
    await show_in_place(query, turn.bot, text, markup)  # type: ignore[arg-type]


async def _open_event(query: CallbackQuery, turn: Turn, event_id: int) -> MuseumEvent | None:
    event = await turn.session.get(MuseumEvent, event_id) if valid_id(event_id) else None
    if event is None:
        await refuse(query, _(GONE), logger=log)
        return None
    return event


async def _show_card(query: CallbackQuery, turn: Turn, event: MuseumEvent) -> None:
    row = await _own_registration(turn, event.id, query.from_user.id)
    number = (
        await waiting_number(turn.session, row)
        if row is not None and row.status == RegistrationStatus.WAITLIST
        else None
    )
    free = free_seats(event, await seats_taken(turn.session, event.id))
    text = render.card_text(event, free, turn.notice_ctx, row, number)
    if (reason := registration.refusal(event, utcnow())) is not None and row is None:
        text += "\n\n" + _(reason.message)
        markup = InlineKeyboardBuilder()
        markup.button(text=_("⬅ All events"), callback_data=EventCallback(action=Act.LIST))
        await show_in_place(query, turn.bot, text, markup.as_markup())
        return
    await show_in_place(query, turn.bot, text, render.card_markup(event, free, row))


async def show_event(query: CallbackQuery, callback_data: EventCallback, turn: Turn) -> None:
    if (event := await _open_event(query, turn, callback_data.id)) is None:
        return
    await query.answer()
    await _show_card(query, turn, event)


def _name(user: TgUser) -> str:
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip() or (
        user.username or str(user.id)
    )


async def _register(query: CallbackQuery, turn: Turn, event: MuseumEvent) -> None:
    telegram_id = query.from_user.id
    card = await find_or_create(
        turn.session,
        ContactInput(name=_name(query.from_user), telegram_id=telegram_id),
        actor=Actor(telegram_id=telegram_id),
    )
    try:
        row = await registration.register(
            turn.session,
            event_id=event.id,
            correspondent_id=card.id,
            actor=Actor(telegram_id=telegram_id),
            telegram_id=telegram_id,
            locale=turn.locale,
            ctx=turn.notice_ctx,
        )
    except DomainError as error:
        await alert(query, error)
        await _show_card(query, turn, event)
        return
    if row.status == RegistrationStatus.REGISTERED:
        await query.answer(_("You are registered."))
    else:
        await query.answer(_("You are on the waiting list."))
    await _show_card(query, turn, event)


async def register(
    query: CallbackQuery,
    callback_data: EventCallback,
    turn: Turn,
    account: TelegramAccount,
    user: User | None,
) -> None:
    if (event := await _open_event(query, turn, callback_data.id)) is None:
        return
    if (reason := registration.refusal(event, utcnow())) is not None:
        await alert(query, reason)
        await _show_card(query, turn, event)
        return
    text = await consent.current(turn.session, consent.ACTIVITIES)
    if user is None and not await consent.telegram_consented(
        turn.session, account.id, text.version, consent.ACTIVITIES
    ):
        await query.answer()
        purpose = _("To register you for «%(title)s» we keep your name and messenger account.") % {
            "title": html_escape(event.title)
        }
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("✅ I agree"), callback_data=EventCallback(action=Act.AGREE, id=event.id, v=text.version)
        )
        builder.button(
            text=_("✖ I decline"),
            callback_data=EventCallback(action=Act.DECLINE, id=event.id, v=text.version),
        )
        builder.adjust(1)
        await show_in_place(query, turn.bot, prompt_text(turn, text, purpose), builder.as_markup())
        return
    await _register(query, turn, event)


async def agree(
    query: CallbackQuery, callback_data: EventCallback, turn: Turn, account: TelegramAccount
) -> None:
    if await consent.by_version(turn.session, callback_data.v, consent.ACTIVITIES) is None:
        await outdated(query)
        return
    if (event := await _open_event(query, turn, callback_data.id)) is None:
        return
    await consent.log(
        turn.session,
        consent.ConsentEntry(
            channel=consent_channel(turn),
            version=callback_data.v,
            telegram_id=account.id,
            purpose=consent.ACTIVITIES,
        ),
    )
    await _register(query, turn, event)


async def decline(
    query: CallbackQuery, callback_data: EventCallback, turn: Turn, account: TelegramAccount
) -> None:
    if await consent.by_version(turn.session, callback_data.v, consent.ACTIVITIES) is not None:
        await consent.log(
            turn.session,
            consent.ConsentEntry(
                channel=consent_channel(turn),
                version=callback_data.v,
                decision=consent.REFUSED,
                telegram_id=account.id,
                purpose=consent.ACTIVITIES,
            ),
        )
    await query.answer()
    await settle(query, _("Without your consent we cannot register you; nothing has been kept."))


async def _mine(turn: Turn, telegram_id: int) -> tuple[str, object]:
    account = await turn.session.get(TelegramAccount, telegram_id)
    owner = EventRegistration.telegram_id == telegram_id
    if account is not None and account.correspondent_id is not None:
        owner = owner | (EventRegistration.correspondent_id == account.correspondent_id)
    rows = await turn.session.execute(
        select(EventRegistration, MuseumEvent)
        .join(MuseumEvent, MuseumEvent.id == EventRegistration.event_id)
        .where(
            owner, EventRegistration.status != RegistrationStatus.CANCELLED, MuseumEvent.starts_at > utcnow()
        )
        .order_by(MuseumEvent.starts_at)
        .limit(MINE_SHOWN)
    )
    builder = InlineKeyboardBuilder()
    lines = [_("<b>My registrations</b>")]
    found = rows.all()
    for row, event in found:
        number = (
            await waiting_number(turn.session, row) if row.status == RegistrationStatus.WAITLIST else None
        )
        lines += ["", f"<b>{html_escape(event.title)}</b>", render.when_text(event, turn.notice_ctx)]
        if event.cancelled_at is not None:
            lines.append(_("❌ The event is cancelled."))
            continue
        lines.append(render.status_line(row, number) or "")
        builder.button(
            text=_("✖ Cancel: %(title)s") % {"title": render.short_title(event)},
            callback_data=EventCallback(action=Act.CANCEL, id=row.id),
        )
    if not found:
        lines.append(_("You are not registered for any upcoming event."))
    builder.button(text=_("⬅ All events"), callback_data=EventCallback(action=Act.LIST))
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


async def show_mine(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    text, markup = await _mine(turn, query.from_user.id)
    await show_in_place(query, turn.bot, text, markup)  # type: ignore[arg-type]


async def _own_row(
    query: CallbackQuery, turn: Turn, registration_id: int
) -> tuple[EventRegistration, MuseumEvent] | None:
    row = await turn.session.get(EventRegistration, registration_id) if valid_id(registration_id) else None
    if row is None or not await registration.owns(turn.session, row, query.from_user.id):
        await refuse(query, _("This is not your registration."), logger=log)
        return None
    event = await turn.session.get(MuseumEvent, row.event_id)
    assert event is not None  # a registration's event is deleted with it
    if row.status == RegistrationStatus.CANCELLED:
        await alert(query, _("This registration is already cancelled."))
        await _show_card(query, turn, event)
        return None
    return row, event


async def ask_cancel(query: CallbackQuery, callback_data: EventCallback, turn: Turn) -> None:
    if (found := await _own_row(query, turn, callback_data.id)) is None:
        return
    row, event = found
    await query.answer()
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, cancel it"), callback_data=EventCallback(action=Act.CANCEL_YES, id=row.id))
    builder.button(text=_("No, keep it"), callback_data=EventCallback(action=Act.SHOW, id=event.id))
    builder.adjust(1)
    text = _("Cancel your registration for «%(title)s»?") % {"title": html_escape(event.title)}
    await show_in_place(query, turn.bot, text, builder.as_markup())


async def cancel(query: CallbackQuery, callback_data: EventCallback, turn: Turn) -> None:
    if (found := await _own_row(query, turn, callback_data.id)) is None:
        return
    row, event = found
    try:
        await registration.cancel_by_person(turn.session, row.id, query.from_user.id, turn.notice_ctx)
    except DomainError as error:
        await alert(query, error)
        return
    await query.answer(_("Your registration is cancelled."))
    await _show_card(query, turn, event)
