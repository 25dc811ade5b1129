"""«Share phone»: a small conversation asking for a contact or a typed Russian number.

A resident (no staff account) is first asked for the consent to the processing of personal data
(152-FZ), as in «Write an appeal»: the number is personal data. Staff give their numbers under
their employment and are not asked."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from bot.consent_prompt import prompt_text
from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuButton, MenuItem
from bot.messages import drop_buttons, outdated, settle
from bot.texts import CANCEL, domain_error_text
from bot.turn import Turn
from models import TelegramAccount, User
from services.errors import InvalidInput
from services.privacy import consent
from services.profile import keep_verified_phone, normalize_phone, set_account_phone


class PhoneForm(StatesGroup):
    consent = State()
    waiting = State()


class PhoneConsent(CallbackData, prefix="phc"):
    agree: bool
    version: int  # the version the person read


SHARE_PHONE = MenuItem(
    "phone",
    N_("Share phone"),
    roles=ALL_STAFF,
    residents=True,
    hint=N_("leave a phone number for contact"),
    order=20,
)
MENU_ITEMS = (SHARE_PHONE,)

SEND_CONTACT = N_("Send my number")


def _phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_(SEND_CONTACT), request_contact=True)],
            [KeyboardButton(text=_(CANCEL))],
        ],
        resize_keyboard=True,
        one_time_keyboard=False,
    )


def _waiting_hint() -> str:
    return _(
        "I am waiting for your phone number. Tap «%(button)s» below or type the number, "
        "for example +7 900 123-45-67. To cancel, send /cancel."
    ) % {"button": _(SEND_CONTACT)}


async def start_phone(
    message: Message, state: FSMContext, turn: Turn, account: TelegramAccount, user: User | None
) -> None:
    """Residents consent first (once per version of the text); staff go straight to the number."""
    if user is None:
        text = await consent.current(turn.session)
        if not await consent.telegram_consented(turn.session, account.id, text.version):
            await state.clear()
            await state.set_state(PhoneForm.consent)
            purpose = _(
                "To keep your phone number we need your consent. Please read it and tap «I agree» or "
                "«I decline». If you decline, the number is not asked for."
            )
            buttons = [
                [
                    InlineKeyboardButton(
                        text=_("✅ I agree"),
                        callback_data=PhoneConsent(agree=True, version=text.version).pack(),
                    )
                ],
                [
                    InlineKeyboardButton(
                        text=_("✖ I decline"),
                        callback_data=PhoneConsent(agree=False, version=text.version).pack(),
                    )
                ],
            ]
            await message.answer(
                prompt_text(turn, text, purpose), reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons)
            )
            return
    await ask_phone(message, state)


async def consent_decided(
    query: CallbackQuery, callback_data: PhoneConsent, state: FSMContext, turn: Turn, account: TelegramAccount
) -> None:
    # The version on the button is the one the person read; it must still exist.
    if await consent.by_version(turn.session, callback_data.version) is None:
        await outdated(query)
        return
    decision = consent.GIVEN if callback_data.agree else consent.REFUSED
    await consent.log(
        turn.session,
        consent.ConsentEntry(
            channel="telegram", version=callback_data.version, decision=decision, telegram_id=account.id
        ),
    )
    await turn.session.commit()
    await query.answer()
    if not callback_data.agree:
        await state.clear()
        await drop_buttons(query)
        await turn.bot.send_message(
            turn.chat_id,
            _("Without your consent your phone number is not kept. Nothing has been saved."),
            reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
        )
        return
    await settle(
        query,
        _("Consent to the processing of personal data: given (version %(v)d).")
        % {"v": callback_data.version},
    )
    assert isinstance(query.message, Message)
    await ask_phone(query.message, state)


async def consent_hint(message: Message) -> None:
    """Anything typed before the decision is not kept: the person is asked to decide first."""
    await message.answer(_("Please tap «I agree» or «I decline» above. To cancel, send /cancel."))


async def ask_phone(message: Message, state: FSMContext) -> None:
    await state.set_state(PhoneForm.waiting)
    await message.answer(
        _(
            "Please share your phone number: tap «%(button)s» below or type the number, "
            "for example +7 900 123-45-67.\n\nTo cancel, send /cancel or tap «%(cancel)s»."
        )
        % {"button": _(SEND_CONTACT), "cancel": _(CANCEL)},
        reply_markup=_phone_keyboard(),
    )


async def got_contact(message: Message, turn: Turn, account: TelegramAccount) -> None:
    contact = message.contact
    assert contact is not None  # guaranteed by the F.contact filter
    # The attachment menu can send anybody's contact; only the button sends the user's own.
    if contact.user_id is not None and contact.user_id != account.id:
        await message.answer(
            _("Please send your own contact with the «%(button)s» button.") % {"button": _(SEND_CONTACT)}
        )
        return
    # Telegram attests the number is the sender's: it may link their correspondent record.
    await _save(
        message, turn, account, contact.phone_number, source="contact", own=contact.user_id == account.id
    )


async def got_text(message: Message, turn: Turn, account: TelegramAccount) -> None:
    await _save(message, turn, account, message.text or "", source="text")


async def _save(
    message: Message, turn: Turn, account: TelegramAccount, raw: str, *, source: str, own: bool = False
) -> str | None:
    """Store the number (``own``: the messenger verified it is the sender's); returns it normalised,
    or None when it was refused."""
    try:
        phone = normalize_phone(raw, allow_foreign=source == "contact")
    except InvalidInput as exc:
        await message.answer(f"{domain_error_text(exc)}\n\n{_waiting_hint()}")
        return None
    if own:
        await keep_verified_phone(turn.session, account, phone)
    else:
        await set_account_phone(turn.session, account, phone, source=source)
    await turn.fsm.clear()
    await message.answer(
        _("Thank you! Your phone number %(phone)s has been saved.") % {"phone": phone},
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )
    return phone


async def unexpected(message: Message) -> None:
    """A sticker, voice, photo... while we wait for a number: explain and keep waiting."""
    await message.answer(_waiting_hint())


def create_router() -> Router:
    router = Router(name="phone")
    router.message.register(start_phone, MenuButton(SHARE_PHONE.key))
    router.callback_query.register(consent_decided, PhoneForm.consent, PhoneConsent.filter())
    router.message.register(consent_hint, PhoneForm.consent)
    router.message.register(got_contact, PhoneForm.waiting, F.contact)
    router.message.register(got_text, PhoneForm.waiting, F.text)
    router.message.register(unexpected, PhoneForm.waiting)
    return router
