"""«New outage»: the menu button, then emergency or planned, then the resource."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import outdated, settle
from handlers.dispatch.callbacks import StepAct, StepCallback
from handlers.dispatch.common import tr
from handlers.dispatch.states import Mode, OutageForm
from handlers.dispatch.steps import ask_addresses, ask_kind, ask_resource, resources_of
from models.enums import OutageKind
from porucheno.settings import Settings
from services.outages.card import kind_name, resource_label


async def start(message: Message, bot: Bot, state: FSMContext, i18n: I18n) -> None:
    await state.clear()
    await state.update_data(mode=Mode.NEW, buildings=[])
    await ask_kind(bot, message.chat.id, state, tr(i18n))


async def kind(
    query: CallbackQuery,
    callback_data: StepCallback,
    bot: Bot,
    state: FSMContext,
    i18n: I18n,
    settings: Settings,
) -> None:
    t = tr(i18n)
    if callback_data.value not in (OutageKind.ACCIDENT, OutageKind.PLANNED):
        await outdated(query)
        return
    await state.update_data(kind=callback_data.value)
    await query.answer()
    await settle(query, t("Type: %(kind)s", kind=kind_name(callback_data.value, t)))
    await ask_resource(bot, query.from_user.id, state, t, settings)


async def resource(
    query: CallbackQuery,
    callback_data: StepCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
) -> None:
    t = tr(i18n)
    # Only a configured resource counts, whatever the button says.
    if callback_data.value not in {r.code for r in resources_of(settings)}:
        await outdated(query)
        return
    await state.update_data(resource=callback_data.value)
    await query.answer()
    await settle(query, t("Resource: %(name)s", name=resource_label(callback_data.value, t)))
    await ask_addresses(bot, query.from_user.id, state, session, t)


async def buttons_expected(message: Message, i18n: I18n) -> None:
    t = tr(i18n)
    await message.answer(t("Please tap one of the buttons above. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="dispatch.new")
    router.callback_query.register(kind, OutageForm.kind, StepCallback.filter(F.act == StepAct.KIND))
    router.callback_query.register(
        resource, OutageForm.resource, StepCallback.filter(F.act == StepAct.RESOURCE)
    )
    router.message.register(buttons_expected, OutageForm.kind)
    router.message.register(buttons_expected, OutageForm.resource)
    return router
