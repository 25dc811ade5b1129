"""«💬 Comment» on a card: anyone who sees the assignment may write; the other parties are notified."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import domain_error_text, quote
from handlers.assignments.callbacks import AssignmentCallback
from handlers.assignments.common import checked, start_text_prompt, text_expected
from handlers.assignments.states import CommentForm
from models import User
from services.assignments import commands
from services.errors import DomainError
from services.notify import NoticeContext


async def ask_comment(
    query: CallbackQuery,
    callback_data: AssignmentCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User | None,
) -> None:
    a = await checked(query, user, lambda u: commands.load_visible(session, callback_data.id, u))
    if a is None:
        return
    prompt = _(
        "Write your comment on assignment №{id} «{title}». "
        "The executor, the author and the controller will see it."
    ).format(id=a.id, title=quote(a.title))
    await start_text_prompt(query, bot, state, CommentForm.text, prompt, aid=a.id)


async def got_comment(
    message: Message, state: FSMContext, session: AsyncSession, user: User | None, notice_ctx: NoticeContext
) -> None:
    data = await state.get_data()
    await state.clear()
    if user is None:
        return
    try:
        await commands.add_comment(session, user, data["aid"], message.text or "", notify=notice_ctx)
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await message.answer(_("Your comment on assignment №{id} is sent.").format(id=data["aid"]))


def create_router() -> Router:
    router = Router(name="assignments_comments")
    router.callback_query.register(ask_comment, AssignmentCallback.filter(F.action == "comment"))
    router.message.register(got_comment, CommentForm.text, F.text)
    router.message.register(text_expected, CommentForm.text)
    return router
