"""The steps' prompts and the draft kept in FSM data, shared by the step handlers.

Each ``ask_*`` sets its state and sends its prompt, so a handler finishing one step calls the next.
The draft holds only ids and plain values; rows are reloaded whenever they are shown or used.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import calendar_markup
from bot.i18n import N_
from bot.pickers import departments_markup
from bot.texts import EMPTY, quote
from handlers.assignment_create.callbacks import CREATE_SCOPE, NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.common import CANCEL
from models import User, utcnow
from models.enums import Priority, Role
from services import directory
from services.assignments.notices import PRIORITY_NAMES
from services.notify import NoticeContext

CREATOR_ROLES = (Role.CONTROLLER, Role.MANAGER, Role.CLERK)
MAX_FILES = 10
PRIORITIES = (Priority.NORMAL, Priority.HIGH, Priority.URGENT)


def can_create(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(*CREATOR_ROLES)


def cancel_keyboard() -> ReplyKeyboardMarkup:
    # Replaces the main menu for the conversation, so menu labels are not taken as answers.
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=_(CANCEL))]], resize_keyboard=True)


def _new_button(text: str, act: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=NewCallback(act=act, value=value).pack())


async def settle(query: CallbackQuery, text: str) -> None:
    """Turn the message whose button was pressed into a plain record of the choice."""
    message = query.message
    if not isinstance(message, Message):  # too old to edit: leave it
        return
    try:
        await message.edit_text(text, reply_markup=None)
    except TelegramBadRequest:  # not modified, or deleted meanwhile
        pass


async def redraw(
    query: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show the next page of a widget in the same message (a new one if that cannot be edited)."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


async def drop_buttons(query: CallbackQuery) -> None:
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass


def deadline_of(data: dict[str, object]) -> datetime | None:
    raw = data.get("deadline")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


# -- prompts --------------------------------------------------------------------------------------


def text_prompt() -> str:
    return _(
        "Write the assignment. The first line becomes its title (at most 500 characters), "
        "the rest its description.\n\nTo cancel, send /cancel."
    )


async def ask_text(bot: Bot, chat_id: int, state: FSMContext) -> None:
    await state.set_state(CreateAssignment.text)
    await bot.send_message(
        chat_id, _("<b>New assignment</b>") + "\n\n" + text_prompt(), reply_markup=cancel_keyboard()
    )


def executor_prompt() -> str:
    return _("Who should do it? Choose a department, or type a part of the person's name to search.")


async def ask_executor(bot: Bot, chat_id: int, state: FSMContext, session: AsyncSession) -> None:
    await state.set_state(CreateAssignment.executor)
    departments = await directory.active_departments(session)
    markup = departments_markup(CREATE_SCOPE, departments) if departments else None
    await bot.send_message(chat_id, executor_prompt(), reply_markup=markup)


def deadline_prompt() -> str:
    return _(
        "Choose the deadline: a quick pick, a day in the calendar, or type it "
        "as «dd.mm.yyyy hh:mm» or «dd.mm hh:mm»."
    )


async def ask_deadline(bot: Bot, chat_id: int, state: FSMContext, ctx: NoticeContext) -> None:
    await state.set_state(CreateAssignment.deadline)
    markup = calendar_markup(CREATE_SCOPE, ctx.local(utcnow()))
    await bot.send_message(chat_id, deadline_prompt(), reply_markup=markup)


def files_prompt() -> str:
    return _(
        "Attach photos or documents if needed (up to %(n)s files), then tap «Done». No files? Tap «Skip»."
    ) % {"n": MAX_FILES}


async def ask_files(bot: Bot, chat_id: int, state: FSMContext) -> None:
    await state.set_state(CreateAssignment.files)
    await bot.send_message(chat_id, files_prompt(), reply_markup=files_done_markup(skip=True))


def files_done_markup(*, skip: bool = False) -> InlineKeyboardMarkup:
    label = _("Skip") if skip else _("✅ Done")
    return InlineKeyboardMarkup(inline_keyboard=[[_new_button(label, NewAct.FILES_DONE)]])


def priority_prompt() -> str:
    return _("Priority? Tap one of the buttons.")


PRIORITY_LABELS = {
    Priority.NORMAL: N_("Normal"),
    Priority.HIGH: N_("❗ High"),
    Priority.URGENT: N_("🔥 Urgent"),
}


async def ask_priority(bot: Bot, chat_id: int, state: FSMContext) -> None:
    await state.set_state(CreateAssignment.priority)
    row = [_new_button(_(PRIORITY_LABELS[p]), NewAct.PRIORITY, p.value) for p in PRIORITIES]
    await bot.send_message(
        chat_id, priority_prompt(), reply_markup=InlineKeyboardMarkup(inline_keyboard=[row])
    )


# -- confirmation ---------------------------------------------------------------------------------


async def executor_label(session: AsyncSession, data: dict[str, object]) -> tuple[str, str]:
    """(executor, department) names for the card, from freshly loaded rows."""
    dept_id, user_id = data.get("department_id"), data.get("executor_id")
    if isinstance(dept_id, int):
        dept = await directory.active_department(session, dept_id)
        head = await directory.department_head(session, dept) if dept else None
        name = (
            _("%(name)s (head of the department)") % {"name": quote(head.full_name)} if head else quote(None)
        )
        return name, quote(dept.name if dept else None)
    user = await directory.active_user(session, user_id) if isinstance(user_id, int) else None
    dept = (
        await directory.active_department(session, user.department_id)
        if user and user.department_id
        else None
    )
    return quote(user.full_name if user else None), quote(dept.name if dept else None)


def confirm_prompt() -> str:
    return _("Check the assignment and tap «Create».")


async def show_confirm(
    bot: Bot, chat_id: int, state: FSMContext, session: AsyncSession, ctx: NoticeContext
) -> None:
    await state.set_state(CreateAssignment.confirm)
    await state.update_data(editing=False)
    data = await state.get_data()
    executor, department = await executor_label(session, data)
    deadline = deadline_of(data)
    body = str(data.get("body") or "")
    lines = [
        _("<b>New assignment — check before creating</b>"),
        "",
        f"<b>{quote(str(data.get('title') or ''))}</b>",
    ]
    if body:
        lines.append(quote(body[:1000] + ("…" if len(body) > 1000 else "")))
    priority = str(data.get("priority") or Priority.NORMAL)
    lines += [
        "",
        _("Executor: %(name)s") % {"name": executor},
        _("Department: %(name)s") % {"name": department},
        _("Deadline: %(when)s") % {"when": ctx.format_dt(deadline) if deadline else EMPTY},
        _("Priority: %(name)s") % {"name": _(PRIORITY_NAMES.get(priority, priority))},
        _("Files: %(n)s") % {"n": len(list(data.get("files") or []))},
        "",
        confirm_prompt(),
    ]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_new_button(_("✅ Create"), NewAct.CREATE)],
            [
                _new_button(_("📅 Change the deadline"), NewAct.REDATE),
                _new_button(_("✖ Cancel"), NewAct.CANCEL),
            ],
        ]
    )
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=markup)
