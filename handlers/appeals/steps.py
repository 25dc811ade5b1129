"""The steps' prompts and the draft kept in FSM data, shared by the step handlers.

Each ``ask_*`` sets its state and sends its prompt, so a handler finishing one step calls
:func:`after` to go on (to the next step, or back to the summary when a part was being changed).
The draft holds plain values and Telegram file ids; rows are reloaded whenever they are used.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.messages import drop_buttons_of
from bot.pickers import short
from bot.texts import CANCEL
from bot.turn import Turn
from handlers.appeals.callbacks import AppealFormCallback, FormAct
from handlers.appeals.render import category_name, draft_text, summary
from handlers.appeals.states import AppealForm
from models import Category, TelegramAccount
from services.appeals import categories as appeal_categories
from services.correspondents.names import known_full_name
from services.files import MAX_FILE_BYTES

MAX_FILES = 10
SKIP = N_("Skip")
DONE = N_("✅ Done")
SHARE_PHONE = N_("📱 Share phone")
SEND_LOCATION = N_("📍 Send location")

# The order of the steps; «Change» on the summary jumps into one and comes back.
ORDER = (
    AppealForm.category,
    AppealForm.text,
    AppealForm.address,
    AppealForm.files,
    AppealForm.name,
    AppealForm.contact,
    AppealForm.confirm,
)


def form_button(text: str, act: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AppealFormCallback(act=act, value=value).pack())


def text_markup() -> InlineKeyboardMarkup:
    # «Далее ›»: the bare word is the panel's msgid too (one translation for both).
    return InlineKeyboardMarkup(inline_keyboard=[[form_button(_("Next") + " ›", FormAct.TEXT_DONE)]])


def form_markup(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def cancel_keyboard() -> ReplyKeyboardMarkup:
    # Replaces the main menu for the conversation, so menu labels are not taken as answers.
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=_(CANCEL))]], resize_keyboard=True)


def address_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_(SEND_LOCATION), request_location=True)],
            [KeyboardButton(text=_(SKIP)), KeyboardButton(text=_(CANCEL))],
        ],
        resize_keyboard=True,
    )


def contact_keyboard(*, done: bool) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_(SHARE_PHONE), request_contact=True)],
            [KeyboardButton(text=_(DONE) if done else _(SKIP)), KeyboardButton(text=_(CANCEL))],
        ],
        resize_keyboard=True,
    )


async def send_progress(
    bot: Bot, chat_id: int, state: FSMContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """A step's progress note with its buttons at the bottom of the chat; the previous note loses
    its buttons, so only one «Next» or «Done» is ever live."""
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    data = await state.get_data()
    await drop_buttons_of(bot, chat_id, data.get("progress"))
    await state.update_data(progress=sent.message_id)


# -- the draft ------------------------------------------------------------------------------------


async def start_draft(state: FSMContext, account: TelegramAccount) -> None:
    await state.clear()
    await state.set_data(
        {
            # The appeal's exactly-once key: a repeated «Send» of this draft registers nothing new.
            "key": secrets.token_hex(8),
            "category_id": None,
            "text_parts": [],
            "address": None,
            "building_id": None,
            "latitude": None,
            "longitude": None,
            "files": [],
            # The full name the resident typed or confirmed (59-FZ art. 7), and the one offered for
            # a tap: the name on their own record, never one found by a contact they typed.
            "full_name": None,
            "known_name": None,
            # The number kept on the account may have been typed: only a contact shared during this
            # draft with Telegram's button counts as proof (``phone_proven``).
            "phone": account.phone,
            "phone_proven": False,
            "email": None,
            "editing": False,
        }
    )


async def active_categories(session: AsyncSession) -> list[Category]:
    # A resident writes here; the topics are sorted by their names in the reader's language.
    return await appeal_categories.offered(session, staff=False, locale=get_i18n().current_locale)


async def after(turn: Turn, done: State) -> None:
    """Go on from a finished step: the next one, or the summary when a part was being changed."""
    state = turn.fsm
    data = await state.get_data()
    if data.get("editing"):
        await show_confirm(turn)
        return
    following = ORDER[ORDER.index(done) + 1]
    if following == AppealForm.text and data.get("text_prefilled") and draft_text(data).strip():
        # The appeal started from a message the resident had already written: that is its text.
        following = AppealForm.address
    await ASK[following.state](turn)


# -- prompts --------------------------------------------------------------------------------------


async def ask_category(turn: Turn) -> None:
    state = turn.fsm
    categories = await active_categories(turn.session)
    if not categories:  # nothing to choose from: the administration sorts appeals itself
        await after(turn, AppealForm.category)
        return
    await state.set_state(AppealForm.category)
    rows = [[form_button(short(category_name(c), 60), FormAct.CATEGORY, str(c.id))] for c in categories]
    await turn.bot.send_message(
        turn.chat_id, _("What is your appeal about? Choose a topic."), reply_markup=form_markup(*rows)
    )


def text_prompt() -> str:
    return _(
        "Describe the problem: what happened, where and since when. You may send several "
        "messages; when you have finished, tap «Next».\n\nTo cancel, send /cancel."
    )


async def ask_text(turn: Turn) -> None:
    state = turn.fsm
    await state.set_state(AppealForm.text)
    data = await state.get_data()
    text = text_prompt()
    if data.get("editing"):
        await state.update_data(text_parts=[])
        text = _("Send the new text of the appeal: it will replace the previous one.") + "\n\n" + text
    await send_progress(turn.bot, turn.chat_id, state, text, text_markup())


def text_progress(data: dict[str, Any]) -> str:
    return _("The text has %(n)d characters. Add more or tap «Next».") % {"n": len(draft_text(data))}


def address_prompt() -> str:
    return _(
        "Where is it? Type the address (street and house number) or share a location "
        "with the «%(button)s» button. If the address does not matter, tap «%(skip)s»."
    ) % {"button": _(SEND_LOCATION), "skip": _(SKIP)}


async def ask_address(turn: Turn) -> None:
    state = turn.fsm
    await state.set_state(AppealForm.address)
    await turn.bot.send_message(turn.chat_id, address_prompt(), reply_markup=address_keyboard())


def files_prompt() -> str:
    return _(
        "Attach photos or documents if they help (up to %(n)d files, %(mb)d MB each): single photos, "
        "albums, PDF or office documents. Then tap «Done». Nothing to attach? Tap «Skip»."
    ) % {"n": MAX_FILES, "mb": MAX_FILE_BYTES // (1024 * 1024)}


def files_markup(count: int) -> InlineKeyboardMarkup:
    if not count:
        return form_markup([form_button(_(SKIP), FormAct.FILES_DONE)])
    return form_markup(
        [form_button(_(DONE), FormAct.FILES_DONE)],
        [form_button(_("🗑 Remove the files"), FormAct.FILES_CLEAR)],
    )


async def ask_files(turn: Turn) -> None:
    state = turn.fsm
    await state.set_state(AppealForm.files)
    count = len((await state.get_data()).get("files") or [])
    text = files_prompt()
    if count:
        text += "\n\n" + _("Files attached: %(n)d.") % {"n": count}
    await send_progress(turn.bot, turn.chat_id, state, text, files_markup(count))


def name_prompt() -> str:
    return _(
        "Your full name: surname, first name and patronymic (if you have one), for example: "
        "Ivanova Maria Petrovna. By law an appeal carries the name of the person who writes it; "
        "without the surname it cannot be answered."
    )


async def ask_name(turn: Turn) -> None:
    """The full name; a name already known for this account (its own record) is offered for a tap."""
    state = turn.fsm
    await state.set_state(AppealForm.name)
    data = await state.get_data()
    account = turn.account
    known = data.get("full_name") or (
        await known_full_name(turn.session, account.id, messenger_name=account.display_name)
        if account is not None
        else None
    )
    await state.update_data(known_name=known)
    text = name_prompt()
    markup = None
    if known:
        text += "\n\n" + _("Type it, or tap the button if the name below is right.")
        markup = form_markup([form_button("✅ " + short(str(known), 60), FormAct.NAME_KNOWN)])
    await send_progress(turn.bot, turn.chat_id, state, text, markup)


def contact_prompt(data: dict[str, Any]) -> str:
    lines = [
        _(
            "How can we contact you? Tap «%(button)s» to send your number, and type an e-mail "
            "address if you would like the answer by e-mail too. The answer will come to this chat "
            "in any case."
        )
        % {"button": _(SHARE_PHONE)}
    ]
    if data.get("phone") or data.get("email"):
        lines.append(contact_state(data))
        lines.append(_("Tap «%(done)s» to go on.") % {"done": _(DONE)})
    else:
        lines.append(_("You may also tap «%(skip)s».") % {"skip": _(SKIP)})
    return "\n\n".join(lines)


def contact_state(data: dict[str, Any]) -> str:
    parts = []
    if data.get("phone"):
        parts.append(_("Phone: %(phone)s") % {"phone": data["phone"]})
    if data.get("email"):
        parts.append(_("E-mail: %(email)s") % {"email": data["email"]})
    return "\n".join(parts)


async def ask_contact(turn: Turn) -> None:
    state = turn.fsm
    await state.set_state(AppealForm.contact)
    data = await state.get_data()
    done = bool(data.get("phone") or data.get("email"))
    await turn.bot.send_message(turn.chat_id, contact_prompt(data), reply_markup=contact_keyboard(done=done))


async def show_confirm(turn: Turn) -> None:
    state = turn.fsm
    await state.set_state(AppealForm.confirm)
    await state.update_data(editing=False)
    data = await state.get_data()
    category_id = data.get("category_id")
    category = await turn.session.get(Category, category_id) if isinstance(category_id, int) else None
    markup = form_markup(
        [form_button(_("✅ Send"), FormAct.SEND, str(data.get("key") or ""))],
        [form_button(_("✏️ Change"), FormAct.EDIT), form_button(_("✖ Cancel"), FormAct.CANCEL)],
    )
    await send_progress(turn.bot, turn.chat_id, state, summary(data, category), markup)


ASK = {
    AppealForm.category.state: ask_category,
    AppealForm.text.state: ask_text,
    AppealForm.address.state: ask_address,
    AppealForm.files.state: ask_files,
    AppealForm.name.state: ask_name,
    AppealForm.contact.state: ask_contact,
    AppealForm.confirm.state: show_confirm,
}
