"""Step 6: contacts — the resident's own phone through the contact button, an e-mail typed; optional.

Only the contact button proves a phone (Telegram sends the sender's own number): such a number is
the person's verified own, kept on their account as «Share phone» keeps it (the profile shows it;
``services.profile.keep_verified_phone``, one rule for both). A typed number stays with this appeal
only, and the bot says so. A typed e-mail is proven by the code mailed to it when mail is
configured. Unproven contacts stay with the appeal.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Translated
from bot.texts import CANCEL, domain_error_text, quote
from bot.turn import Turn
from handlers.appeals.states import AppealForm
from handlers.appeals.steps import (
    DONE,
    SHARE_PHONE,
    SKIP,
    after,
    cancel_keyboard,
    contact_keyboard,
    contact_prompt,
    contact_state,
)
from models import TelegramAccount
from porucheno.settings import Settings
from services.correspondents import email_codes
from services.correspondents.normalize import normalize_email, normalize_phone
from services.errors import DomainError
from services.profile import keep_verified_phone


async def _saved(message: Message, state: FSMContext, head: str) -> None:
    data = await state.get_data()
    text = "\n\n".join(
        [
            head,
            contact_state(data),
            _("Type an e-mail address if you wish, or tap «%(done)s».") % {"done": _(DONE)},
        ]
    )
    await message.answer(text, reply_markup=contact_keyboard(done=True))


async def got_contact(
    message: Message, state: FSMContext, session: AsyncSession, account: TelegramAccount
) -> None:
    contact = message.contact
    assert contact is not None  # guaranteed by the filter
    # The attachment menu can send anybody's contact; only the button sends the user's own.
    if contact.user_id != account.id:
        await message.answer(
            _(
                "This is not your contact. Please share your own number with the «%(button)s» button, "
                "or tap «%(skip)s»."
            )
            % {"button": _(SHARE_PHONE), "skip": _(SKIP)}
        )
        return
    raw = contact.phone_number
    # Telegram has verified the number; it may come without the «+».
    phone = normalize_phone(raw, international=True)
    if phone is None:
        await message.answer(
            _("The messenger sent a number I cannot read. Please type your e-mail or tap «Skip».")
        )
        return
    # Telegram attests that this number belongs to the sender: a proof of identity, and their
    # number for the profile as well.
    await keep_verified_phone(session, account, phone)
    await state.update_data(phone=phone, phone_proven=True)
    await _saved(
        message, state, _("Thank you, the phone number is added to the appeal and saved in your profile.")
    )


async def got_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    settings: Settings,
    i18n: I18n,
) -> None:
    text = (message.text or "").strip()
    if "@" in text:
        email = normalize_email(text)
        if email is None:
            await message.answer(
                _(
                    "This does not look like an e-mail address. Example: ivanova@mail.ru. "
                    "Please type it again."
                )
            )
            return
        await state.update_data(email=email)
        if settings.smtp_host:  # mail can be sent: offer to prove the address with a code
            await _send_code(message, state, session, account, email, i18n.current_locale)
            return
        await _saved(message, state, _("Thank you, the e-mail address is added."))
        return
    phone = normalize_phone(text)
    if phone is None or not phone.startswith("+7"):
        await message.answer(
            _(
                "I did not understand. Tap «%(button)s» to send your phone number, type an e-mail "
                "address, or tap «%(skip)s»."
            )
            % {"button": _(SHARE_PHONE), "skip": _(SKIP)}
        )
        return
    # A typed number is kept with the appeal for a call back; it proves nothing and is not the
    # profile's number.
    await state.update_data(phone=phone, phone_proven=False)
    await _saved(
        message,
        state,
        _(
            "Thank you, the phone number is added to this appeal. A typed number is not checked, so "
            "it is not saved in your profile: to save it there, share it with the «%(button)s» button."
        )
        % {"button": _(SHARE_PHONE)},
    )


def code_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_(SKIP)), KeyboardButton(text=_(CANCEL))]], resize_keyboard=True
    )


async def _send_code(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    email: str,
    locale: str,
) -> None:
    try:
        await email_codes.send_code(session, account.id, email, locale=locale)
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        await _saved(message, state, _("The e-mail address is kept with the appeal, unconfirmed."))
        return
    await state.set_state(AppealForm.email_code)
    await message.answer(
        _(
            "We have sent a 6-digit code to %(email)s. Type it here to confirm the address: then "
            "your earlier appeals by e-mail are shown in «%(mine)s». Or tap «%(skip)s»: the address "
            "is kept with this appeal only."
        )
        % {"email": quote(email), "mine": _("My appeals"), "skip": _(SKIP)},
        reply_markup=code_keyboard(),
    )


async def got_code(
    message: Message, state: FSMContext, session: AsyncSession, account: TelegramAccount
) -> None:
    data = await state.get_data()
    try:
        confirmed = await email_codes.confirm_code(
            session, account.id, data.get("email") or "", message.text or ""
        )
    except DomainError as exc:
        await state.set_state(AppealForm.contact)
        await message.answer(domain_error_text(exc))
        await _saved(message, state, _("The e-mail address is kept with the appeal, unconfirmed."))
        return
    if not confirmed:
        await message.answer(
            _("The code is wrong. Please check it and type it again, or tap «%(skip)s».") % {"skip": _(SKIP)}
        )
        return
    await state.set_state(AppealForm.contact)
    await _saved(message, state, _("Thank you, the e-mail address is confirmed."))


async def skip_code(message: Message, state: FSMContext) -> None:
    await state.set_state(AppealForm.contact)
    await _saved(message, state, _("The e-mail address is kept with the appeal, unconfirmed."))


async def code_hint(message: Message) -> None:
    await message.answer(
        _("Please type the 6-digit code from the letter, or tap «%(skip)s».") % {"skip": _(SKIP)}
    )


async def finish(message: Message, turn: Turn, state: FSMContext) -> None:
    data = await state.get_data()
    note = contact_state(data) or _("Without contacts: the answer will come to this chat.")
    # A plain message puts the conversation keyboard back in place of the contact button.
    await message.answer(note, reply_markup=cancel_keyboard())
    await after(turn, AppealForm.contact)


async def hint(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    done = bool(data.get("phone") or data.get("email"))
    await message.answer(contact_prompt(data), reply_markup=contact_keyboard(done=done))


def create_router() -> Router:
    router = Router(name="appeals.contact")
    router.message.register(finish, AppealForm.contact, Translated(SKIP))
    router.message.register(finish, AppealForm.contact, Translated(DONE))
    router.message.register(got_contact, AppealForm.contact, F.contact)
    router.message.register(got_text, AppealForm.contact, F.text, ~F.text.startswith("/"))
    router.message.register(hint, AppealForm.contact)
    router.message.register(skip_code, AppealForm.email_code, Translated(SKIP))
    router.message.register(got_code, AppealForm.email_code, F.text.regexp(r"^\s*\d[\d\s-]*$"))
    router.message.register(code_hint, AppealForm.email_code)
    return router
