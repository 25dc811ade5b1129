"""An outside organisation's person joins through its invite link, as a person would in Telegram,
and then receives what is addressed to the organisation — and nothing of the staff's menus."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Department, User, utcnow
from models.enums import OrganisationKind, Role
from services import staff
from services.assignments import commands
from services.audit import Actor
from services.notify import NoticeContext
from services.partners import directory, invites
from tests.bot.assignments_support import outbox_fixture  # noqa: F401 - fixture
from tests.bot.conftest import RESIDENT_MENU, get_account, keyboard_texts

PARTNER_MENU = ["Профиль", "Работа организации", "Указать телефон", "Мои поручения", "Язык", "Помощь"]
STAFF_ONLY = {"Новое поручение", "На контроле", "Статистика", "Отключения", "Обращения", "Журнал ЕДДС"}


async def _organisation(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    ttl: timedelta = timedelta(days=7),
    max_uses: int | None = None,
) -> tuple[int, int, str]:
    async with session_factory() as session:
        admin = await staff.create_user(session, Actor.system(), full_name="Админ", roles=[Role.ADMIN])
        org = await directory.create_organisation(
            session,
            Actor(user_id=admin.id),
            directory.OrganisationInput(name="УК «Уютный дом»", kind=OrganisationKind.MANAGEMENT),
        )
        _invite, token = await invites.create_invite(
            session, Actor(user_id=admin.id), org.id, ttl=ttl, max_uses=max_uses, now=utcnow()
        )
        await session.commit()
        return org.id, org.department_id, token


async def test_person_joins_by_link_and_receives_the_organisations_assignment(
    new_chat, session_factory: async_sessionmaker[AsyncSession], outbox, settings
) -> None:
    _org_id, dept_id, token = await _organisation(session_factory)
    chat = await new_chat("Пётр")

    question = await chat.send(f"/start org_{token}")
    assert "«УК «Уютный дом»» (управляющая компания)" in question["text"]
    assert "Пётр" in question["text"]
    await chat.press(question, "✏️ Указать другое имя")
    await chat.reply("Напишите ваши фамилию, имя и отчество")
    # A menu button is not a name; then the real name.
    await chat.send("Профиль", expect="Напишите ваши фамилию, имя и отчество")
    greeting = await chat.send("Сидоров Пётр Ильич", expect="Добро пожаловать")
    assert "Добро пожаловать, Сидоров Пётр Ильич! Вы присоединились к «УК «Уютный дом»»" in greeting["text"]
    assert "контактное лицо организации" in greeting["text"]  # the first one heads it
    menu = keyboard_texts(greeting)
    assert menu == PARTNER_MENU
    assert not STAFF_ONLY & set(menu)

    async with session_factory() as session:
        person = await session.scalar(select(User).where(User.telegram_id == chat.user_id))
        assert person is not None and person.department_id == dept_id and person.roles == {Role.EXECUTOR}
        dept = await session.get(Department, dept_id)
        assert dept is not None and dept.head_id == person.id
        # The dispatcher's office sends an assignment to the organisation (its department).
        author = await staff.create_user(
            session, Actor.system(), full_name="Контролёр", roles=[Role.CONTROLLER]
        )
        await commands.create(
            session,
            author,
            commands.NewAssignment(
                title="Прочистить ливнёвку у дома 5 по ул. Ленина",
                deadline=utcnow() + timedelta(days=2),
                department_id=dept_id,
            ),
            notify=NoticeContext.from_settings(settings),
        )
        await session.commit()
    notice = await chat.reply("Прочистить ливнёвку")
    assert "Прочистить ливнёвку у дома 5 по ул. Ленина" in notice["text"]

    # /start now greets them as one of the organisation's people, with the same narrow menu.
    again = await chat.send("/start")
    assert keyboard_texts(again) == PARTNER_MENU
    # The link again: already joined.
    reply = await chat.send(f"/start org_{token}")
    assert reply["text"] == "Вы уже присоединились к этой организации."


async def test_confirming_the_telegram_name_and_second_person_is_not_head(
    new_chat, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _org_id, dept_id, token = await _organisation(session_factory, max_uses=2)
    first = await new_chat("Анна")
    question = await first.send(f"/start org_{token}")
    await first.press(question, "✅ Да, верно")
    greeting = await first.reply("Добро пожаловать")
    assert "Добро пожаловать, Анна!" in greeting["text"]

    second = await new_chat("Олег")
    question = await second.send(f"/start org_{token}")
    # Typing instead of pressing: asked to press.
    await second.send("что это?", expect="Нажмите одну из кнопок выше")
    await second.press(question, "✅ Да, верно")
    greeting = await second.reply("Добро пожаловать")
    assert "контактное лицо" not in greeting["text"]

    # Used up: a third person gets a clear refusal and stays a resident.
    third = await new_chat("Злоумышленник")
    reply = await third.send(f"/start org_{token}")
    assert reply["text"].startswith("Ссылка-приглашение организации использована максимальное число раз.")
    assert (await get_account(session_factory, third.user_id)).user_id is None
    async with session_factory() as session:
        dept = await session.get(Department, dept_id)
        anna = await session.scalar(select(User).where(User.telegram_id == first.user_id))
        assert dept is not None and anna is not None and dept.head_id == anna.id


async def test_bad_expired_links_and_staff_accounts_are_refused(
    new_chat, session_factory: async_sessionmaker[AsyncSession], caplog
) -> None:
    caplog.set_level("DEBUG")
    _org_id, _dept, expired = await _organisation(session_factory, ttl=timedelta(hours=1))
    async with session_factory() as session:
        from models import OrganisationInvite

        invite = await session.scalar(select(OrganisationInvite))
        assert invite is not None
        invite.expires_at = utcnow() - timedelta(minutes=1)
        await session.commit()
    chat = await new_chat()
    reply = await chat.send(f"/start org_{expired}")
    assert reply["text"] == (
        "Срок действия ссылки-приглашения организации истёк. Попросите ЕДДС выдать новую."
    )
    reply = await chat.send("/start org_<script>alert(1)</script>")
    assert reply["text"] == "Ссылка-приглашение организации недействительна. Попросите ЕДДС выдать новую."
    assert keyboard_texts(await chat.send("/start")) == RESIDENT_MENU
    assert expired not in caplog.text

    # A staff member's account cannot become an organisation's person.
    async with session_factory() as session:
        admin = await session.scalar(select(User).where(User.full_name == "Админ"))
        assert admin is not None
        _inv, token = await invites.create_invite(session, Actor(user_id=admin.id), _org_id)
        await staff.create_user(
            session, Actor.system(), full_name="Диспетчер", roles=[Role.DISPATCHER], telegram_id=chat.user_id
        )
        await session.commit()
    reply = await chat.send(f"/start org_{token}")
    assert reply["text"].startswith("Этот аккаунт мессенджера уже привязан к сотруднику")
