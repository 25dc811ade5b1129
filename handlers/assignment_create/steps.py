"""The steps' prompts and the draft kept in FSM data, shared by the step handlers.

Each ``ask_*`` sets its state and sends its prompt, so a handler finishing one step calls the next.
The draft holds only ids and plain values; rows are reloaded whenever they are shown or used.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.fsm.context import FSMContext
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import calendar_markup
from bot.i18n import N_
from bot.pickers import departments_markup
from bot.texts import EMPTY, quote
from bot.turn import Turn
from handlers.assignment_create.callbacks import CREATE_SCOPE, NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.common import CANCEL
from models import User, utcnow
from models.enums import Priority, Role
from services import directory
from services.assignments.deadline_rules import work_calendar
from services.assignments.notices import PRIORITY_NAMES

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


def deadline_of(data: dict[str, object]) -> datetime | None:
    raw = data.get("deadline")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


# -- prompts --------------------------------------------------------------------------------------


def text_prompt() -> str:
    return _(
        "Write the assignment. The first line becomes its title (at most 500 characters), "
        "the rest its description.\n\nTo cancel, send /cancel."
    )


def _state(turn: Turn) -> FSMContext:
    assert turn.state is not None  # private chats always have one
    return turn.state


async def ask_text(turn: Turn) -> None:
    await _state(turn).set_state(CreateAssignment.text)
    await turn.bot.send_message(
        turn.chat_id, _("<b>New assignment</b>") + "\n\n" + text_prompt(), reply_markup=cancel_keyboard()
    )


def executor_prompt() -> str:
    return _("Who should do it? Choose a department, or type a part of the person's name to search.")


async def ask_executor(turn: Turn) -> None:
    await _state(turn).set_state(CreateAssignment.executor)
    departments = await directory.active_departments(turn.session)
    markup = departments_markup(CREATE_SCOPE, departments) if departments else None
    await turn.bot.send_message(turn.chat_id, executor_prompt(), reply_markup=markup)


def deadline_prompt() -> str:
    return _(
        "Choose the deadline: a quick pick, a day in the calendar, or type it "
        "as «dd.mm.yyyy hh:mm» or «dd.mm hh:mm»."
    )


async def deadline_markup(
    turn: Turn, year: int | None = None, month: int | None = None
) -> InlineKeyboardMarkup:
    """The deadline calendar; its quick picks fall on working days of the production calendar."""
    work = await work_calendar(turn.session, turn.notice_ctx.tz)
    now = turn.notice_ctx.local(utcnow())
    return calendar_markup(CREATE_SCOPE, now, year, month, working=work.is_working_day)


async def ask_deadline(turn: Turn) -> None:
    await _state(turn).set_state(CreateAssignment.deadline)
    await turn.bot.send_message(turn.chat_id, deadline_prompt(), reply_markup=await deadline_markup(turn))


def files_prompt() -> str:
    return _(
        "Attach photos or documents if needed (up to %(n)s files), then tap «Done». No files? Tap «Skip»."
    ) % {"n": MAX_FILES}


async def ask_files(turn: Turn) -> None:
    await _state(turn).set_state(CreateAssignment.files)
    await turn.bot.send_message(turn.chat_id, files_prompt(), reply_markup=files_done_markup(skip=True))


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


async def ask_priority(turn: Turn) -> None:
    await _state(turn).set_state(CreateAssignment.priority)
    row = [_new_button(_(PRIORITY_LABELS[p]), NewAct.PRIORITY, p.value) for p in PRIORITIES]
    await turn.bot.send_message(
        turn.chat_id, priority_prompt(), reply_markup=InlineKeyboardMarkup(inline_keyboard=[row])
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


async def point_lines(turn: Turn, drafts: list[dict[str, object]]) -> list[str]:
    """The draft's points: number, title, executor, deadline."""
    lines = ["", _("<b>Points:</b>")]
    for no, point in enumerate(drafts, 1):
        executor, _department = await executor_label(turn.session, point)
        deadline = deadline_of(point)
        lines.append(
            f"{no}. {quote(str(point.get('title') or ''))} — "
            + _("%(who)s, due %(when)s")
            % {"who": executor, "when": turn.notice_ctx.format_dt(deadline) if deadline else EMPTY}
        )
    return lines


async def show_confirm(turn: Turn) -> None:
    state, ctx = _state(turn), turn.notice_ctx
    await state.set_state(CreateAssignment.confirm)
    await state.update_data(editing=False)
    data = await state.get_data()
    drafts = list(data.get("points") or [])
    if drafts:
        await _show_points_confirm(turn, data, drafts)
        return
    executor, department = await executor_label(turn.session, data)
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
    ]
    checklist = list(data.get("checklist") or [])
    if checklist:
        lines.append(_("Checklist: %(items)s") % {"items": quote("; ".join(str(i) for i in checklist))})
    if data.get("appeal_number"):
        lines.append(_("Appeal: %(number)s") % {"number": quote(str(data["appeal_number"]))})
    lines += [
        "",
        confirm_prompt(),
    ]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_new_button(_("✅ Create"), NewAct.CREATE)],
            [
                _new_button(_("➕ One more point"), NewAct.POINT),
                _new_button(_("🔗 Link an appeal"), NewAct.APPEAL),
            ],
            [
                _new_button(_("📅 Change the deadline"), NewAct.REDATE),
                _new_button(_("✖ Cancel"), NewAct.CANCEL),
            ],
        ]
    )
    await turn.bot.send_message(turn.chat_id, "\n".join(lines), reply_markup=markup)


async def _show_points_confirm(turn: Turn, data: dict[str, object], drafts: list[dict[str, object]]) -> None:
    """A multi-point draft: the common title and text, then the points; its deadline is the latest."""
    body = str(data.get("body") or "")
    lines = [
        _("<b>New assignment — check before creating</b>"),
        "",
        f"<b>{quote(str(data.get('title') or ''))}</b>",
    ]
    if body:
        lines.append(quote(body[:1000] + ("…" if len(body) > 1000 else "")))
    lines += await point_lines(turn, drafts)
    lines += ["", _("Files: %(n)s") % {"n": len(list(data.get("files") or []))}]
    lines += ["", confirm_prompt()]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_new_button(_("✅ Create"), NewAct.CREATE)],
            [_new_button(_("➕ One more point"), NewAct.POINT), _new_button(_("✖ Cancel"), NewAct.CANCEL)],
        ]
    )
    await turn.bot.send_message(turn.chat_id, "\n".join(lines), reply_markup=markup)
