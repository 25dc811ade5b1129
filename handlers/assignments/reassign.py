"""Reassign: the control or a department head hands the work to someone else (search or pick)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot import messages
from bot.pickers import short
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback, ReassignCallback
from handlers.assignments.cards import TITLE_LABEL, redraw_card
from handlers.assignments.common import NOT_STAFF, card_message_id, checked_or_refresh, refuse, text_expected
from handlers.assignments.states import ReassignForm
from models import Assignment, Department, User
from services.assignments import access, commands, queries
from services.assignments.lifecycle import Action
from services.errors import DomainError


def _people_markup(assignment_id: int, people: list[User]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                text=short(person.full_name, TITLE_LABEL),
                callback_data=ReassignCallback(id=assignment_id, user=person.id).pack(),
            )
        ]
        for person in people
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def _head_only(session: AsyncSession, assignment: Assignment, user: User | None) -> bool:
    """True when ``user`` delegates as a department head: the search stays in the department."""
    return (
        user is not None
        and (await access.reassign_scope(session, assignment, user)).department_id is not None
    )


async def ask_new_executor(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    session, user, state = turn.session, turn.user, turn.state
    aid = callback_data.id
    a = await checked_or_refresh(
        query, turn, aid, lambda u: commands.precheck(session, u, aid, Action.REASSIGN)
    )
    if a is None:
        return
    assert user is not None and state is not None
    people = await queries.reassign_candidates(session, a, user)
    department = await session.get(Department, a.department_id) if a.department_id else None
    await state.set_state(ReassignForm.search)
    await state.set_data({"aid": a.id, "card": card_message_id(query)})
    await query.answer()
    if (
        people and department is not None and await _head_only(session, a, user)
    ):  # a department head: the department only
        text = _(
            "Who should take over assignment №%(id)s «%(title)s»? Pick someone from «%(department)s» "
            "or type part of a name to search the department."
        ) % {"id": a.id, "title": quote(a.title), "department": quote(department.name)}
    elif people and department is not None:
        text = _(
            "Who should take over assignment №%(id)s «%(title)s»? Pick someone from «%(department)s» "
            "or type part of a name to search all staff."
        ) % {"id": a.id, "title": quote(a.title), "department": quote(department.name)}
    else:
        text = _("Who should take over assignment №%(id)s «%(title)s»? Type part of their name.") % {
            "id": a.id,
            "title": quote(a.title),
        }
    await turn.bot.send_message(
        query.from_user.id,
        text + "\n\n" + _("To cancel, send /cancel."),
        reply_markup=_people_markup(a.id, people),
    )


async def search_executor(message: Message, turn: Turn) -> None:
    session, user, state = turn.session, turn.user, turn.state
    assert state is not None
    data = await state.get_data()
    if user is None:
        await state.clear()
        return
    try:
        a = await commands.precheck(session, user, data["aid"], Action.REASSIGN)
    except DomainError as exc:
        await state.clear()
        await message.answer(domain_error_text(exc))
        return
    people = await queries.reassign_candidates(session, a, user, name=message.text or "")
    if not people:
        await message.answer(_("Nobody found. Please type another part of the name."))
        return
    await message.answer(
        _("Whom should I hand the assignment to?"), reply_markup=_people_markup(a.id, people)
    )


async def reassign_to(query: CallbackQuery, callback_data: ReassignCallback, turn: Turn) -> None:
    session, user, state = turn.session, turn.user, turn.state
    if user is None:
        await refuse(query, NOT_STAFF)
        return
    assert state is not None
    try:
        a = await commands.reassign(
            session, user, callback_data.id, callback_data.user, notify=turn.notice_ctx
        )
    except DomainError as exc:
        await refuse(query, exc)
        return
    data = await state.get_data()
    if data.get("aid") == a.id:
        await state.clear()
        await redraw_card(turn, data.get("card"), a, _("The assignment is reassigned"))
    executor = await session.get(User, callback_data.user)
    await query.answer()
    await messages.show_in_place(
        query,
        turn.bot,
        _("Assignment №%(id)s is handed to %(name)s. They have received it as a new assignment.")
        % {"id": a.id, "name": quote(executor.full_name if executor else None)},
        None,
    )


def create_router() -> Router:
    router = Router(name="assignments_reassign")
    router.callback_query.register(ask_new_executor, AssignmentCallback.filter(F.action == "reassign"))
    router.message.register(search_executor, ReassignForm.search, F.text)
    router.message.register(text_expected, ReassignForm.search)
    router.callback_query.register(reassign_to, ReassignCallback.filter())
    return router
