"""A resident's free text outside any conversation: offered as the text of a new appeal.

Residents write to the bot as they would to the administration («когда починят дорогу?»); «I did
not understand» loses that. The text waits in the conversation's data (a button carries only 64
bytes); «Write it as an appeal» starts the appeal with it as the text and goes on with the topic,
the address, files and contacts. Staff and commands still get the fallback's help.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.messages import drop_buttons, outdated
from bot.texts import quote
from bot.turn import Turn
from handlers.appeals import consent
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.steps import ask_category, cancel_keyboard, form_button, form_markup, start_draft
from handlers.appeals.text import intro_text
from models import TelegramAccount, User
from services.appeals.intake import MAX_TEXT_CHARS

OFFERED = "offered_appeal_texts"  # FSM data key: {message id: text}; data outlives the states
KEPT_OFFERS = 3  # each offer's button starts an appeal with its own text, the latest few are kept


def is_resident(message: Message, user: User | None) -> bool:
    return user is None


async def offer(message: Message, state: FSMContext) -> None:
    text = (message.text or "").strip()
    kept = dict((await state.get_data()).get(OFFERED) or {})
    kept[str(message.message_id)] = text
    await state.update_data({OFFERED: dict(list(kept.items())[-KEPT_OFFERS:])})
    await message.answer(
        _(
            "Would you like to send this to the administration as an appeal? It gets a registration "
            "number, and the answer comes to this chat. Or choose an action in the menu below."
        ),
        reply_markup=form_markup(
            [form_button(_("✍️ Write it as an appeal"), FormAct.OFFER, str(message.message_id))]
        ),
    )


async def write_offered(
    query: CallbackQuery,
    callback_data: AppealFormCallback,
    turn: Turn,
    state: FSMContext,
    account: TelegramAccount,
    user: User | None,
) -> None:
    offered = str(((await state.get_data()).get(OFFERED) or {}).get(callback_data.value) or "")
    if user is not None or not offered or await state.get_state() is not None:
        await outdated(query)  # staff do not write appeals here; a conversation is already going on
        return
    await query.answer()
    await drop_buttons(query)
    # The consent comes first; the offered text waits for it (and is dropped on «I decline»).
    await consent.ask_or_go(turn, state, account, "offer", callback_data.value)


async def begin_offered(turn: Turn, state: FSMContext, account: TelegramAccount, offer_id: str) -> None:
    """Agreed: the appeal starts with the offered text as its text."""
    offered = str(((await state.get_data()).get(OFFERED) or {}).get(offer_id) or "")
    await start_draft(state, account)  # clears the offered text with the rest
    fits = bool(offered) and len(offered) <= MAX_TEXT_CHARS
    if fits:
        await state.update_data(text_parts=[offered], text_prefilled=True)
    lead = intro_text()
    if fits:
        lead += "\n\n" + _("The text of the appeal:") + "\n" + quote(offered)
    await turn.bot.send_message(turn.chat_id, lead, reply_markup=cancel_keyboard())
    await ask_category(turn)


def create_router() -> Router:
    """The button's press: inside the appeals router, before its stale-button catch-all."""
    router = Router(name="appeals.offer")
    router.callback_query.register(write_offered, AppealFormCallback.filter(F.act == FormAct.OFFER))
    return router


def create_text_router() -> Router:
    """The offer itself: included just before the fallback, so it only sees leftover text."""
    router = Router(name="appeals.offer_text")
    router.message.register(offer, StateFilter(None), F.text, ~F.text.startswith("/"), is_resident)
    return router
