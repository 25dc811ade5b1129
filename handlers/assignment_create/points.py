"""Multi-point assignments in the bot, reusing this conversation's text, executor and deadline steps.

* «➕ One more point» on the confirmation card: the draft so far becomes point 1 (its title, executor
  and deadline), the draft's text becomes the common text; each further point asks text → executor
  → deadline and comes back to the card, which lists the points. «Create» makes the parent and its
  points (:func:`services.assignments.points.create`).
* «➕ Add a point» on the card of an existing multi-point assignment (``asg:addpt:<id>``, drawn by
  handlers/assignments/cards.py): text → executor → deadline → confirm → :func:`points.add_point`.

The draft keeps ``adding_point`` while a point's steps run, and ``add_to`` (the parent's id) in the
second case; the services re-check the rights, the executor and the deadlines on «Create» / «Add».
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy import func, select

from bot.messages import drop_buttons
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.assignment_create.callbacks import NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import cancel_keyboard, deadline_of, point_lines, show_confirm
from models import Assignment, User
from services.assignment_files import link_to_assignment
from services.assignments import points as service
from services.errors import DomainError

ADD_DATA = re.compile(r"^asg:addpt:(\d{1,18})$")


def _state(turn: Turn) -> FSMContext:
    assert turn.state is not None
    return turn.state


def _ids(data: dict[str, Any]) -> tuple[int | None, int | None]:
    dept_id, executor_id = data.get("department_id"), data.get("executor_id")
    if isinstance(dept_id, int):
        return None, dept_id
    return (executor_id if isinstance(executor_id, int) else None), None


async def ask_point_text(turn: Turn, no: int) -> None:
    await _state(turn).set_state(CreateAssignment.text)
    await turn.bot.send_message(
        turn.chat_id,
        _(
            "<b>Point %(no)s</b>\n\nWrite the point. The first line becomes its title, "
            "the rest its description.\n\nTo cancel, send /cancel."
        )
        % {"no": no},
        reply_markup=cancel_keyboard(),
    )


async def more_point(query: CallbackQuery, state: FSMContext, turn: Turn) -> None:
    """The draft turns into a multi-point one: what was chosen so far is point 1."""
    data = await state.get_data()
    drafts = list(data.get("points") or [])
    if not drafts:
        executor_id, dept_id = _ids(data)
        drafts.append(
            {
                "title": data.get("title"),
                "executor_id": executor_id,
                "department_id": dept_id,
                "deadline": data.get("deadline"),
            }
        )
    # An appeal is linked to one assignment with one executor: a multi-point draft drops it.
    await state.update_data(points=drafts, adding_point=True, appeal_id=None, appeal_number=None)
    await query.answer()
    await drop_buttons(query)
    await ask_point_text(turn, len(drafts) + 1)


async def point_ready(turn: Turn) -> None:
    """The point's deadline is chosen: back to the draft's card, or to the added point's card."""
    state = _state(turn)
    data = await state.get_data()
    executor_id, dept_id = _ids(data)
    point = {
        "title": data.get("pt_title"),
        "body": data.get("pt_body"),
        "executor_id": executor_id,
        "department_id": dept_id,
        "deadline": data.get("deadline"),
    }
    if isinstance(data.get("add_to"), int):
        await state.update_data(point=point, adding_point=False)
        await _show_add_confirm(turn, data["add_to"], point)
        return
    await state.update_data(points=[*list(data.get("points") or []), point], adding_point=False)
    await show_confirm(turn)


def _new_point(point: dict[str, Any]) -> service.NewPoint:
    deadline = deadline_of(point)
    assert deadline is not None  # the deadline step stored it before the point was kept
    return service.NewPoint(
        title=str(point.get("title") or ""),
        text=str(point.get("body") or ""),
        deadline=deadline,
        executor_id=point.get("executor_id"),
        department_id=point.get("department_id"),
    )


async def create(query: CallbackQuery, state: FSMContext, user: User, turn: Turn) -> None:
    """«Create» on a multi-point draft (called by confirm.create)."""
    data = await state.get_data()
    try:
        parent = await service.create(
            turn.session,
            user,
            service.NewParent(
                title=str(data.get("title") or ""),
                text=str(data.get("body") or ""),
                points=[_new_point(p) for p in data.get("points") or []],
                priority=str(data.get("priority") or "normal"),
            ),
            notify=turn.notice_ctx,
        )
    except DomainError as exc:
        await turn.bot.send_message(turn.chat_id, domain_error_text(exc))
        await show_confirm(turn)
        return
    await link_to_assignment(turn.session, parent.id, data.get("files") or [], uploaded_by_user_id=user.id)
    await state.clear()
    await turn.bot.send_message(
        turn.chat_id,
        _(
            "Assignment №%(id)s with %(n)s points created. "
            "Each executor will get their point in the messenger."
        )
        % {"id": parent.id, "n": len(data.get("points") or [])},
        reply_markup=turn.menu.keyboard(user, turn.i18n),
    )


async def add_start(query: CallbackQuery, state: FSMContext, user: User, turn: Turn) -> None:
    match = ADD_DATA.match(query.data or "")
    if match is None:
        await query.answer()
        return
    try:
        parent = await service.add_precheck(turn.session, user, int(match.group(1)))
    except DomainError as exc:
        await query.answer(domain_error_text(exc), show_alert=True)
        return
    count = await turn.session.scalar(select(func.count()).where(Assignment.parent_id == parent.id))
    await state.clear()
    await state.update_data(add_to=parent.id, adding_point=True, files=[], editing=False)
    await query.answer()
    await ask_point_text(turn, (count or 0) + 1)


async def _show_add_confirm(turn: Turn, parent_id: int, point: dict[str, Any]) -> None:
    await _state(turn).set_state(CreateAssignment.confirm)
    parent = await turn.session.get(Assignment, parent_id)
    lines = [
        _("<b>New point of assignment №%(id)s</b> «%(title)s»")
        % {"id": parent_id, "title": quote(parent.title if parent else None)},
        *(await point_lines(turn, [point]))[1:],
        "",
        _("Check the point and tap «Add»."),
    ]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ Add"), callback_data=NewCallback(act=NewAct.ADD_POINT).pack()
                ),
                InlineKeyboardButton(text=_("✖ Cancel"), callback_data=NewCallback(act=NewAct.CANCEL).pack()),
            ]
        ]
    )
    await turn.bot.send_message(turn.chat_id, "\n".join(lines), reply_markup=markup)


async def add_confirm(query: CallbackQuery, state: FSMContext, user: User, turn: Turn) -> None:
    data = await state.get_data()
    await query.answer()
    await drop_buttons(query)
    await state.clear()
    try:
        point = await service.add_point(
            turn.session, user, int(data["add_to"]), _new_point(data["point"]), notify=turn.notice_ctx
        )
    except (DomainError, KeyError) as exc:
        text = domain_error_text(exc) if isinstance(exc, DomainError) else _("Action cancelled.")
        await turn.bot.send_message(turn.chat_id, text, reply_markup=turn.menu.keyboard(user, turn.i18n))
        return
    await turn.bot.send_message(
        turn.chat_id,
        _("Point %(no)s added to assignment №%(id)s. The executor will get it in the messenger.")
        % {"no": point.point_no, "id": point.parent_id},
        reply_markup=turn.menu.keyboard(user, turn.i18n),
    )


def create_router() -> Router:
    router = Router(name="assignment_create.points")
    on = router.callback_query.register
    on(more_point, CreateAssignment.confirm, NewCallback.filter(F.act == NewAct.POINT))
    on(add_confirm, CreateAssignment.confirm, NewCallback.filter(F.act == NewAct.ADD_POINT))
    on(add_start, F.data.regexp(ADD_DATA.pattern))
    return router
