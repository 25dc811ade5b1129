"""Consent to mailings in the bot: the «✅ I confirm» / «No, thanks» buttons under the request
(queued by ``services.mailings.consent.request``), ``/subscribe`` and ``/unsubscribe``.

Every press reloads the consent and checks that the presser is the person asked (the service does).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import domain_error_text
from models import TelegramAccount
from models.enums import MailingConsentStatus
from services.audit import Actor
from services.correspondents import directory
from services.correspondents.contact import ContactInput
from services.errors import DomainError
from services.mailings import consent
from services.notify import NoticeContext

DB_ID_MAX = 2**63 - 1


class ConsentCallback(CallbackData, prefix=consent.CB_PREFIX):
    action: str
    id: int


async def pressed(
    query: CallbackQuery, callback_data: ConsentCallback, session: AsyncSession, account: TelegramAccount
) -> None:
    if callback_data.action not in (consent.YES, consent.NO) or not 0 < callback_data.id <= DB_ID_MAX:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    accept = callback_data.action == consent.YES
    try:
        change = await consent.answer_from_chat(
            session, callback_data.id, telegram_id=account.id, accept=accept
        )
    except DomainError as exc:
        await query.answer(domain_error_text(exc), show_alert=True)
        return
    if accept:
        text = _("Thank you! You are subscribed to the museum's news. To unsubscribe, send /unsubscribe.")
    else:
        text = _("All right, we will not send you mailings. Changed your mind? Send /subscribe.")
    await query.answer()
    if isinstance(query.message, Message):
        # The buttons go away: the answer is given (a second press would be a no-op anyway).
        await query.message.edit_text(text, reply_markup=None)
    elif change.changed:
        await query.bot.send_message(account.chat_id, text)  # type: ignore[union-attr]


async def unsubscribe(message: Message, session: AsyncSession, account: TelegramAccount) -> None:
    card_id = await consent.card_of_account(session, account.id)
    change = None
    if card_id is not None:
        change = await consent.withdraw(
            session, card_id, actor=Actor(telegram_id=account.id), channel="telegram"
        )
    if change is None or not change.changed:
        await message.answer(_("You are not subscribed to mailings."))
        return
    await message.answer(
        _("You have unsubscribed from the museum's mailings. To subscribe again, send /subscribe.")
    )


async def subscribe(
    message: Message, session: AsyncSession, account: TelegramAccount, notice_ctx: NoticeContext
) -> None:
    actor = Actor(telegram_id=account.id)
    card_id = await consent.card_of_account(session, account.id)
    if card_id is None:
        card = await directory.find_or_create(
            session, ContactInput(name=account.display_name, telegram_id=account.id), actor=actor
        )
        card_id = card.id
    try:
        row = await consent.request(
            session,
            correspondent_id=card_id,
            channel="telegram",
            actor=actor,
            telegram_id=account.id,
            locale=account.locale,
            notify=notice_ctx,
        )
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    if row.status == MailingConsentStatus.CONFIRMED:  # request() never confirms: it was already
        await message.answer(
            _("You are already subscribed to the museum's news. To unsubscribe, send /unsubscribe.")
        )
        return
    await message.answer(_("Almost done: please confirm the subscription in the next message."))


def create_consent_router() -> Router:
    router = Router(name="mailing_consent")
    router.callback_query.register(pressed, ConsentCallback.filter())
    router.message.register(unsubscribe, Command("unsubscribe"))
    router.message.register(subscribe, Command("subscribe"))
    return router
