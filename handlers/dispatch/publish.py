"""The description, the preview with its counts, and «Publish»: the draft becomes an outage, the
residents' notices are queued, and the preview turns into the broadcast's progress message."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dispatch.callbacks import StepAct, StepCallback
from bot.dispatch.progress import card_markup, progress_text
from bot.dispatch.render import DESCRIPTION_LIMIT
from bot.dispatch.states import Mode, OutageForm
from bot.menu import Menu
from handlers.dispatch.common import alert, from_iso, ids, settle, show_in_place, tr
from handlers.dispatch.finish import back_to_menu, remove_confirmed
from handlers.dispatch.steps import ask_addresses, ask_description, ask_time, show_preview
from models import User, utcnow
from models.enums import OutageKind
from services import outbox
from services.errors import DomainError
from services.notify import NoticeContext
from services.outages import lifecycle, signals
from services.outages.notices import batch_name


async def described(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    notice_ctx: NoticeContext,
    i18n: I18n,
) -> None:
    t, text = tr(i18n), (message.text or "").strip()
    if len(text) > DESCRIPTION_LIMIT:
        await message.answer(t("The description is too long: at most %(n)s characters.", n=DESCRIPTION_LIMIT))
        return
    await state.update_data(description=text)
    await show_preview(bot, message.chat.id, state, session, t, notice_ctx)


async def no_description(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    notice_ctx: NoticeContext,
    i18n: I18n,
) -> None:
    t = tr(i18n)
    await state.update_data(description="")
    await query.answer()
    await settle(query, t("No description."))
    await show_preview(bot, query.from_user.id, state, session, t, notice_ctx)


async def description_expected(message: Message, i18n: I18n) -> None:
    t = tr(i18n)
    await message.answer(t("Please write the description as a text message, or tap «No description»."))


async def _drop_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass


async def publish(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    notice_ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
) -> None:
    t, chat_id, now = tr(i18n), query.from_user.id, utcnow()
    data = await state.get_data()
    kind, resource = str(data.get("kind")), str(data.get("resource"))
    starts_at, end = from_iso(data.get("starts_at")), from_iso(data.get("expected_end_at"))
    buildings = ids(data.get("buildings"))
    # The preview may have waited a while: a planned outage must still lie ahead.
    if starts_at is None or (kind == OutageKind.PLANNED and (end is None or end <= now)):
        await alert(query, t("The expected end of a planned outage must be in the future."))
        await _drop_buttons(query)
        await state.update_data(editing=True)
        await ask_time(bot, chat_id, state, t, "start")
        return
    message_id = query.message.message_id if isinstance(query.message, Message) else None
    try:
        if data.get("mode") == Mode.SIGNALS:
            outage = await signals.create_outage_from_signals(
                session,
                user,
                ids(data.get("signal_ids")),
                signals.SignalsOutage(
                    kind=kind,
                    resource=resource,
                    starts_at=starts_at,
                    expected_end_at=end,
                    description=str(data.get("description") or ""),
                    extra_building_ids=buildings,
                ),
            )
        else:
            outage = await lifecycle.create_outage(
                session,
                user,
                lifecycle.NewOutage(
                    kind=kind,
                    resource=resource,
                    building_ids=buildings,
                    starts_at=starts_at,
                    expected_end_at=end,
                    description=str(data.get("description") or ""),
                ),
            )
        result = await lifecycle.publish(
            session,
            notice_ctx,
            user,
            outage.id,
            progress_chat_id=chat_id if message_id else None,
            progress_message_id=message_id,
        )
    except DomainError as exc:
        await session.rollback()  # nothing half-made: no draft without its notices
        await alert(query, exc)
        await _drop_buttons(query)
        await show_preview(bot, chat_id, state, session, t, notice_ctx)
        return
    await query.answer(t("Published."))
    progress = await outbox.batch_progress(session, batch_name(outage.id, "publish"))
    text = await progress_text(session, outage, progress, t, notice_ctx)
    await show_in_place(query, bot, text, InlineKeyboardMarkup.model_validate(card_markup(outage.id, t)))
    await back_to_menu(
        bot,
        chat_id,
        state,
        user,
        menu,
        i18n,
        t("Outage №%(id)s is published. Notices queued for residents: %(n)s.", id=outage.id, n=result.queued),
    )


async def edit(
    query: CallbackQuery,
    callback_data: StepCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    i18n: I18n,
) -> None:
    t, chat_id = tr(i18n), query.from_user.id
    if callback_data.value not in ("addresses", "times", "text"):
        await alert(query, t("This button is outdated. Please use the current menu."))
        return
    await query.answer()
    await _drop_buttons(query)
    await state.update_data(editing=True)
    if callback_data.value == "addresses":
        await ask_addresses(bot, chat_id, state, session, t)
    elif callback_data.value == "times":
        await ask_time(bot, chat_id, state, t, "start")
    else:
        await ask_description(bot, chat_id, state, t)


async def cancel(
    query: CallbackQuery, bot: Bot, state: FSMContext, user: User, menu: Menu, i18n: I18n
) -> None:
    await query.answer()
    await _drop_buttons(query)
    t = tr(i18n)
    await back_to_menu(bot, query.from_user.id, state, user, menu, i18n, t("Action cancelled."))


async def remove_yes(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    notice_ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
) -> None:
    await query.answer()
    await _drop_buttons(query)
    await remove_confirmed(bot, query.from_user.id, state, session, user, tr(i18n), notice_ctx, menu, i18n)


async def buttons_expected(message: Message, i18n: I18n) -> None:
    t = tr(i18n)
    await message.answer(t("Please tap one of the buttons above. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="dispatch.publish")
    on = router.callback_query.register
    on(no_description, OutageForm.description, StepCallback.filter(F.act == StepAct.NO_TEXT))
    on(publish, OutageForm.preview, StepCallback.filter(F.act == StepAct.PUBLISH))
    on(edit, OutageForm.preview, StepCallback.filter(F.act == StepAct.EDIT))
    on(cancel, OutageForm.preview, StepCallback.filter(F.act == StepAct.CANCEL))
    on(remove_yes, OutageForm.remove_confirm, StepCallback.filter(F.act == StepAct.REMOVE_YES))
    on(cancel, OutageForm.remove_confirm, StepCallback.filter(F.act == StepAct.CANCEL))
    router.message.register(described, OutageForm.description, F.text, ~F.text.startswith("/"))
    router.message.register(description_expected, OutageForm.description)
    router.message.register(buttons_expected, OutageForm.preview)
    router.message.register(buttons_expected, OutageForm.remove_confirm)
    return router
