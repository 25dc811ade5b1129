"""Step 3: the deadline in local time (quick picks, calendar and time slots, or typed); stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.calendar import (
    Act,
    CalendarCallback,
    parse_typed,
    picked_day,
    picked_moment,
    time_markup,
)
from bot.messages import settle, show_in_place
from bot.turn import Turn
from handlers.assignment_create import points
from handlers.assignment_create.callbacks import CREATE_SCOPE
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import ask_files, deadline_markup, deadline_prompt, show_confirm
from models import utcnow


def _past_text() -> str:
    return _("This day or time has already passed. Choose a moment in the future.")


async def press(query: CallbackQuery, callback_data: CalendarCallback, state: FSMContext, turn: Turn) -> None:
    notice_ctx = turn.notice_ctx
    now = notice_ctx.local(utcnow())
    act = callback_data.act
    if act == Act.NAV:
        await query.answer()
        markup = await deadline_markup(turn, callback_data.y, callback_data.m)
        await show_in_place(query, turn.bot, deadline_prompt(), markup)
    elif act == Act.DAY:
        day = picked_day(callback_data)
        if day is None or day < now.date():
            await query.answer(_past_text(), show_alert=True)
            return
        await query.answer()
        text = _("%(day)s: choose the time.") % {"day": day.strftime("%d.%m.%Y")}
        await show_in_place(query, turn.bot, text, time_markup(CREATE_SCOPE, day, now))
    elif act in (Act.QUICK, Act.TIME):
        moment = picked_moment(callback_data, now)
        if moment is None or moment <= now:
            await query.answer(_past_text(), show_alert=True)
            return
        await query.answer()
        await settle(query, _("Deadline: %(when)s") % {"when": notice_ctx.format_dt(moment)})
        await _accept(state, turn, moment)
    elif act == Act.PAST:
        await query.answer(_past_text(), show_alert=True)
    else:
        await query.answer()  # month title, weekday names, blank cells


async def typed(message: Message, state: FSMContext, turn: Turn) -> None:
    notice_ctx = turn.notice_ctx
    now = notice_ctx.local(utcnow())
    moment = parse_typed(message.text or "", now)
    if moment is None:
        await message.answer(
            _("I could not read a date and time. Example: %(example)s.")
            % {"example": now.strftime("%d.%m.%Y 18:00")}
            + "\n\n"
            + deadline_prompt()
        )
        return
    if moment <= now:
        await message.answer(
            _("%(when)s has already passed. Give a deadline in the future.")
            % {"when": notice_ctx.format_dt(moment)}
        )
        return
    await message.answer(_("Deadline: %(when)s") % {"when": notice_ctx.format_dt(moment)})
    await _accept(state, turn, moment)


async def _accept(state: FSMContext, turn: Turn, moment: datetime) -> None:
    await state.update_data(deadline=moment.astimezone(UTC).isoformat())
    if (await state.get_data()).get("adding_point"):
        await points.point_ready(turn)
    elif (await state.get_data()).get("editing"):
        await show_confirm(turn)
    else:
        await ask_files(turn)


async def hint(message: Message) -> None:
    await message.answer(_("I am waiting for the deadline.") + "\n\n" + deadline_prompt())


def create_router() -> Router:
    router = Router(name="assignment_create.deadline")
    router.callback_query.register(
        press, CreateAssignment.deadline, CalendarCallback.filter(F.scope == CREATE_SCOPE)
    )
    router.message.register(typed, CreateAssignment.deadline, F.text, ~F.text.startswith("/"))
    router.message.register(hint, CreateAssignment.deadline)
    return router
