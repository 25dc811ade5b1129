"""«Report an outage»: resource → address → optional comment → confirm → the dispatcher's queue.

«Other: a tree, a road, a sewer…» instead of a resource asks the kind of problem and queues an incident
report (``services.incidents.signals``) the dispatcher sees under «Incidents».

The conversation keeps only ids and texts in the FSM data; the building is reloaded and the report
checked by the service when it is sent. Several reports about one house and resource are grouped in
the dispatcher's queue by the service; a repeated one from the same resident is not doubled.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem, Translated
from bot.messages import alert, drop_buttons, outdated, settle, show_in_place
from bot.turn import Turn
from handlers.residents.callbacks import AddressCallback, Goal, SignalAct, SignalFormCallback
from handlers.residents.incident_texts import (
    RESIDENT_KINDS,
    incident_card,
    kinds_choice,
    kinds_prompt,
    with_other,
)
from handlers.residents.lookup import NotMenuButton, address_expected, building_from_text, offer_nearest
from handlers.residents.states import SignalForm
from handlers.residents.texts import (
    NO_COMMENT,
    address_choice,
    address_text,
    comment_keyboard,
    format_hint,
    location_keyboard,
    raw_address_button,
    resource_choice,
    resource_label,
    signal_buttons,
    signal_card,
)
from models import Building, TelegramAccount
from services.errors import DomainError
from services.incidents.journal import INCIDENT_SIGNAL
from services.incidents.kinds import kind_label
from services.incidents.signals import report_incident_signal
from services.outages.notices import address
from services.outages.resources import enabled_resources
from services.outages.signals import TEXT_LIMIT, report_signal
from services.outages.subscriptions import subscriptions_of

REPORT = MenuItem(
    "resident_report",
    N_("Report an outage"),
    residents=True,
    hint=N_("tell the duty dispatch service that a utility is cut off"),
    order=42,
)


async def start_report(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(SignalForm.resource)
    await message.answer(
        _("What is missing? Choose below. To cancel, send /cancel."),
        reply_markup=with_other(resource_choice()),
    )


async def picked_resource(
    query: CallbackQuery,
    callback_data: SignalFormCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
) -> None:
    if await state.get_state() != SignalForm.resource.state:
        await outdated(query)
        return
    if callback_data.value not in {r.code for r in enabled_resources()}:
        await outdated(query)
        return
    await state.update_data(resource=callback_data.value, incident_kind=None)
    await query.answer()
    await settle(
        query, _("What is missing: %(resource)s") % {"resource": resource_label(callback_data.value)}
    )
    await _ask_address(bot, query.from_user.id, state, session, account)


async def picked_other(query: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    """«Other»: not a utility but a fallen tree, a road, a sewer… (an incident for the ЕДДС)."""
    if await state.get_state() != SignalForm.resource.state:
        await outdated(query)
        return
    await state.set_state(SignalForm.incident_kind)
    await query.answer()
    await show_in_place(query, bot, kinds_prompt(), kinds_choice())


async def picked_kind(
    query: CallbackQuery,
    callback_data: SignalFormCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
) -> None:
    if await state.get_state() != SignalForm.incident_kind.state or callback_data.value not in RESIDENT_KINDS:
        await outdated(query)
        return
    await state.update_data(resource=INCIDENT_SIGNAL, incident_kind=callback_data.value)
    await query.answer()
    await settle(query, _("What happened: %(kind)s") % {"kind": kind_label(callback_data.value, _)})
    await _ask_address(bot, query.from_user.id, state, session, account)


async def _ask_address(
    bot: Bot, chat_id: int, state: FSMContext, session: AsyncSession, account: TelegramAccount
) -> None:
    await state.set_state(SignalForm.address)
    await bot.send_message(
        chat_id,
        _("At which address? Type it or share your location.") + "\n" + format_hint(),
        reply_markup=location_keyboard(),
    )
    mine = await subscriptions_of(session, account.id)
    if mine:
        await bot.send_message(
            chat_id,
            _("Or choose one of your addresses:"),
            reply_markup=address_choice(Goal.REPORT, mine),
        )


async def _ask_comment(
    bot: Bot, chat_id: int, state: FSMContext, building: Building | None, raw: str
) -> None:
    await state.update_data(
        building=building.id if building is not None else None,
        address=address(building) if building is not None else raw,
    )
    await state.set_state(SignalForm.comment)
    where = address_text(building) if building is not None else _("%(address)s (as typed)") % {"address": raw}
    if (await state.get_data()).get("incident_kind"):
        ask = _(
            "Describe the problem for the dispatcher: what exactly, since when, whether it blocks the way. "
            "Or press «%(button)s»."
        )
    else:
        ask = _(
            "Add a comment for the dispatcher if you like: since when, which entrance or floor. "
            "Or press «%(button)s»."
        )
    await bot.send_message(
        chat_id,
        _("Address: %(address)s") % {"address": where} + "\n\n" + ask % {"button": _(NO_COMMENT)},
        reply_markup=comment_keyboard(),
    )


async def address_typed(message: Message, bot: Bot, state: FSMContext, session: AsyncSession) -> None:
    text = (message.text or "").strip()
    await state.update_data(raw=text[:500])
    building = await building_from_text(
        message,
        session,
        Goal.REPORT,
        not_found=(
            _("If the address is right, send it as typed: the dispatcher will check it."),
            raw_address_button(),
        ),
    )
    if building is not None:
        await _ask_comment(bot, message.chat.id, state, building, text)


async def address_location(message: Message, session: AsyncSession) -> None:
    await offer_nearest(message, session, Goal.REPORT)


async def address_picked(
    query: CallbackQuery, callback_data: AddressCallback, bot: Bot, state: FSMContext, session: AsyncSession
) -> None:
    if await state.get_state() != SignalForm.address.state:
        await outdated(query)
        return
    building = await session.get(Building, callback_data.id)
    if building is None:
        await alert(query, _("This address is no longer in the register."))
        return
    await query.answer()
    await _ask_comment(bot, query.from_user.id, state, building, address(building))


async def address_raw(query: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    raw = str((await state.get_data()).get("raw") or "")
    if await state.get_state() != SignalForm.address.state or not raw:
        await outdated(query)
        return
    await query.answer()
    await _ask_comment(bot, query.from_user.id, state, None, raw)


async def _confirm(bot: Bot, chat_id: int, state: FSMContext, comment: str) -> None:
    await state.update_data(comment=comment)
    await state.set_state(SignalForm.confirm)
    data = await state.get_data()
    card = incident_card(data) if data.get("incident_kind") else signal_card(data)
    await bot.send_message(chat_id, card, reply_markup=signal_buttons())


async def comment_typed(message: Message, bot: Bot, state: FSMContext) -> None:
    comment = (message.text or "").strip()
    if len(comment) > TEXT_LIMIT:
        await message.answer(
            _("The comment is too long: at most %(n)s characters. Please shorten it.") % {"n": TEXT_LIMIT}
        )
        return
    await _confirm(bot, message.chat.id, state, comment)


async def comment_skipped(message: Message, bot: Bot, state: FSMContext) -> None:
    await _confirm(bot, message.chat.id, state, "")


async def comment_expected(message: Message) -> None:
    await message.answer(
        _("Please write the comment as text or press «%(button)s». To cancel, send /cancel.")
        % {"button": _(NO_COMMENT)}
    )


async def confirm_expected(message: Message) -> None:
    await message.answer(_("Please press «Send» or «Cancel» under your report."))


async def send(query: CallbackQuery, turn: Turn, state: FSMContext, account: TelegramAccount) -> None:
    # A second tap finds the conversation over: the report is not sent twice.
    if await state.get_state() != SignalForm.confirm.state:
        await outdated(query)
        return
    data = await state.get_data()
    incident_kind = data.get("incident_kind")
    try:
        if incident_kind:
            signal = await report_incident_signal(
                turn.session,
                account.id,
                data.get("building"),
                None if data.get("building") else data.get("address"),
                str(incident_kind),
                data.get("comment") or "",
            )
        else:
            signal = await report_signal(
                turn.session,
                account.id,
                data.get("building"),
                None if data.get("building") else data.get("address"),
                data["resource"],
                data.get("comment") or "",
            )
    except DomainError as exc:
        await alert(query, exc)
        return
    # Saved before the resident is told so: a thank-you must never precede a lost report.
    await turn.session.commit()
    await state.clear()
    await query.answer()
    await drop_buttons(query)
    if incident_kind:
        thanks = _(
            "Thank you! Your report №%(id)s has been passed to the duty dispatch service. "
            "When the problem is dealt with, you will get a notice in this chat."
        )
    else:
        thanks = _(
            "Thank you! Your report №%(id)s has been passed to the duty dispatch service. "
            "When the supply is restored, you will get a notice in this chat."
        )
    await turn.bot.send_message(
        turn.chat_id,
        thanks % {"id": signal.id},
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )


async def cancel(query: CallbackQuery, turn: Turn, state: FSMContext) -> None:
    if await state.get_state() != SignalForm.confirm.state:
        await outdated(query)
        return
    await state.clear()
    await query.answer()
    await drop_buttons(query)
    await turn.bot.send_message(
        turn.chat_id, _("The report is cancelled."), reply_markup=turn.menu.keyboard(turn.user, turn.i18n)
    )


def create_router() -> Router:
    router = Router(name="resident_report")
    router.message.register(start_report, MenuButton(REPORT.key))
    router.callback_query.register(picked_resource, SignalFormCallback.filter(F.act == SignalAct.RESOURCE))
    router.callback_query.register(picked_other, SignalFormCallback.filter(F.act == SignalAct.OTHER))
    router.callback_query.register(picked_kind, SignalFormCallback.filter(F.act == SignalAct.INCIDENT_KIND))
    router.message.register(address_location, SignalForm.address, F.location)
    router.message.register(address_typed, SignalForm.address, F.text, NotMenuButton())
    router.message.register(address_expected, SignalForm.address, ~F.text)
    router.callback_query.register(
        address_picked, AddressCallback.filter((F.goal == Goal.REPORT) & (F.id > 0))
    )
    router.callback_query.register(address_raw, SignalFormCallback.filter(F.act == SignalAct.RAW))
    router.message.register(comment_skipped, SignalForm.comment, Translated(NO_COMMENT))
    router.message.register(comment_typed, SignalForm.comment, F.text, NotMenuButton())
    router.message.register(comment_expected, SignalForm.comment, ~F.text)
    router.message.register(confirm_expected, SignalForm.confirm, NotMenuButton())
    router.callback_query.register(send, SignalFormCallback.filter(F.act == SignalAct.SEND))
    router.callback_query.register(cancel, SignalFormCallback.filter(F.act == SignalAct.CANCEL))
    return router
