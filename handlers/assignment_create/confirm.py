"""Steps 5–6: priority, then the confirmation card; «Create» re-validates everything and creates."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.create_callbacks import NewAct, NewCallback
from bot.create_states import CreateAssignment
from bot.menu import Menu
from bot.texts import domain_error_text
from handlers.assignment_create.steps import (
    PRIORITIES,
    PRIORITY_LABELS,
    ask_deadline,
    ask_executor,
    ask_priority,
    deadline_of,
    drop_buttons,
    settle,
    show_confirm,
)
from models import User, utcnow
from services.assignment_files import link_to_assignment
from services.assignments import commands
from services.errors import DomainError
from services.notify import NoticeContext


async def priority(
    query: CallbackQuery,
    callback_data: NewCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    notice_ctx: NoticeContext,
) -> None:
    chosen = next((p for p in PRIORITIES if p.value == callback_data.value), None)
    if chosen is None:
        await query.answer(_("This button is outdated. Please use the current menu."), show_alert=True)
        return
    await state.update_data(priority=chosen.value)
    await query.answer()
    await settle(query, _("Priority: {name}").format(name=_(PRIORITY_LABELS[chosen])))
    await show_confirm(bot, query.from_user.id, state, session, notice_ctx)


async def priority_hint(message: Message, bot: Bot, state: FSMContext) -> None:
    await ask_priority(bot, message.chat.id, state)


async def create(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    notice_ctx: NoticeContext,
    menu: Menu,
    i18n: I18n,
) -> None:
    chat_id = query.from_user.id
    data = await state.get_data()
    await query.answer()
    await drop_buttons(query)
    deadline = deadline_of(data)
    # The card may have waited a while: the deadline and the executor are checked again now.
    if deadline is None or deadline <= utcnow():
        await bot.send_message(chat_id, _("The deadline has already passed. Choose a new one."))
        await state.update_data(editing=True)
        await ask_deadline(bot, chat_id, state, notice_ctx)
        return
    dept_id, executor_id = data.get("department_id"), data.get("executor_id")
    if isinstance(dept_id, int):
        executor_id = None
    else:
        dept_id = None
        executor_id = executor_id if isinstance(executor_id, int) else None
    if await commands.receiver(session, executor_id=executor_id, department_id=dept_id) is None:
        await bot.send_message(
            chat_id, _("The chosen executor can no longer receive assignments. Choose again.")
        )
        await state.update_data(editing=True)
        await ask_executor(bot, chat_id, state, session)
        return
    try:
        assignment = await commands.create(
            session,
            user,
            commands.NewAssignment(
                title=str(data.get("title") or ""),
                text=str(data.get("body") or ""),
                deadline=deadline,
                executor_id=executor_id,
                department_id=dept_id,
                priority=str(data.get("priority") or "normal"),
            ),
            notify=notice_ctx,
        )
    except DomainError as exc:
        await bot.send_message(chat_id, domain_error_text(exc))
        await show_confirm(bot, chat_id, state, session, notice_ctx)
        return
    await link_to_assignment(session, assignment.id, data.get("files") or [], uploaded_by_user_id=user.id)
    await state.clear()
    await bot.send_message(
        chat_id,
        _("Assignment №{id} created. The executor will get it in Telegram.").format(id=assignment.id),
        reply_markup=menu.keyboard(user, i18n),
    )


async def change_deadline(
    query: CallbackQuery, bot: Bot, state: FSMContext, notice_ctx: NoticeContext
) -> None:
    await query.answer()
    await drop_buttons(query)
    await state.update_data(editing=True)
    await ask_deadline(bot, query.from_user.id, state, notice_ctx)


async def cancel(
    query: CallbackQuery, state: FSMContext, user: User, menu: Menu, i18n: I18n, bot: Bot
) -> None:
    await state.clear()
    await query.answer()
    await drop_buttons(query)
    await bot.send_message(query.from_user.id, _("Action cancelled."), reply_markup=menu.keyboard(user, i18n))


async def confirm_hint(
    message: Message, bot: Bot, state: FSMContext, session: AsyncSession, notice_ctx: NoticeContext
) -> None:
    await show_confirm(bot, message.chat.id, state, session, notice_ctx)


def create_router() -> Router:
    router = Router(name="assignment_create.confirm")
    on = router.callback_query.register
    on(priority, CreateAssignment.priority, NewCallback.filter(F.act == NewAct.PRIORITY))
    on(create, CreateAssignment.confirm, NewCallback.filter(F.act == NewAct.CREATE))
    on(change_deadline, CreateAssignment.confirm, NewCallback.filter(F.act == NewAct.REDATE))
    on(cancel, CreateAssignment.confirm, NewCallback.filter(F.act == NewAct.CANCEL))
    router.message.register(priority_hint, CreateAssignment.priority)
    router.message.register(confirm_hint, CreateAssignment.confirm)
    return router
