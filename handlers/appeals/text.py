"""Steps 1–2: the menu button opens the conversation; a topic, then the text in one or more messages."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, drop_buttons, settle
from bot.texts import quote
from bot.turn import Turn
from handlers.appeals import consent
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.render import category_name, draft_text
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import (
    after,
    ask_category,
    cancel_keyboard,
    send_progress,
    start_draft,
    text_markup,
    text_progress,
    text_prompt,
)
from models import Category, TelegramAccount
from services.appeals import categories as appeal_categories
from services.appeals.intake import MAX_TEXT_CHARS


def intro_text() -> str:
    return _(
        "<b>Appeal to the administration</b>\n\n"
        "A few short steps: the topic, the text, the address, photos, your full name and contacts. "
        "The appeal gets a registration number, and the answer comes to this chat.\n\n"
        "To cancel, send /cancel."
    )


async def start(message: Message, turn: Turn, state: FSMContext, account: TelegramAccount) -> None:
    """«Write an appeal»: the consent first (once per version of its text), then the draft."""
    await consent.ask_or_go(turn, state, account, "write")


async def begin(turn: Turn, state: FSMContext, account: TelegramAccount, _arg: str = "") -> None:
    """The conversation proper, once the person has agreed to the processing of their data."""
    await start_draft(state, account)
    await turn.bot.send_message(turn.chat_id, intro_text(), reply_markup=cancel_keyboard())
    await ask_category(turn)


async def category(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    session: AsyncSession,
) -> None:
    chosen = await session.get(Category, int(callback_data.value)) if callback_data.value.isdigit() else None
    if chosen is None or not appeal_categories.may_choose(chosen, staff=False):
        await alert(query, _("This topic is no longer available. Please choose another one."))
        await ask_category(turn)
        return
    await state.update_data(category_id=chosen.id)
    await query.answer()
    await settle(query, _("Topic: %(name)s") % {"name": quote(category_name(chosen))})
    await after(turn, AppealForm.category)


async def category_hint(message: Message) -> None:
    await message.answer(_("Please choose the topic with one of the buttons above. To cancel, send /cancel."))


async def got_text(message: Message, bot: Bot, state: FSMContext) -> None:
    data = await state.get_data()
    part = (message.text or "").strip()
    if not part:
        return  # Telegram does not deliver empty messages; whitespace alone adds nothing
    current = draft_text(data)
    total = len(current) + (2 if current else 0) + len(part)
    if total > MAX_TEXT_CHARS:
        await message.answer(
            _(
                "This message is not added: the text of an appeal may be at most %(limit)d characters, "
                "and with it there would be %(n)d. Shorten it and send it again, or tap «Next» "
                "to go on with the text you have already sent."
            )
            % {"limit": MAX_TEXT_CHARS, "n": total}
        )
        return
    parts = [*data.get("text_parts", []), part]
    await state.update_data(text_parts=parts)
    data["text_parts"] = parts
    markup = text_markup()
    await send_progress(bot, message.chat.id, state, text_progress(data), markup)


async def text_done(query: CallbackQuery, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    if not draft_text(data).strip():
        await alert(
            query, _("The text of the appeal is empty. Please describe the problem in a message first.")
        )
        return
    await query.answer()
    await drop_buttons(query)
    await after(turn, AppealForm.text)


async def text_hint(message: Message) -> None:
    """Stickers, voice notes, commands: say what this step needs."""
    await message.answer(_("I am waiting for the text of the appeal.") + "\n\n" + text_prompt())


def create_router() -> Router:
    router = Router(name="appeals.text")
    router.callback_query.register(
        category, AppealForm.category, AppealFormCallback.filter(F.act == FormAct.CATEGORY)
    )
    router.message.register(category_hint, AppealForm.category)
    router.message.register(got_text, AppealForm.text, F.text, ~F.text.startswith("/"))
    router.callback_query.register(
        text_done, AppealForm.text, AppealFormCallback.filter(F.act == FormAct.TEXT_DONE)
    )
    # Photos and documents sent now are taken by the files step's router (included before this one).
    router.message.register(text_hint, AppealForm.text)
    return router
