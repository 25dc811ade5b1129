"""Step 2: the executor, from a department's people, the department itself (its head), or a search."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import settle, show_in_place
from bot.pickers import PickAct, PickCallback, departments_markup, people_markup, search_markup, short
from bot.texts import quote
from bot.turn import Turn
from handlers.assignment_create.callbacks import CREATE_SCOPE
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import (
    ask_deadline,
    executor_prompt,
    show_confirm,
)
from services import directory


async def pick(query: CallbackQuery, callback_data: PickCallback, state: FSMContext, turn: Turn) -> None:
    session = turn.session
    act = callback_data.act
    if act == PickAct.DEPTS:
        departments = await directory.active_departments(session)
        await query.answer()
        await show_in_place(
            query,
            turn.bot,
            executor_prompt(),
            departments_markup(CREATE_SCOPE, departments, callback_data.page),
        )
        return
    if act in (PickAct.DEPT, PickAct.HEAD):
        dept = await directory.active_department(session, callback_data.id)
        if dept is None:
            await query.answer(_("Department not found."), show_alert=True)
            return
        head = await directory.department_head(session, dept)
        if act == PickAct.DEPT:
            people = await directory.department_members(session, dept.id)
            await query.answer()
            text = _("<b>%(department)s</b>: choose the executor.") % {"department": quote(dept.name)}
            await show_in_place(
                query, turn.bot, text, people_markup(CREATE_SCOPE, dept, head, people, callback_data.page)
            )
            return
        if head is None:
            await query.answer(
                _("The department has no head to receive the assignment; choose an executor."),
                show_alert=True,
            )
            return
        await state.update_data(executor_id=None, department_id=dept.id)
        label = _("%(name)s (head of the department)") % {"name": quote(head.full_name)}
        await _chosen(query, state, turn, label)
        return
    if act == PickAct.USER:
        user = await directory.active_user(session, callback_data.id)
        if user is None:
            await query.answer(_("User not found."), show_alert=True)
            return
        await state.update_data(executor_id=user.id, department_id=None)
        await _chosen(query, state, turn, quote(user.full_name))
        return
    await query.answer()  # page counters and blank cells


async def _chosen(query: CallbackQuery, state: FSMContext, turn: Turn, label: str) -> None:
    await query.answer()
    await settle(query, _("Executor: %(name)s") % {"name": label})
    if (await state.get_data()).get("editing"):
        await show_confirm(turn)
    else:
        await ask_deadline(turn)


async def search(message: Message, session: AsyncSession) -> None:
    fragment = (message.text or "").strip()
    if len(fragment) < directory.MIN_FRAGMENT:
        await message.answer(_("Type at least %(n)s letters of the name.") % {"n": directory.MIN_FRAGMENT})
        return
    found = await directory.search_staff(session, fragment, limit=directory.SEARCH_LIMIT + 1)
    departments = await directory.active_departments(session)
    if not found:
        await message.answer(
            _("Nobody found for «%(query)s». Try another part of the name or choose a department.")
            % {"query": quote(short(fragment))},
            reply_markup=departments_markup(CREATE_SCOPE, departments) if departments else None,
        )
        return
    shown = found[: directory.SEARCH_LIMIT]
    text = _("Found: %(n)s. Choose the executor:") % {"n": len(shown)}
    if len(found) > len(shown):
        text += "\n" + _("Only the first %(n)s are shown; type more of the name to narrow the search.") % {
            "n": len(shown)
        }
    names = {d.id: short(d.short_name or d.name, 24) for d in departments}
    await message.answer(text, reply_markup=search_markup(CREATE_SCOPE, shown, names))


async def hint(message: Message) -> None:
    await message.answer(_("I am waiting for the executor.") + "\n\n" + executor_prompt())


def create_router() -> Router:
    router = Router(name="assignment_create.executor")
    router.callback_query.register(
        pick, CreateAssignment.executor, PickCallback.filter(F.scope == CREATE_SCOPE)
    )
    router.message.register(search, CreateAssignment.executor, F.text, ~F.text.startswith("/"))
    router.message.register(hint, CreateAssignment.executor)
    return router
