"""«New outage»: the menu button, then emergency or planned, then the resource."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.messages import outdated, settle
from bot.turn import Turn
from handlers.dispatch.callbacks import StepAct, StepCallback
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import ask_addresses, ask_kind, ask_resource, resources_of
from models.enums import OutageKind
from porucheno.settings import Settings
from services.outages.card import kind_name, resource_label


async def start(message: Message, turn: Turn) -> None:
    state = turn.fsm
    await state.clear()
    await state.update_data(mode=Mode.NEW, buildings=[])
    await ask_kind(turn)


async def kind(query: CallbackQuery, callback_data: StepCallback, turn: Turn, settings: Settings) -> None:
    t = turn.t
    if callback_data.value not in (OutageKind.ACCIDENT, OutageKind.PLANNED):
        await outdated(query)
        return
    await turn.fsm.update_data(kind=callback_data.value)
    await query.answer()
    await settle(query, t("Type: %(kind)s", kind=kind_name(callback_data.value, t)))
    await ask_resource(turn, settings)


async def resource(query: CallbackQuery, callback_data: StepCallback, turn: Turn, settings: Settings) -> None:
    t = turn.t
    # Only a configured resource counts, whatever the button says.
    if callback_data.value not in {r.code for r in resources_of(settings)}:
        await outdated(query)
        return
    await turn.fsm.update_data(resource=callback_data.value)
    await query.answer()
    await settle(query, t("Resource: %(name)s", name=resource_label(callback_data.value, t)))
    await ask_addresses(turn)


async def buttons_expected(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please tap one of the buttons above. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="dispatch.new")
    router.callback_query.register(kind, OutageForm.kind, StepCallback.filter(F.act == StepAct.KIND))
    router.callback_query.register(
        resource, OutageForm.resource, StepCallback.filter(F.act == StepAct.RESOURCE)
    )
    router.message.register(buttons_expected, OutageForm.kind)
    router.message.register(buttons_expected, OutageForm.resource)
    return router
