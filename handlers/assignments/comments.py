"""«💬 Comment» on a card: anyone who sees the assignment may write; the other parties are notified."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback
from handlers.assignments.common import checked, start_text_prompt, text_expected
from handlers.assignments.states import CommentForm
from services.assignments import commands
from services.errors import DomainError


async def ask_comment(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    a = await checked(query, turn, lambda u: commands.load_visible(turn.session, callback_data.id, u))
    if a is None:
        return
    prompt = _(
        "Write your comment on assignment №%(id)s «%(title)s». "
        "The executor, the author and the controller will see it."
    ) % {"id": a.id, "title": quote(a.title)}
    await start_text_prompt(query, turn, CommentForm.text, prompt, aid=a.id)


async def got_comment(message: Message, turn: Turn) -> None:
    data = await turn.finish_form()
    if turn.user is None:
        return
    try:
        await commands.add_comment(
            turn.session, turn.user, data["aid"], message.text or "", notify=turn.notice_ctx
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await message.answer(_("Your comment on assignment №%(id)s is sent.") % {"id": data["aid"]})


def create_router() -> Router:
    router = Router(name="assignments_comments")
    router.callback_query.register(ask_comment, AssignmentCallback.filter(F.action == "comment"))
    router.message.register(got_comment, CommentForm.text, F.text)
    router.message.register(text_expected, CommentForm.text)
    return router
