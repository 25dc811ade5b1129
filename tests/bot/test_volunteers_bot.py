"""A volunteer in the bot: accepted and told; invited to an event, confirms with a tap; sees the
shifts and hours under «🙋 Волонтёрство»; a resident who is not a volunteer is told how to apply;
stale, foreign and forged presses are answered, never obeyed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_sender import OutboxSender
from models import VolunteerShift, utcnow
from models.enums import VolunteerShiftStatus, VolunteerStatus
from sandbox.runner import RunningSandbox
from services.audit import Actor
from services.correspondents.contact import ContactInput
from services.correspondents.directory import find_or_create
from services.volunteers import base, shifts
from tests.bot.assignments_support import buttons, outbox_fixture, press_data  # noqa: F401 - fixtures
from tests.bot.conftest import Chat, keyboard_texts
from tests.volunteers_support import CTX, make_event, make_staff, questionnaire


async def _volunteer_of(factory: async_sessionmaker[AsyncSession], chat: Chat, name: str) -> int:
    """The person's own CRM card (by their Telegram id, as the forms feature files it) and a
    questionnaire answer on it."""
    async with factory() as session:
        card = await find_or_create(
            session, ContactInput(name=name, telegram_id=chat.user_id), actor=Actor(telegram_id=chat.user_id)
        )
        volunteer = await questionnaire(session, card, {"skills": "экскурсии", "availability": "weekends"})
        await session.commit()
        return volunteer.id


async def _shift(factory: async_sessionmaker[AsyncSession], shift_id: int) -> VolunteerShift:
    async with factory() as session:
        row = await session.get(VolunteerShift, shift_id)
        assert row is not None
        return row


async def test_volunteer_is_accepted_invited_and_confirms(
    new_chat, session_factory, outbox: OutboxSender, sandbox: RunningSandbox
) -> None:
    chat = await new_chat("Дарья")
    menu = await chat.send("/start")
    assert "🙋 Волонтёрство" in keyboard_texts(menu)
    volunteer_id = await _volunteer_of(session_factory, chat, "Орлова Дарья")
    async with session_factory() as session:
        manager = await make_staff(session)
        await base.set_status(session, manager, volunteer_id, VolunteerStatus.ACTIVE, ctx=CTX)
        event = await make_event(session, "Ночь музеев", utcnow() + timedelta(days=5), hours=3)
        shift = await shifts.assign(
            session, manager, volunteer_id=volunteer_id, event_id=event.id, role="Гардероб", ctx=CTX
        )
        shift_id, manager_id = shift.id, manager.id
        await session.commit()
    await chat.reply("Теперь вы активный волонтёр музея")
    invite = await chat.reply("Вас приглашают волонтёром")
    assert (
        "Ночь музеев" in invite["text"]
        and "Роль: Гардероб" in invite["text"]
        and "Место: Главный зал" in invite["text"]
    )
    assert list(buttons(invite)) == ["✅ Приду", "✖ Не смогу"]

    # The menu item lists the open invitation and the hours so far.
    mine = await chat.send("🙋 Волонтёрство", expect="Волонтёрство")
    assert "Статус: активен" in mine["text"] and "Часы: 0 всего, 0 в этом году" in mine["text"]
    assert "Ночь музеев" in mine["text"] and "⏳ Ждём вашего ответа" in mine["text"]

    query = await chat.press(invite, "✅ Приду")
    assert (await chat.callback_answer(query))["text"] == "✅ Спасибо! Ждём вас."
    assert (await _shift(session_factory, shift_id)).status == VolunteerShiftStatus.CONFIRMED
    # The same invitation pressed again (an old copy of it): refused, the answer stays.
    query = press_data(sandbox, chat, invite["message_id"], f"vol:ok:{shift_id}")
    assert (await chat.callback_answer(query))["text"] == "Вы уже ответили на это приглашение."
    mine = await chat.send("🙋 Волонтёрство", expect="Волонтёрство")
    assert "✅ Вы подтвердили" in mine["text"]

    # Someone else's shift, a made-up id, an unknown action: answered, nothing changes.
    async with session_factory() as session:
        other_card = await find_or_create(
            session, ContactInput(name="Чужой", telegram_id=1), actor=Actor.system()
        )
        other = await questionnaire(session, other_card, {})
        manager = await session.get(type(manager), manager_id)
        await base.set_status(session, manager, other.id, VolunteerStatus.ACTIVE, ctx=CTX)
        foreign = await shifts.assign(session, manager, volunteer_id=other.id, event_id=event.id, ctx=CTX)
        foreign_id = foreign.id
        await session.commit()
    for data, answer in (
        (f"vol:no:{foreign_id}", "Смена не найдена."),
        ("vol:ok:99999999999999999999", "Смена не найдена."),
        (f"vol:zz:{shift_id}", "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."),
    ):
        query = press_data(sandbox, chat, invite["message_id"], data)
        assert (await chat.callback_answer(query))["text"] == answer
    assert (await _shift(session_factory, foreign_id)).status == VolunteerShiftStatus.ASSIGNED
    assert (await _shift(session_factory, shift_id)).status == VolunteerShiftStatus.CONFIRMED


async def test_a_volunteer_declines_and_a_resident_is_told_how_to_apply(
    new_chat, session_factory, outbox: OutboxSender
) -> None:
    chat = await new_chat("Нина")
    await chat.send("/start")
    volunteer_id = await _volunteer_of(session_factory, chat, "Лебедева Нина")
    async with session_factory() as session:
        manager = await make_staff(session)
        await base.set_status(session, manager, volunteer_id, VolunteerStatus.ACTIVE, ctx=CTX)
        event = await make_event(session, "Лекция", utcnow() + timedelta(days=2))
        shift_id = (
            await shifts.assign(session, manager, volunteer_id=volunteer_id, event_id=event.id, ctx=CTX)
        ).id
        await session.commit()
    invite = await chat.reply("Вас приглашают волонтёром")
    query = await chat.press(invite, "✖ Не смогу")
    assert (await chat.callback_answer(query))["text"] == "Понятно: в этот раз вы не сможете."
    assert (await _shift(session_factory, shift_id)).status == VolunteerShiftStatus.DECLINED
    mine = await chat.send("🙋 Волонтёрство", expect="Волонтёрство")
    assert "Нет ближайших смен." in mine["text"]

    stranger = await new_chat("Пётр")
    await stranger.send("/start")
    answer = await stranger.send("🙋 Волонтёрство")
    assert "Вы пока не волонтёр музея." in answer["text"] and "Анкета волонтёра" in answer["text"]
    # Not a dead end: the answer names the menu item that opens the questionnaire in this chat.
    assert "нажмите «📝 Анкеты и заявки» в меню" in answer["text"], answer["text"]
    listed = await stranger.send("📝 Анкеты и заявки")
    assert "Анкета волонтёра" in str(listed), listed
