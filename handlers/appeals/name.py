"""Step 5: the full name (59-FZ art. 7: surname, first name, patronymic if any; art. 11 p. 1:
without the surname no answer is given) — typed, or the name already on the resident's own record
confirmed with one tap. The name offered is kept in the draft; the button carries nothing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.messages import drop_buttons_of, outdated, settle
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import after, name_prompt
from services.correspondents.names import person_name
from services.errors import InvalidInput


def taken_note(name: str) -> str:
    return _("Full name: %(name)s") % {"name": quote(name)}


async def typed(message: Message, turn: Turn, state: FSMContext) -> None:
    try:
        name = person_name(message.text)
    except InvalidInput as exc:
        await message.answer(domain_error_text(exc) + "\n\n" + name_prompt())
        return
    data = await state.get_data()
    if data.get("known_name"):  # the prompt offered a name with a button: it is answered now
        await drop_buttons_of(turn.bot, turn.chat_id, data.get("progress"))
    await state.update_data(full_name=name, known_name=None, progress=None)
    await message.answer(taken_note(name))
    await after(turn, AppealForm.name)


async def known(query: CallbackQuery, turn: Turn, state: FSMContext) -> None:
    offered = (await state.get_data()).get("known_name")
    if not offered:
        await outdated(query)
        return
    name = person_name(str(offered))  # checked when offered; the same rule once more
    await state.update_data(full_name=name, known_name=None, progress=None)
    await query.answer()
    await settle(query, taken_note(name))
    await after(turn, AppealForm.name)


async def hint(message: Message) -> None:
    """A sticker, photo or command: say what this step needs."""
    await message.answer(_("I am waiting for your full name.") + "\n\n" + name_prompt())


def create_router() -> Router:
    router = Router(name="appeals.name")
    router.message.register(typed, AppealForm.name, F.text, ~F.text.startswith("/"))
    router.callback_query.register(
        known, AppealForm.name, AppealFormCallback.filter(F.act == FormAct.NAME_KNOWN)
    )
    router.message.register(hint, AppealForm.name)
    return router
