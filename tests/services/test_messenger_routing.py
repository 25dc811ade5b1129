"""A person with accounts in both messengers: notices go to the preferred one, once; a block moves
what is queued to the other one, then to a trusted e-mail, else drops it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MailOutbox, OutboxMessage, TelegramAccount, User
from models.enums import OutboxStatus
from services import outbox
from services.messengers import MAX_OFFSET, Messenger, max_address, max_native, messenger_of
from services.telegram_accounts import staff_chats

TG = 500_100_001
MX = max_address(4242)


def test_addresses_keep_the_messengers_apart() -> None:
    assert messenger_of(TG) is Messenger.TELEGRAM
    assert messenger_of(-1001234567890) is Messenger.TELEGRAM  # a Telegram supergroup
    assert messenger_of(MX) is Messenger.MAX and max_native(MX) == 4242
    assert messenger_of(max_address(-77)) is Messenger.MAX and max_native(max_address(-77)) == -77
    assert MX == MAX_OFFSET + 4242


async def _user_in_both(session: AsyncSession, *, preferred: str | None, email: str | None = None) -> User:
    user = User(full_name="Петрова Анна", telegram_id=TG, preferred_messenger=preferred, email=email)
    session.add(user)
    await session.flush()
    session.add_all(
        [
            TelegramAccount(id=TG, chat_id=TG, messenger="telegram", user_id=user.id),
            TelegramAccount(id=MX, chat_id=MX, messenger="max", user_id=user.id),
        ]
    )
    await session.flush()
    return user


async def _queued(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_a_notice_goes_once_to_the_preferred_messenger(session: AsyncSession) -> None:
    user = await _user_in_both(session, preferred="max")
    chats = [c for u, c in await staff_chats(session) if u.id == user.id]
    assert chats == [TG]  # one chat per person, whatever the number of accounts
    # Both of the person's chats get the same notice (as a careless caller might): one is queued.
    notices = [
        outbox.text_message(TG, "Новое поручение", dedup_key="a"),
        outbox.text_message(MX, "Новое поручение"),
    ]
    assert await outbox.enqueue_many(session, notices) == 1
    [row] = await _queued(session)
    assert row.chat_id == MX and row.payload["chat_id"] == MX

    user.preferred_messenger = "telegram"
    await outbox.enqueue(session, outbox.text_message(MX, "Срок завтра", dedup_key="b"))
    assert (await _queued(session))[-1].chat_id == TG


async def test_without_a_preference_the_first_bound_messenger_is_used(session: AsyncSession) -> None:
    await _user_in_both(session, preferred=None)
    await outbox.enqueue(session, outbox.text_message(MX, "Напоминание"))
    assert (await _queued(session))[0].chat_id == TG


async def test_a_block_moves_the_queue_to_the_other_messenger(session: AsyncSession) -> None:
    await _user_in_both(session, preferred="telegram")
    await outbox.enqueue(session, outbox.text_message(TG, "Первое"))
    await outbox.enqueue(session, outbox.text_message(TG, "Второе"))
    await outbox.enqueue(
        session,
        outbox.OutgoingMessage(TG, {"chat_id": TG, "message_id": 5, "text": "x"}, method="editMessageText"),
    )
    outcome = await outbox.mark_blocked(session, TG, "Forbidden: bot was blocked by the user")
    assert (outcome.moved, outcome.dropped) == (2, 1)
    rows = await _queued(session)
    assert [(r.chat_id, r.status) for r in rows if r.method == "sendMessage"] == [
        (MX, OutboxStatus.PENDING),
        (MX, OutboxStatus.PENDING),
    ]
    assert [r.status for r in rows if r.method == "editMessageText"] == [OutboxStatus.DROPPED]
    # Later notices go straight to the open messenger, whatever the preference says.
    await outbox.enqueue(session, outbox.text_message(TG, "Третье"))
    assert (await _queued(session))[-1].chat_id == MX


async def test_blocked_everywhere_falls_back_to_a_trusted_email(session: AsyncSession) -> None:
    await _user_in_both(session, preferred="max", email="petrova@example.ru")
    await outbox.mark_blocked(session, TG, "Forbidden")
    await outbox.enqueue(session, outbox.text_message(TG, "<b>Поручение №5</b> просрочено"))
    outcome = await outbox.mark_blocked(session, MX, "chat.denied")
    assert (outcome.moved, outcome.mailed, outcome.dropped) == (0, 1, 0)
    [mail] = (await session.scalars(select(MailOutbox))).all()
    assert mail.to_address == "petrova@example.ru"
    assert mail.body == "Поручение №5 просрочено" and mail.subject == "Уведомление «Поручено»"
    assert [r.status for r in await _queued(session)] == [OutboxStatus.DROPPED]


async def test_a_typed_email_of_a_resident_is_never_written_to(session: AsyncSession) -> None:
    card = Correspondent(name="Сидоров", email="typed@example.ru", email_proven=False, telegram_id=MX)
    session.add(card)
    await session.flush()
    session.add(TelegramAccount(id=MX, chat_id=MX, messenger="max", correspondent_id=card.id))
    await outbox.enqueue(session, outbox.text_message(MX, "Отключение воды"))
    outcome = await outbox.mark_blocked(session, MX, "chat.denied")
    assert (outcome.mailed, outcome.dropped) == (0, 1)
    assert (await session.scalars(select(MailOutbox))).first() is None


async def test_mailings_stay_in_the_chat_they_were_sent_to(session: AsyncSession) -> None:
    await _user_in_both(session, preferred="telegram", email="petrova@example.ru")
    await outbox.enqueue(session, outbox.text_message(TG, "Новости музея"), batch="mailing:7")
    outcome = await outbox.mark_blocked(session, TG, "Forbidden")
    assert (outcome.moved, outcome.mailed, outcome.dropped) == (0, 0, 1)


async def test_a_messenger_that_keeps_failing_hands_the_notice_to_the_other(session: AsyncSession) -> None:
    await _user_in_both(session, preferred="telegram", email="petrova@example.ru")
    await outbox.enqueue(session, outbox.text_message(TG, "Срок поручения №9 истекает"))
    [row] = await _queued(session)
    for _ in range(outbox.MAX_ATTEMPTS):
        await outbox.mark_retry(session, row, "TelegramServerError: Bad Gateway")
        await session.refresh(row)
    assert (row.chat_id, row.status, row.attempts) == (MX, OutboxStatus.PENDING, 0)
    assert row.last_error.startswith(f"moved from {TG}")
    # The failing chat is not taken for blocked: the next notice tries the preferred one again.
    assert (await session.get(TelegramAccount, TG)).blocked_at is None
    # When the other messenger fails too, the trusted e-mail is the last way.
    for _ in range(outbox.MAX_ATTEMPTS):
        await outbox.mark_retry(session, row, "TelegramNetworkError: timeout")
        await session.refresh(row)
    assert row.status == OutboxStatus.DROPPED and row.last_error.endswith("sent by e-mail")
    assert [m.to_address for m in (await session.scalars(select(MailOutbox))).all()] == ["petrova@example.ru"]
