"""An agent answers a service request with a template from Telegram; outsiders get nothing."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ServiceComment, ServiceRequest, ServiceTopic
from models.enums import ServiceStatus
from porucheno.settings import Settings
from services import staff
from services.audit import Actor
from services.notify import NoticeContext
from services.service_desk import requests
from services.templates import answers
from tests.bot.conftest import keyboard_texts


async def _setup(session_factory: async_sessionmaker[AsyncSession], new_chat, settings: Settings):  # type: ignore[no-untyped-def]
    agent_chat, outsider_chat = await new_chat("Олег"), await new_chat("Мария")
    sys = Actor.system()
    ctx = NoticeContext.from_settings(settings)
    async with session_factory() as session:
        it = await staff.create_department(session, sys, "ИТ-отдел")
        other = await staff.create_department(session, sys, "Бухгалтерия")
        agent = await staff.create_user(
            session, sys, full_name="Олегов Олег", department_id=it.id, telegram_id=agent_chat.user_id
        )
        outsider = await staff.create_user(
            session, sys, full_name="Мариева Мария", department_id=other.id, telegram_id=outsider_chat.user_id
        )
        manager = await staff.create_user(session, sys, full_name="Руководитель", roles=["manager"])
        topic = ServiceTopic(code="printers", name_ru="Принтеры", name_en="Printers", department_id=it.id)
        mail = ServiceTopic(code="mail", name_ru="Почта", name_en="Mail", department_id=it.id)
        session.add_all([topic, mail])
        await session.flush()
        for title, body, topic_id in (
            ("Картридж заменён", "Картридж заменён, проверьте печать.", topic.id),
            ("Пароль сброшен", "Новый пароль отправлен.", mail.id),
        ):
            await answers.save_service(
                session, Actor(user_id=manager.id), None, title=title, body=body, topic_id=topic_id
            )
        request = await requests.file_request(
            session, outsider, requests.NewRequest(topic_id=topic.id, subject="Не печатает принтер"), ctx=ctx
        )
        await requests.take(session, agent, request.id, ctx=ctx)
        await session.commit()
        return agent_chat, outsider_chat, request.id


async def _card(bot: Bot, chat, request_id: int) -> dict:  # type: ignore[no-untyped-def]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="📝 Шаблоны", callback_data=f"tpl:req:{request_id}")]]
    )
    sent = await bot.send_message(chat.user_id, "Карточка заявки", reply_markup=markup)
    return {"message_id": sent.message_id}


async def test_agent_resolves_with_a_template(
    new_chat, session_factory: async_sessionmaker[AsyncSession], bot: Bot, bot_settings: Settings
) -> None:
    agent, _outsider, request_id = await _setup(session_factory, new_chat, bot_settings)
    await agent.send("/start", expect="Здравствуйте")
    await agent.press(await _card(bot, agent, request_id), "📝 Шаблоны")
    listing = await agent.reply("Шаблоны ответов по заявке")
    assert keyboard_texts(listing) == ["Картридж заменён"]  # the other topic's template is not offered
    await agent.press(listing, "Картридж заменён")
    shown = await agent.reply("Картридж заменён, проверьте печать.")
    assert keyboard_texts(shown) == ["Отправить ответом", "Решить с этим текстом"]
    await agent.press(shown, "Отправить ответом")
    sent = await agent.reply("отправлен ответом")
    async with session_factory() as session:
        number = (await session.get(ServiceRequest, request_id)).number  # type: ignore[union-attr]
    assert sent["text"] == f"Шаблон «Картридж заменён» отправлен ответом по заявке №{number}."
    await agent.press(listing, "Картридж заменён")  # the list stays: the template again, to resolve
    shown = await agent.reply("Картридж заменён, проверьте печать.")
    await agent.press(shown, "Решить с этим текстом")
    done = await agent.reply("решена")
    assert "«Картридж заменён»" in done["text"]
    async with session_factory() as session:
        request = await session.get(ServiceRequest, request_id)
        texts = (
            await session.scalars(
                select(ServiceComment.text)
                .where(ServiceComment.request_id == request_id)
                .order_by(ServiceComment.id)
            )
        ).all()
    assert request is not None and request.status == ServiceStatus.RESOLVED
    assert list(texts)[-2:] == ["Картридж заменён, проверьте печать."] * 2


async def test_outsider_and_forged_presses_are_refused(
    new_chat, session_factory: async_sessionmaker[AsyncSession], bot: Bot, bot_settings: Settings
) -> None:
    agent, outsider, request_id = await _setup(session_factory, new_chat, bot_settings)
    await outsider.send("/start", expect="Здравствуйте")
    query = await outsider.press(await _card(bot, outsider, request_id), "📝 Шаблоны")
    answer = await outsider.callback_answer(query)
    assert answer["text"] == "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."
    # An agent pressing a forged button with the other topic's template: refused, nothing sent.
    async with session_factory() as session:
        other_id = await answers.for_service_request(session, None)
        foreign = await session.scalar(select(ServiceTopic.id).where(ServiceTopic.code == "mail"))
        foreign_tpl = (await answers.for_service_request(session, foreign))[0].id
    assert other_id == []
    await agent.send("/start", expect="Здравствуйте")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="x", callback_data=f"tpl:solve:{request_id}:{foreign_tpl}")]
        ]
    )
    sent = await bot.send_message(agent.user_id, "Подделка", reply_markup=markup)
    answer = await agent.callback_answer(await agent.client.press(agent.user_id, sent.message_id, text="x"))
    assert "устарела" in answer["text"]
    async with session_factory() as session:
        request = await session.get(ServiceRequest, request_id)
    assert request is not None and request.status == ServiceStatus.IN_WORK
