"""«Отписаться» under a mailing (``mlo:<mailing id>``, written by services.mailings.content).

The press carries only the mailing's id: the service re-checks that this chat received it, so a
forged or foreign id is refused with an alert, and a repeated press says it was already done.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.messages import refuse
from bot.turn import Turn
from services.audit import Actor
from services.errors import DomainError
from services.mailings import optout
from services.mailings.content import OPT_OUT_PREFIX

log = logging.getLogger(__name__)
DB_ID_MAX = 2**63 - 1


class OptOutCallback(CallbackData, prefix=OPT_OUT_PREFIX):
    id: int


async def pressed(query: CallbackQuery, callback_data: OptOutCallback, turn: Turn) -> None:
    if not 0 < callback_data.id <= DB_ID_MAX:
        await refuse(query, turn.t("This mailing was not sent to you."), logger=log)
        return
    try:
        result = await optout.opt_out(
            turn.session,
            Actor(telegram_id=query.from_user.id, user_id=turn.user.id if turn.user else None),
            mailing_id=callback_data.id,
            chat_id=turn.chat_id,
        )
    except DomainError as exc:
        await turn.session.rollback()
        await refuse(query, exc, logger=log)
        return
    await turn.session.commit()  # the withdrawal stands before anything is said
    if result.already:
        await query.answer(turn.t("You have already unsubscribed from mailings."), show_alert=True)
    else:
        await query.answer(turn.t("You have unsubscribed from mailings."), show_alert=True)
    await _drop_keyboard(query)


async def _drop_keyboard(query: CallbackQuery) -> None:
    """The message stays; its buttons go, so «unsubscribe» cannot be pressed again by mistake."""
    message = query.message
    if message is None or not getattr(message, "reply_markup", None):
        return
    try:
        await query.bot.edit_message_reply_markup(  # type: ignore[union-attr]
            chat_id=message.chat.id,
            message_id=message.message_id,
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[]),
        )
    except TelegramBadRequest as exc:  # too old to edit, or already without buttons
        log.info("could not remove the opt-out keyboard: %s", exc)


def create_router() -> Router:
    router = Router(name="mailings.optout")
    router.callback_query.register(pressed, OptOutCallback.filter())
    # A malformed ``mlo:`` press (not a number) is answered, not passed to the global fallback.
    router.callback_query.register(_malformed, F.data.startswith(f"{OPT_OUT_PREFIX}:"))
    return router


async def _malformed(query: CallbackQuery, turn: Turn) -> None:
    await refuse(query, turn.t("This mailing was not sent to you."), logger=log)
