"""Steps 5–6: priority, then the confirmation card; «Create» re-validates everything and creates."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.messages import drop_buttons, outdated, settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.assignment_create import points
from handlers.assignment_create.callbacks import NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import (
    PRIORITIES,
    PRIORITY_LABELS,
    ask_deadline,
    ask_executor,
    ask_priority,
    deadline_of,
    show_confirm,
)
from models import User, utcnow
from services.appeals import workflow
from services.assignment_files import link_to_assignment
from services.assignments import commands
from services.errors import DomainError
from services.templates import assignments as templates


async def priority(query: CallbackQuery, callback_data: NewCallback, state: FSMContext, turn: Turn) -> None:
    chosen = next((p for p in PRIORITIES if p.value == callback_data.value), None)
    if chosen is None:
        await outdated(query)
        return
    await state.update_data(priority=chosen.value)
    await query.answer()
    await settle(query, _("Priority: %(name)s") % {"name": _(PRIORITY_LABELS[chosen])})
    await show_confirm(turn)


async def priority_hint(message: Message, turn: Turn) -> None:
    await ask_priority(turn)


async def create(query: CallbackQuery, state: FSMContext, user: User, turn: Turn) -> None:
    bot, chat_id, session = turn.bot, turn.chat_id, turn.session
    data = await state.get_data()
    await query.answer()
    await drop_buttons(query)
    if data.get("points"):
        await points.create(query, state, user, turn)
        return
    deadline = deadline_of(data)
    # The card may have waited a while: the deadline and the executor are checked again now.
    if deadline is None or deadline <= utcnow():
        await bot.send_message(chat_id, _("The deadline has already passed. Choose a new one."))
        await state.update_data(editing=True)
        await ask_deadline(turn)
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
        await ask_executor(turn)
        return
    try:
        assignment = await workflow.create_linked_assignment(
            session,
            user,
            commands.NewAssignment(
                title=str(data.get("title") or ""),
                text=str(data.get("body") or ""),
                deadline=deadline,
                executor_id=executor_id,
                department_id=dept_id,
                priority=str(data.get("priority") or "normal"),
                appeal_id=appeal_id if isinstance(appeal_id := data.get("appeal_id"), int) else None,
            ),
            notify=turn.notice_ctx,
        )
    except DomainError as exc:
        await bot.send_message(chat_id, domain_error_text(exc))
        await show_confirm(turn)
        return
    await link_to_assignment(session, assignment.id, data.get("files") or [], uploaded_by_user_id=user.id)
    if isinstance(template_id := data.get("template_id"), int):
        await templates.copy_checklist(session, assignment.id, template_id)
    await state.clear()
    await bot.send_message(
        chat_id,
        _("Assignment №%(id)s created. The executor will get it in the messenger.") % {"id": assignment.id},
        reply_markup=turn.menu.keyboard(user, turn.i18n),
    )


async def change_deadline(query: CallbackQuery, state: FSMContext, turn: Turn) -> None:
    await query.answer()
    await drop_buttons(query)
    await state.update_data(editing=True)
    await ask_deadline(turn)


async def cancel(query: CallbackQuery, state: FSMContext, user: User, turn: Turn) -> None:
    await state.clear()
    await query.answer()
    await drop_buttons(query)
    await turn.bot.send_message(
        turn.chat_id, _("Action cancelled."), reply_markup=turn.menu.keyboard(user, turn.i18n)
    )


async def confirm_hint(message: Message, turn: Turn) -> None:
    await show_confirm(turn)


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
