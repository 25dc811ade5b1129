"""Double opt-in to mailings in the bot: /subscribe → the confirmation with two buttons → confirmed;
a request from a form declined with «No, thanks»; /unsubscribe withdraws."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Correspondent, TelegramAccount
from porucheno.i18n import gettext
from services.audit import Actor
from services.mailings import consent
from tests.bot.conftest import keyboard_texts
from tests.bot.residents_support import CTX, deliver


def ru(msgid: str) -> str:
    """What a Russian-speaking person reads (the catalogs may lag the code: the msgid then)."""
    return gettext("ru", msgid)


async def status(factory: async_sessionmaker[AsyncSession], telegram_id: int) -> str | None:
    async with factory() as session:
        card_id = await consent.card_of_account(session, telegram_id)
        row = await consent.status_of(session, card_id) if card_id else None
        return row.status if row else None


async def test_subscribe_confirm_then_unsubscribe(new_chat, bot, session_factory) -> None:
    chat = await new_chat("Мария")
    await chat.send("/start")
    await chat.send(
        "/subscribe", expect=ru("Almost done: please confirm the subscription in the next message.")
    )
    assert await status(session_factory, chat.user_id) == "pending"

    await deliver(bot, session_factory)
    ask = await chat.reply(ru(consent.ASK_TEXT)[:40])
    assert keyboard_texts(ask) == [ru(consent.CONFIRM_BUTTON), ru(consent.DECLINE_BUTTON)]
    await chat.press(ask, ru(consent.CONFIRM_BUTTON))
    done = await chat.reply(
        ru("Thank you! You are subscribed to the museum's news. To unsubscribe, send /unsubscribe.")
    )
    assert keyboard_texts(done) == []  # the buttons went away
    assert await status(session_factory, chat.user_id) == "confirmed"

    # Asking again changes nothing and sends no new confirmation.
    await chat.send(
        "/subscribe",
        expect=ru("You are already subscribed to the museum's news. To unsubscribe, send /unsubscribe."),
    )
    await chat.send(
        "/unsubscribe",
        expect=ru("You have unsubscribed from the museum's mailings. To subscribe again, send /subscribe."),
    )
    assert await status(session_factory, chat.user_id) == "withdrawn"
    await chat.send("/unsubscribe", expect=ru("You are not subscribed to mailings."))


async def test_a_form_request_declined_with_no_thanks(new_chat, bot, session_factory) -> None:
    chat = await new_chat("Пётр")
    await chat.send("/start")
    async with session_factory() as session:  # a form answered in the bot asks for the consent
        account = await session.get(TelegramAccount, chat.user_id)
        assert account is not None
        card = Correspondent(name="Пётр Петров", name_search="пётр петров", telegram_id=chat.user_id)
        session.add(card)
        await session.flush()
        await consent.request(
            session,
            correspondent_id=card.id,
            channel="form",
            actor=Actor(telegram_id=chat.user_id),
            telegram_id=chat.user_id,
            notify=CTX,
        )
        await session.commit()
    await deliver(bot, session_factory)
    ask = await chat.reply(ru(consent.ASK_TEXT)[:40])
    await chat.press(ask, ru(consent.DECLINE_BUTTON))
    await chat.reply(ru("All right, we will not send you mailings. Changed your mind? Send /subscribe."))
    assert await status(session_factory, chat.user_id) == "withdrawn"
    # The old «confirm» button of that message cannot resurrect it: the message was edited.
    assert keyboard_texts((await chat.client.bot_messages(chat.user_id))[-1]) == []
