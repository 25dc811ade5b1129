"""The executor's buttons: acknowledge, decline with a reason, ask for an extension."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import domain_error_text, quote
from handlers.assignments.callbacks import AssignmentCallback, ExtensionPickCallback
from handlers.assignments.cards import card, drop_buttons, edit_by_id, extension_picks, parse_local, refuse
from handlers.assignments.common import (
    act,
    card_message_id,
    checked,
    start_text_prompt,
    text_expected,
)
from handlers.assignments.states import DeclineForm, ExtensionForm
from models import Assignment, User
from models.enums import AssignmentStatus as S
from services.assignments import commands
from services.assignments.lifecycle import Action
from services.errors import DomainError, InvalidInput
from services.notify import NoticeContext


async def acknowledge(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    async def run(actor: User) -> Assignment:
        return await commands.transition(
            session, actor, callback_data.id, Action.ACKNOWLEDGE, expected_status=S.NEW, notify=notice_ctx
        )

    await act(
        query,
        bot,
        session,
        user,
        notice_ctx,
        callback_data.id,
        run,
        headline=_("You have acknowledged the assignment"),
        toast=_("Acknowledged. The author has been notified."),
    )


# -- decline ------------------------------------------------------------------------------------------


async def ask_decline_reason(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
) -> None:
    a = await checked(query, user, lambda u: commands.precheck(session, u, callback_data.id, Action.DECLINE))
    if a is None:
        return
    prompt = _(
        "Why do you decline assignment №{id} «{title}»? Please write the reason: "
        "the author will see it and will be able to hand the work to someone else."
    ).format(id=a.id, title=quote(a.title))
    await start_text_prompt(query, bot, state, DeclineForm.reason, prompt, aid=a.id, status=a.status)


async def got_decline_reason(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    data = await state.get_data()
    reason = (message.text or "").strip()
    if user is None:
        await state.clear()
        return
    if len(reason) > commands.REASON_LIMIT:
        await message.answer(
            domain_error_text(
                InvalidInput("The text is too long: at most %(n)d characters.", n=commands.REASON_LIMIT)
            )
        )
        return
    await state.clear()
    try:
        a = await commands.transition(
            session,
            user,
            data["aid"],
            Action.DECLINE,
            reason=reason,
            expected_status=data["status"],
            notify=notice_ctx,
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    text, markup = await card(session, a, user, notice_ctx, _("You have declined the assignment"))
    await edit_by_id(bot, message.chat.id, data.get("card"), text, markup)
    await message.answer(
        _("Assignment №{id} is declined. The author has been notified and will see your reason.").format(
            id=a.id
        )
    )


# -- extension ----------------------------------------------------------------------------------------


async def ask_new_deadline(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    a = await checked(query, user, lambda u: commands.extension_precheck(session, u, callback_data.id))
    if a is None:
        return
    await state.set_state(ExtensionForm.deadline)
    await query.answer()
    example = notice_ctx.format_dt(a.deadline + timedelta(days=2))
    prompt = await bot.send_message(
        query.from_user.id,
        _(
            "Assignment №{id} «{title}» is due {when}.\n\n"
            "Pick a new deadline below or type it in local time as dd.mm.yyyy hh:mm, "
            "for example {example}.\n\nTo cancel, send /cancel."
        ).format(id=a.id, title=quote(a.title), when=notice_ctx.format_dt(a.deadline), example=example),
        reply_markup=extension_picks(a, notice_ctx),
    )
    await state.set_data({"aid": a.id, "card": card_message_id(query), "prompt": prompt.message_id})


async def picked_deadline(
    query: CallbackQuery,
    callback_data: ExtensionPickCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
) -> None:
    data = await state.get_data()
    if user is None or data.get("aid") != callback_data.id or callback_data.days not in (1, 3, 7):
        await refuse(query, _("This button is outdated. Please use the current menu."))
        return
    try:
        a = await commands.extension_precheck(session, user, callback_data.id)
    except DomainError as exc:
        await state.clear()
        await refuse(query, exc)
        return
    await query.answer()
    await _ask_reason(bot, query.from_user.id, state, a.deadline + timedelta(days=callback_data.days), data)


async def typed_deadline(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    data = await state.get_data()
    if user is None:
        await state.clear()
        return
    moment = parse_local(message.text or "", notice_ctx.tz)
    if moment is None:
        await message.answer(
            _("I could not read the date. Please type it as dd.mm.yyyy hh:mm, for example 25.12.2026 18:00.")
        )
        return
    try:
        a = await commands.extension_precheck(session, user, data["aid"])
    except DomainError as exc:
        await state.clear()
        await message.answer(domain_error_text(exc))
        return
    if moment <= a.deadline:
        await message.answer(
            _("The new deadline must be later than the current one ({when}).").format(
                when=notice_ctx.format_dt(a.deadline)
            )
        )
        return
    await _ask_reason(bot, message.chat.id, state, moment, data)


async def _ask_reason(
    bot: Bot, chat_id: int, state: FSMContext, new_deadline: datetime, data: dict[str, Any]
) -> None:
    await drop_buttons(bot, chat_id, data.get("prompt"))
    await state.set_state(ExtensionForm.reason)
    await state.update_data(new=new_deadline.isoformat())
    await bot.send_message(
        chat_id,
        _("Why is more time needed? Please write the reason: the controller will see it with the request."),
    )


async def got_extension_reason(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
) -> None:
    data = await state.get_data()
    if user is None:
        await state.clear()
        return
    await state.clear()
    try:
        request = await commands.request_extension(
            session,
            user,
            data["aid"],
            datetime.fromisoformat(data["new"]),
            message.text or "",
            notify=notice_ctx,
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await message.answer(
        _(
            "The request is sent: a new deadline of {when} for assignment №{id}. "
            "I will let you know what the controller decides."
        ).format(when=notice_ctx.format_dt(request.new_deadline), id=data["aid"])
    )


def create_router() -> Router:
    router = Router(name="assignments_executor")
    router.callback_query.register(acknowledge, AssignmentCallback.filter(F.action == "ack"))
    router.callback_query.register(ask_decline_reason, AssignmentCallback.filter(F.action == "decline"))
    router.message.register(got_decline_reason, DeclineForm.reason, F.text)
    router.message.register(text_expected, DeclineForm.reason)
    router.callback_query.register(ask_new_deadline, AssignmentCallback.filter(F.action == "ext"))
    router.callback_query.register(picked_deadline, ExtensionPickCallback.filter())
    router.message.register(typed_deadline, ExtensionForm.deadline, F.text)
    router.message.register(text_expected, ExtensionForm.deadline)
    router.message.register(got_extension_reason, ExtensionForm.reason, F.text)
    router.message.register(text_expected, ExtensionForm.reason)
    return router
