"""``/start`` for residents and staff, and binding staff through invite links."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent
from tests.bot.conftest import RESIDENT_MENU, get_account, get_user, keyboard_texts, make_invite, make_staff

# A manager and executor: creation, their own work and the work they control.
STAFF_MENU = [
    "Профиль",
    "Указать телефон",
    "Новое поручение",
    "Мои поручения",
    "На контроле",
    "🎟 Мероприятия",
    "🛠 Заявка в службу",
    "🛠 Мои заявки в службу",
    "Статистика",
    "📝 Анкеты и заявки",
    "Язык",
    "Помощь",
]


async def test_resident_start_greets_in_russian_with_menu(new_chat, session_factory) -> None:
    chat = await new_chat("Мария")
    reply = await chat.send("/start")
    assert reply["text"].startswith("Здравствуйте, Мария!")
    assert "официальный бот администрации" in reply["text"]
    assert keyboard_texts(reply) == RESIDENT_MENU
    account = await get_account(session_factory, chat.user_id)
    assert account.first_name == "Мария" and account.user_id is None


async def test_staff_invite_binds_and_greets_by_name(
    new_chat, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await make_staff(session_factory)
    token = await make_invite(session_factory, user_id)
    chat = await new_chat("Анна")

    reply = await chat.send(f"/start inv_{token}")
    assert "Готово, Петрова Анна Сергеевна!" in reply["text"]
    assert "Роли: руководитель, исполнитель" in reply["text"]
    assert "Подразделение: Отдел ЖКХ" in reply["text"]
    assert keyboard_texts(reply) == STAFF_MENU

    user = await get_user(session_factory, user_id)
    account = await get_account(session_factory, chat.user_id)
    assert user.telegram_id == chat.user_id and account.user_id == user_id
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "telegram_bound" in actions

    # Now a staff member: /start greets them as such.
    reply = await chat.send("/start")
    assert reply["text"].startswith("Здравствуйте, Петрова Анна Сергеевна!")
    assert "Вы вошли как сотрудник" in reply["text"]

    # The same link from another Telegram user is refused and binds nothing.
    other = await new_chat("Злоумышленник")
    reply = await other.send(f"/start inv_{token}")
    assert reply["text"] == "Эта ссылка-приглашение уже использована. Попросите администратора выдать новую."
    assert (await get_user(session_factory, user_id)).telegram_id == chat.user_id
    assert (await get_account(session_factory, other.user_id)).user_id is None


async def test_expired_and_unknown_invites_are_refused(new_chat, session_factory) -> None:
    user_id = await make_staff(session_factory)
    token = await make_invite(session_factory, user_id, ttl=timedelta(seconds=-1))
    chat = await new_chat()

    reply = await chat.send(f"/start inv_{token}")
    assert reply["text"] == "Срок действия ссылки-приглашения истёк. Попросите администратора выдать новую."
    reply = await chat.send("/start inv_not-a-real-token")
    assert reply["text"] == "Ссылка-приглашение недействительна. Попросите администратора выдать новую."
    assert (await get_user(session_factory, user_id)).telegram_id is None


async def test_account_bound_to_someone_else_is_refused(new_chat, session_factory) -> None:
    first = await make_staff(session_factory, department="Отдел А")
    second = await make_staff(session_factory, full_name="Сидоров Пётр", department="Отдел Б")
    chat = await new_chat()
    await chat.send(f"/start inv_{await make_invite(session_factory, first)}", expect="Готово")

    reply = await chat.send(f"/start inv_{await make_invite(session_factory, second)}")
    assert reply["text"] == "Этот аккаунт мессенджера уже привязан к другому сотруднику."


async def test_invite_tokens_are_never_logged(new_chat, session_factory, caplog) -> None:
    caplog.set_level("DEBUG")
    user_id = await make_staff(session_factory)
    token = await make_invite(session_factory, user_id)
    chat = await new_chat()
    await chat.send(f"/start inv_{token}", expect="Готово")
    await chat.send(f"/start inv_{token}", expect="уже использована")
    assert token not in caplog.text
