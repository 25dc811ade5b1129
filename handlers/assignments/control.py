"""The control's buttons: accept or return a report, decide an extension, reassign declined work."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot.texts import domain_error_text, quote
from handlers.assignments.callbacks import AssignmentCallback, ExtensionCallback, ReassignCallback
from handlers.assignments.cards import card, edit_by_id, refuse, short, show_in_place
from handlers.assignments.common import (
    ALREADY_CHANGED,
    NOT_STAFF,
    act,
    card_message_id,
    checked,
    start_text_prompt,
    text_expected,
)
from handlers.assignments.states import ReassignForm, ReturnForm
from models import Assignment, Department, User
from models.enums import AssignmentStatus as S
from services.assignments import access, commands, queries
from services.assignments.lifecycle import Action
from services.errors import DomainError
from services.notify import NoticeContext


async def accept(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    # expected_status turns a double tap into "already changed" instead of a second transition.
    async def run(actor: User) -> Assignment:
        return await commands.transition(
            session, actor, callback_data.id, Action.ACCEPT, expected_status=S.ON_REVIEW, notify=notice_ctx
        )

    await act(
        query,
        bot,
        session,
        user,
        notice_ctx,
        callback_data.id,
        run,
        headline=_("Report accepted: the assignment is done"),
        toast=_("Accepted. The executor has been notified."),
    )


# -- return for rework --------------------------------------------------------------------------------


async def ask_return_reason(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
) -> None:
    a = await checked(query, user, lambda u: commands.precheck(session, u, callback_data.id, Action.RETURN))
    if a is None:
        return
    prompt = _(
        "What needs to be redone in assignment №{id} «{title}»? Please write it: "
        "the executor will see your words."
    ).format(id=a.id, title=quote(a.title))
    await start_text_prompt(query, bot, state, ReturnForm.reason, prompt, aid=a.id)


async def got_return_reason(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    data = await state.get_data()
    await state.clear()
    if user is None:
        return
    try:
        a = await commands.transition(
            session,
            user,
            data["aid"],
            Action.RETURN,
            reason=message.text,
            expected_status=S.ON_REVIEW,
            notify=notice_ctx,
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    except StaleDataError:
        await session.rollback()
        await message.answer(domain_error_text(ALREADY_CHANGED))
        return
    text, markup = await card(session, a, user, notice_ctx, _("The assignment is returned for rework"))
    await edit_by_id(bot, message.chat.id, data.get("card"), text, markup)
    await message.answer(
        _("Assignment №{id} is returned for rework. The executor has received your reason.").format(id=a.id)
    )


# -- extension decisions ------------------------------------------------------------------------------


async def decide_extension(
    query: CallbackQuery,
    callback_data: ExtensionCallback,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    if user is None or callback_data.decision not in ("approve", "reject"):
        await refuse(query, NOT_STAFF)
        return
    approve = callback_data.decision == "approve"
    try:
        request = await commands.decide_extension(
            session, user, callback_data.id, approve=approve, notify=notice_ctx
        )
    except DomainError as exc:
        await refuse(query, exc)
        return
    except StaleDataError:
        await session.rollback()
        await refuse(query, ALREADY_CHANGED)
        return
    if approve:
        verdict = _("✅ Approved: the new deadline is {when}. The executor has been notified.")
        when = request.new_deadline
    else:
        verdict = _("❌ Rejected: the deadline stays {when}. The executor has been notified.")
        when = request.old_deadline
    await query.answer()
    original = query.message.html_text if isinstance(query.message, Message) else ""
    await show_in_place(query, bot, f"{original}\n\n{verdict.format(when=notice_ctx.format_dt(when))}", None)


# -- reassign -----------------------------------------------------------------------------------------


def _people_markup(assignment_id: int, people: list[User]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                text=short(person.full_name),
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


async def ask_new_executor(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
) -> None:
    a = await checked(query, user, lambda u: commands.precheck(session, u, callback_data.id, Action.REASSIGN))
    if a is None:
        return
    people = await queries.reassign_candidates(session, a, user)
    department = await session.get(Department, a.department_id) if a.department_id else None
    await state.set_state(ReassignForm.search)
    await state.set_data({"aid": a.id, "card": card_message_id(query)})
    await query.answer()
    if (
        people and department is not None and await _head_only(session, a, user)
    ):  # a department head: the department only
        text = _(
            "Who should take over assignment №{id} «{title}»? Pick someone from «{department}» "
            "or type part of a name to search the department."
        ).format(id=a.id, title=quote(a.title), department=quote(department.name))
    elif people and department is not None:
        text = _(
            "Who should take over assignment №{id} «{title}»? Pick someone from «{department}» "
            "or type part of a name to search all staff."
        ).format(id=a.id, title=quote(a.title), department=quote(department.name))
    else:
        text = _("Who should take over assignment №{id} «{title}»? Type part of their name.").format(
            id=a.id, title=quote(a.title)
        )
    await bot.send_message(
        query.from_user.id,
        text + "\n\n" + _("To cancel, send /cancel."),
        reply_markup=_people_markup(a.id, people),
    )


async def search_executor(
    message: Message, state: FSMContext, session: AsyncSession, user: User | None
) -> None:
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


async def reassign_to(
    query: CallbackQuery,
    callback_data: ReassignCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    if user is None:
        await refuse(query, NOT_STAFF)
        return
    try:
        a = await commands.reassign(session, user, callback_data.id, callback_data.user, notify=notice_ctx)
    except DomainError as exc:
        await refuse(query, exc)
        return
    except StaleDataError:
        await session.rollback()
        await refuse(query, ALREADY_CHANGED)
        return
    data = await state.get_data()
    if data.get("aid") == a.id:
        await state.clear()
        text, markup = await card(session, a, user, notice_ctx, _("The assignment is reassigned"))
        await edit_by_id(bot, query.from_user.id, data.get("card"), text, markup)
    executor = await session.get(User, callback_data.user)
    await query.answer()
    await show_in_place(
        query,
        bot,
        _("Assignment №{id} is handed to {name}. They have received it as a new assignment.").format(
            id=a.id, name=quote(executor.full_name if executor else None)
        ),
        None,
    )


def create_router() -> Router:
    router = Router(name="assignments_control")
    router.callback_query.register(accept, AssignmentCallback.filter(F.action == "accept"))
    router.callback_query.register(ask_return_reason, AssignmentCallback.filter(F.action == "return"))
    router.message.register(got_return_reason, ReturnForm.reason, F.text)
    router.message.register(text_expected, ReturnForm.reason)
    router.callback_query.register(decide_extension, ExtensionCallback.filter())
    router.callback_query.register(ask_new_executor, AssignmentCallback.filter(F.action == "reassign"))
    router.message.register(search_executor, ReassignForm.search, F.text)
    router.message.register(text_expected, ReassignForm.search)
    router.callback_query.register(reassign_to, ReassignCallback.filter())
    return router
