"""«My appeals»: the resident's appeals, newest first, paged; each opens its card.

Only the presser's own appeals are ever loaded: every press reloads the row through the service
with the presser's Telegram id, so a forged id shows nothing.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, show_in_place
from handlers.appeals.callbacks import AppealOpenCallback, AppealPageCallback
from handlers.appeals.render import PAGE_SIZE, card, list_view
from models import Category
from services.appeals import queries
from services.errors import DomainError
from services.notify import NoticeContext


async def _render(
    session: AsyncSession, telegram_id: int, page: int, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    page = max(page, 0)
    # One row more than a page tells whether there is a next one.
    rows = list(
        await queries.appeals_of_telegram_user(
            session, telegram_id, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE
        )
    )
    return list_view(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE, ctx)


async def show_mine(
    message: Message, state: FSMContext, session: AsyncSession, notice_ctx: NoticeContext
) -> None:
    await state.clear()  # a menu button ends any conversation
    assert message.from_user is not None
    text, markup = await _render(session, message.from_user.id, 0, notice_ctx)
    await message.answer(text, reply_markup=markup)


async def turn_page(
    query: CallbackQuery,
    callback_data: AppealPageCallback,
    bot: Bot,
    session: AsyncSession,
    notice_ctx: NoticeContext,
) -> None:
    text, markup = await _render(session, query.from_user.id, callback_data.page, notice_ctx)
    await query.answer()
    await show_in_place(query, bot, text, markup)


async def open_card(
    query: CallbackQuery,
    callback_data: AppealOpenCallback,
    bot: Bot,
    session: AsyncSession,
    notice_ctx: NoticeContext,
) -> None:
    """A fresh card below the list (the list stays for further browsing)."""
    try:
        appeal = await queries.appeal_for_telegram_user(session, callback_data.id, query.from_user.id)
    except DomainError as exc:
        await alert(query, exc)
        return
    if appeal is None:
        await alert(query, _("Appeal not found."))
        return
    category = await session.get(Category, appeal.category_id) if appeal.category_id else None
    text, markup = card(appeal, category, notice_ctx)
    await query.answer()
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="appeals.mine")
    router.callback_query.register(turn_page, AppealPageCallback.filter())
    router.callback_query.register(open_card, AppealOpenCallback.filter(F.action == "open"))
    return router
