"""A staff member bound in Telegram AND in MAX: notices go once, to the preferred messenger; after a
block in MAX, the refused notice and the next ones arrive in Telegram, once each."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

from aiogram import Bot
from sqlalchemy import select

from models import Building, Correspondent, MailOutbox, OutboxMessage, TelegramAccount, User, utcnow
from models.enums import OutageKind, OutboxStatus, Role
from porucheno.settings import Settings
from services import staff
from services.addresses import import_buildings
from services.audit import Actor
from services.messenger_accounts import set_preferred_messenger
from services.messengers import Messenger
from services.notify import NoticeContext
from services.outages import lifecycle, subscriptions
from tests.bot.assignments_support import create_assignment
from tests.bot.conftest import Chat, make_invite
from tests.bot.max.e2e_support import bind_in_max, labels, sender, text_of
from tests.bot.max_support import MaxChat

CARD_BUTTONS = ["✅ Принять", "↩️ Отклонить", "⏳ Продлить срок", "💬 Комментарий"]


async def _tg_cards(chat: Chat, aid: int) -> list[dict]:
    return [
        m
        for m in await chat.client.bot_messages(chat.user_id)
        if (m["text"] or "").startswith("Новое поручение") and f"Поручение №{aid}:" in m["text"]
    ]


async def _max_cards(chat: MaxChat, aid: int) -> list[dict]:
    return [
        m
        for m in await chat.client.bot_messages(chat.native_id)
        if text_of(m).startswith("Новое поручение") and f"Поручение №{aid}:" in text_of(m)
    ]


async def test_notices_follow_the_preferred_messenger_and_fall_back_on_block(
    new_chat, new_max_chat, max_client, bot: Bot, max_bot: Bot, session_factory, settings: Settings
) -> None:
    sys = Actor.system()
    async with session_factory() as session:
        housing = await staff.create_department(session, sys, "Отдел ЖКХ")
        admin = await staff.create_user(session, sys, full_name="Админ Системы", roles=(Role.ADMIN,))
        controller = await staff.create_user(
            session, sys, full_name="Кузнецова Ольга Викторовна", roles=(Role.CONTROLLER,),
            department_id=housing.id,
        )  # fmt: skip
        executor = await staff.create_user(
            session, sys, full_name="Попов Игорь Петрович", roles=(Role.EXECUTOR,), department_id=housing.id
        )
        colleague = await staff.create_user(
            session, sys, full_name="Сидоров Пётр Ильич", roles=(Role.EXECUTOR,), department_id=housing.id
        )
        await session.commit()

    # The executor opens his invites: the first in Telegram (his primary chat), the second in MAX.
    ex_tg, ex_max = await new_chat("Игорь"), await new_max_chat("Игорь")
    await ex_tg.send(f"/start inv_{await make_invite(session_factory, executor.id)}", expect="Готово")
    await bind_in_max(session_factory, ex_max, executor.id)
    # The colleague the other way round: MAX first, then Telegram.
    co_tg, co_max = await new_chat("Пётр"), await new_max_chat("Пётр")
    await bind_in_max(session_factory, co_max, colleague.id)
    await co_tg.send(f"/start inv_{await make_invite(session_factory, colleague.id)}", expect="Готово")

    async with session_factory() as session:
        accounts = (
            await session.scalars(select(TelegramAccount).where(TelegramAccount.user_id == executor.id))
        ).all()
        assert {a.id for a in accounts} == {ex_tg.user_id, ex_max.user_id}
        bound = await session.get(User, executor.id)
        assert bound is not None and bound.telegram_id == ex_tg.user_id  # the first stays primary
        admin_actor = Actor(user_id=admin.id)
        await set_preferred_messenger(session, admin_actor, user_id=executor.id, messenger=Messenger.MAX)
        await set_preferred_messenger(
            session, admin_actor, user_id=colleague.id, messenger=Messenger.TELEGRAM
        )
        await session.commit()

    town = SimpleNamespace(
        controller=SimpleNamespace(id=controller.id),
        executor=SimpleNamespace(id=executor.id),
        ctx=NoticeContext.from_settings(settings),
    )
    tg_sender = sender(bot, session_factory, settings, Messenger.TELEGRAM)
    max_sender = sender(max_bot, session_factory, settings, Messenger.MAX)

    async def deliver() -> None:
        for _ in range(3):
            await max_sender.drain()
            await tg_sender.drain()

    # Preferred MAX: the card arrives in MAX, with its buttons, and nowhere else.
    first = await create_assignment(session_factory, town, "Покрасить забор")  # type: ignore[arg-type]
    await deliver()
    card = await ex_max.reply(f"Поручение №{first}")
    assert labels(card) == CARD_BUTTONS
    assert len(await _max_cards(ex_max, first)) == 1
    assert await _tg_cards(ex_tg, first) == []

    # Preferred Telegram (though MAX was bound first): the colleague's card arrives in Telegram only.
    theirs = await create_assignment(
        session_factory,
        town,  # type: ignore[arg-type]
        "Убрать листья",
        executor_id=colleague.id,
    )
    await deliver()
    tg_card = await co_tg.reply(f"Поручение №{theirs}")
    assert [b["text"] for row in tg_card["reply_markup"]["inline_keyboard"] for b in row] == CARD_BUTTONS
    assert len(await _tg_cards(co_tg, theirs)) == 1
    assert await _max_cards(co_max, theirs) == []

    # A notice is queued for MAX; then the executor blocks the bot in MAX before it is sent.
    second = await create_assignment(session_factory, town, "Заменить лампы")  # type: ignore[arg-type]
    async with session_factory() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING))
        assert row is not None and row.chat_id == ex_max.user_id
    await max_client.block(ex_max.native_id)

    # The product learns of the block from MAX's refusal (403), as in Telegram: the refused notice
    # and what else waits for that chat move to the executor's Telegram.
    third = await create_assignment(session_factory, town, "Починить дверь")  # type: ignore[arg-type]
    await deliver()
    for aid in (second, third):
        await ex_tg.client.wait_for(ex_tg.user_id, contains=f"Поручение №{aid}:", after_message_id=0)
    async with session_factory() as session:
        account = await session.get(TelegramAccount, ex_max.user_id)
        assert account is not None and account.blocked_at is not None
    # Once the block is known, a new notice is addressed to Telegram straight away.
    fourth = await create_assignment(session_factory, town, "Вымыть окна")  # type: ignore[arg-type]
    async with session_factory() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING))
        assert row is not None and row.chat_id == ex_tg.user_id
    await deliver()
    await ex_tg.client.wait_for(ex_tg.user_id, contains=f"Поручение №{fourth}:", after_message_id=0)
    await asyncio.sleep(0.3)
    await deliver()  # nothing is sent twice
    for aid in (second, third, fourth):
        assert len(await _tg_cards(ex_tg, aid)) == 1, aid
        assert await _max_cards(ex_max, aid) == []
    assert await _tg_cards(ex_tg, first) == [] and len(await _max_cards(ex_max, first)) == 1

    async with session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    notices = [
        r for r in rows if r.method == "sendMessage" and "Новое поручение" in r.payload.get("text", "")
    ]
    assert [(r.chat_id, r.status) for r in notices] == [
        (ex_max.user_id, OutboxStatus.SENT),
        (co_tg.user_id, OutboxStatus.SENT),
        (ex_tg.user_id, OutboxStatus.SENT),
        (ex_tg.user_id, OutboxStatus.SENT),
        (ex_tg.user_id, OutboxStatus.SENT),
    ]
    assert [(r.last_error or "").startswith(f"moved from {ex_max.user_id}") for r in notices] == [
        False,
        False,
        True,
        True,
        False,
    ]


async def test_a_resident_blocked_in_his_only_messenger_gets_the_notice_by_email(
    new_max_chat, max_client, max_bot: Bot, session_factory, settings: Settings
) -> None:
    resident = await new_max_chat("Мария")
    await resident.start(expect="Здравствуйте")
    sys = Actor.system("test")
    async with session_factory() as session:
        dispatcher = await staff.create_user(
            session, sys, full_name="Морозов Денис Олегович", roles=(Role.DISPATCHER,)
        )
        await import_buildings(
            session, "Улица;Дом;Тип объекта;Название\nул. Ленина;1;;\n".encode(), actor=sys, filename="t.csv"
        )
        building = (await session.scalars(select(Building))).one()
        session.add(
            Correspondent(
                name="Мария Иванова",
                email="maria@example.ru",
                email_proven=True,
                telegram_id=resident.user_id,
            )
        )
        await subscriptions.subscribe(session, resident.user_id, building.id)
        await session.commit()
    await max_client.block(resident.native_id)

    ctx = NoticeContext.from_settings(settings)
    async with session_factory() as session:
        author = await session.get(User, dispatcher.id)
        assert author is not None
        outage = await lifecycle.create_outage(
            session,
            author,
            lifecycle.NewOutage(
                kind=OutageKind.ACCIDENT,
                resource="hot_water",
                building_ids=[building.id],
                starts_at=utcnow() - timedelta(minutes=5),
                description="Прорыв трубы",
            ),
        )
        await lifecycle.publish(session, ctx, author, outage.id)
        await session.commit()
    await sender(max_bot, session_factory, settings, Messenger.MAX).drain()

    # MAX refused (403): no message in MAX, one letter to the proven address instead.
    assert not [m for m in await max_client.bot_messages(resident.native_id) if "горячая вода" in text_of(m)]
    async with session_factory() as session:
        [letter] = (await session.scalars(select(MailOutbox))).all()
        [row] = (await session.scalars(select(OutboxMessage))).all()
        account = await session.get(TelegramAccount, resident.user_id)
    assert letter.to_address == "maria@example.ru" and "горячая вода" in letter.body
    assert "<" not in letter.body  # plain text, no Telegram HTML
    assert row.status == OutboxStatus.DROPPED and "sent by e-mail" in (row.last_error or "")
    assert account is not None and account.blocked_at is not None
