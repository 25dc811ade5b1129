"""«Новое поручение»: a controller creates an assignment in Telegram, end to end through the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.calendar import shift_month
from bot.outbox_sender import OutboxSender
from models import Assignment, StoredFile, utcnow
from porucheno.settings import Settings
from services import staff
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from tests.bot.conftest import Chat, keyboard_texts

MENU_ITEM = "Новое поручение"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Org:
    controller: Chat
    controller_id: int
    executor: Chat
    executor_id: int
    head: Chat
    head_id: int
    dept_id: int


async def make_org(session_factory: async_sessionmaker[AsyncSession], new_chat) -> Org:  # type: ignore[no-untyped-def]
    controller, executor, head = await new_chat("Иван"), await new_chat("Анна"), await new_chat("Пётр")
    system = Actor.system()
    async with session_factory() as session:
        housing = await staff.create_department(session, system, "Отдел ЖКХ")
        office = await staff.create_department(session, system, "Аппарат администрации")
        boss = await staff.create_user(
            session, system, full_name="Иванов Иван Иванович", roles=("controller",),
            department_id=office.id, telegram_id=controller.user_id,
        )  # fmt: skip
        worker = await staff.create_user(
            session, system, full_name="Петрова Анна Сергеевна", roles=("executor",),
            department_id=housing.id, telegram_id=executor.user_id,
        )  # fmt: skip
        chief = await staff.create_user(
            session, system, full_name="Сидоров Пётр Ильич", roles=("executor",),
            department_id=housing.id, telegram_id=head.user_id,
        )  # fmt: skip
        await staff.set_department_head(session, system, housing.id, chief.id)
        await session.commit()
        org = Org(controller, boss.id, executor, worker.id, head, chief.id, housing.id)
    for chat in (executor, head):
        await chat.send("/start", expect="Здравствуйте")
    return org


async def open_form(chat: Chat) -> None:
    menu = await chat.send("/start", expect="Здравствуйте")
    assert MENU_ITEM in keyboard_texts(menu)
    await chat.press(menu, MENU_ITEM)
    prompt = await chat.reply("Первая строка станет заголовком")
    assert keyboard_texts(prompt) == ["Отмена"]  # the main menu is out of the way


async def drain_outbox(
    bot: Bot, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    sender = OutboxSender(
        bot, session_factory, global_rate=100, chat_interval=0, files_dir=settings.files_dir
    )
    await sender.drain()


async def only_assignment(session_factory: async_sessionmaker[AsyncSession]) -> Assignment:
    async with session_factory() as session:
        rows = (await session.scalars(select(Assignment))).all()
    assert len(rows) == 1
    return rows[0]


def local_now(settings: Settings) -> datetime:
    return utcnow().astimezone(settings.tz)


async def test_whole_conversation_with_departments_and_calendar(
    new_chat, session_factory, bot: Bot, bot_settings: Settings
) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    await open_form(chat)

    picker = await chat.send(
        "Починить освещение во дворе\nУл. Ленина, 5: не горят фонари.", expect="Кому поручить"
    )
    assert keyboard_texts(picker) == ["🏢 Аппарат администрации", "🏢 Отдел ЖКХ"]
    await chat.press(picker, "🏢 Отдел ЖКХ")
    people = await chat.reply("Отдел ЖКХ: выберите исполнителя")
    assert keyboard_texts(people) == [
        "🏢 Всему подразделению (руководитель: Сидоров Пётр Ильич)",
        "👤 Петрова Анна Сергеевна",
        "👤 Сидоров Пётр Ильич",
        "‹ Все подразделения",
    ]
    await chat.press(people, "👤 Петрова Анна Сергеевна")
    calendar = await chat.reply("Выберите срок")
    assert (await chat.client.transcript(chat.user_id))[-2]["text"] == "Исполнитель: Петрова Анна Сергеевна"

    # Next month, the 15th, 12:00 local time.
    await chat.press(calendar, "›")
    year, month = shift_month(local_now(bot_settings).year, local_now(bot_settings).month, 1)
    calendar = await chat.reply("Выберите срок")
    assert any(label.endswith(f" {year}") for label in keyboard_texts(calendar))
    await chat.press(calendar, "15")
    times = await chat.reply("выберите время")
    assert times["text"].startswith(f"15.{month:02d}.{year}")
    await chat.press(times, "12:00")
    files_prompt = await chat.reply("приложите фотографии или документы")
    assert keyboard_texts(files_prompt) == ["Пропустить"]

    await chat.client.send_photo(chat.user_id, PNG, "dot.png")
    await chat.reply("Файл добавлен (1 из 10)")
    await chat.client.send_document(chat.user_id, PDF, "estimate.pdf")
    added = await chat.reply("Файл добавлен (2 из 10)")
    await chat.press(added, "✅ Готово")
    priority = await chat.reply("Приоритет?")
    assert keyboard_texts(priority) == ["Обычный", "❗ Высокий", "🔥 Срочно"]
    await chat.press(priority, "🔥 Срочно")

    card = await chat.reply("проверьте перед созданием")
    for line in (
        "Починить освещение во дворе",
        "Ул. Ленина, 5: не горят фонари.",
        "Исполнитель: Петрова Анна Сергеевна",
        "Подразделение: Отдел ЖКХ",
        f"Срок: 15.{month:02d}.{year} 12:00",
        "Приоритет: срочно",
        "Файлы: 2",
    ):
        assert line in card["text"], line
    assert keyboard_texts(card) == [
        "✅ Создать",
        "➕ Ещё пункт",
        "🔗 Привязать обращение",
        "📅 Изменить срок",
        "✖ Отменить",
    ]
    await chat.press(card, "✅ Создать")
    done = await chat.reply("создано")
    assignment = await only_assignment(session_factory)
    assert done["text"] == f"Поручение №{assignment.id} создано. Исполнитель получит его в мессенджере."
    assert MENU_ITEM in keyboard_texts(done)  # back to the main menu

    assert (assignment.title, assignment.text) == (
        "Починить освещение во дворе",
        "Ул. Ленина, 5: не горят фонари.",
    )
    assert (assignment.executor_id, assignment.department_id) == (org.executor_id, org.dept_id)
    assert (assignment.author_id, assignment.controller_id) == (org.controller_id, org.controller_id)
    assert assignment.priority == "urgent"
    expected = datetime(year, month, 15, 12, 0, tzinfo=bot_settings.tz).astimezone(UTC)
    assert assignment.deadline == expected

    async with session_factory() as session:
        stored = (await session.scalars(select(StoredFile).order_by(StoredFile.id))).all()
    assert [(f.assignment_id, f.mime_type, f.uploaded_by_user_id) for f in stored] == [
        (assignment.id, "image/png", org.controller_id),
        (assignment.id, "application/pdf", org.controller_id),
    ]
    assert stored[1].original_name == "estimate.pdf"
    assert [(Path(bot_settings.files_dir) / f.storage_path).read_bytes() for f in stored] == [PNG, PDF]

    # The executor's card goes through the outbox.
    await drain_outbox(bot, session_factory, bot_settings)
    notice = await org.executor.reply("Новое поручение")
    assert f"Поручение №{assignment.id}: Починить освещение во дворе" in notice["text"]
    assert f"Срок: 15.{month:02d}.{year} 12:00" in notice["text"]
    assert "Принять" in " ".join(keyboard_texts(notice))

    # The card lost its buttons; a replayed «Create» (say, from a second device) creates nothing.
    card = next(
        m for m in await chat.client.transcript(chat.user_id) if m["message_id"] == card["message_id"]
    )
    assert keyboard_texts(card) == []
    replay = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Создать", callback_data="new:create:")]]
    )
    sent = await bot.send_message(chat.user_id, "Карточка", reply_markup=replay)
    answer = await chat.callback_answer(
        await chat.client.press(chat.user_id, sent.message_id, text="Создать")
    )
    assert answer["text"] == "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."
    await only_assignment(session_factory)


async def test_search_by_name_fragment_and_quick_pick(
    new_chat, session_factory, bot_settings: Settings
) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    await open_form(chat)
    await chat.send("Проверить подвал", expect="Кому поручить")

    found = await chat.send("пЕТР")  # matches «Петрова» and «Пётр» alike
    assert found["text"] == "Найдено: 2. Выберите исполнителя:"
    assert keyboard_texts(found) == [
        "👤 Петрова Анна Сергеевна · Отдел ЖКХ",
        "👤 Сидоров Пётр Ильич · Отдел ЖКХ",
        "‹ Все подразделения",
    ]
    assert (await chat.send("сидоров ПЁТР"))["text"] == "Найдено: 1. Выберите исполнителя:"
    nothing = await chat.send("Кузнецов")
    assert nothing["text"].startswith("По запросу «Кузнецов» никого не нашлось.")
    assert "🏢 Отдел ЖКХ" in keyboard_texts(nothing)
    await chat.send("п", expect="Напишите хотя бы 2 буквы")

    found = await chat.send("петрова")
    await chat.press(found, "👤 Петрова Анна Сергеевна · Отдел ЖКХ")
    calendar = await chat.reply("Выберите срок")
    await chat.press(calendar, "Завтра 18:00")
    skip = await chat.reply("приложите фотографии")
    await chat.press(skip, "Пропустить")
    await chat.press(await chat.reply("Приоритет?"), "Обычный")
    card = await chat.reply("проверьте перед созданием")
    assert "Файлы: 0" in card["text"] and "Приоритет: обычный" in card["text"]
    await chat.press(card, "✅ Создать")
    await chat.reply("создано")

    assignment = await only_assignment(session_factory)
    assert assignment.executor_id == org.executor_id and assignment.priority == "normal"
    tomorrow = local_now(bot_settings).date() + timedelta(days=1)
    assert assignment.deadline == datetime.combine(tomorrow, time(18, 0), bot_settings.tz)


async def test_department_head_typed_deadlines_and_changing_the_deadline(
    new_chat, session_factory, bot_settings: Settings
) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    await open_form(chat)
    picker = await chat.send("Подготовить справку", expect="Кому поручить")
    await chat.press(picker, "🏢 Отдел ЖКХ")
    people = await chat.reply("выберите исполнителя")
    await chat.press(people, "🏢 Всему подразделению (руководитель: Сидоров Пётр Ильич)")
    await chat.reply("Выберите срок")

    reply = await chat.send("01.01.2020 10:00")
    assert reply["text"] == "01.01.2020 10:00 — это время уже прошло. Укажите срок в будущем."
    assert (await chat.send("к пятнице"))["text"].startswith("Не удалось распознать дату и время.")
    await chat.client.send_sticker(chat.user_id)
    assert (await chat.reply())["text"].startswith("Жду срок исполнения.")

    next_year = local_now(bot_settings).year + 1
    await chat.send(f"10.03.{next_year} 09:30", expect="приложите фотографии")
    await chat.client.send_voice(chat.user_id)
    hint = await chat.reply("Жду фотографии или документы")
    await chat.press(hint, "Пропустить")
    await chat.press(await chat.reply("Приоритет?"), "❗ Высокий")
    card = await chat.reply("проверьте перед созданием")
    assert "Исполнитель: Сидоров Пётр Ильич (руководитель подразделения)" in card["text"]
    assert f"Срок: 10.03.{next_year} 09:30" in card["text"]

    await chat.press(card, "📅 Изменить срок")
    await chat.reply("Выберите срок")
    card = await chat.send(f"11.03.{next_year} 15:00", expect="проверьте перед созданием")  # straight back
    assert f"Срок: 11.03.{next_year} 15:00" in card["text"]
    await chat.press(card, "✅ Создать")
    await chat.reply("создано")

    assignment = await only_assignment(session_factory)
    assert (assignment.executor_id, assignment.department_id) == (org.head_id, org.dept_id)
    assert assignment.priority == "high"
    assert assignment.deadline == datetime(next_year, 3, 11, 15, 0, tzinfo=bot_settings.tz)


async def test_text_step_hints_and_cancel(new_chat, session_factory) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    await open_form(chat)

    too_long = await chat.send("Я" * 501 + "\nподробности")
    assert too_long["text"].startswith(
        "Первая строка — заголовок, он может быть не длиннее 500 символов, а у вас 501."
    )
    await chat.client.send_sticker(chat.user_id)
    assert (await chat.reply())["text"].startswith("Жду текст поручения.")
    await chat.client.send_photo(chat.user_id, PNG, "dot.png")
    assert (await chat.reply())["text"].startswith("Жду текст поручения.")

    await chat.send("Проверить подвал", expect="Кому поручить")
    await chat.client.send_sticker(chat.user_id)
    assert (await chat.reply())["text"].startswith("Жду выбора исполнителя.")
    reply = await chat.send("/cancel")
    assert reply["text"] == "Действие отменено." and MENU_ITEM in keyboard_texts(reply)
    assert "не понял" in (await chat.send("петрова"))["text"]  # the search is over too


async def test_executor_cannot_create_and_forged_buttons_are_refused(
    new_chat, session_factory, bot: Bot
) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.executor
    menu = await chat.send("/start", expect="Здравствуйте")
    assert MENU_ITEM not in keyboard_texts(menu)
    assert "не понял" in (await chat.send(MENU_ITEM))["text"]

    forged = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Создать", callback_data="new:create:")],
            [InlineKeyboardButton(text="Срок", callback_data="cal:new:time:2030:1:15:900")],
            [InlineKeyboardButton(text="Кому", callback_data=f"pick:new:user:{org.executor_id}:0")],
        ]
    )
    sent = await bot.send_message(chat.user_id, "Подделка", reply_markup=forged)
    for label in ("Создать", "Срок", "Кому"):
        answer = await chat.callback_answer(
            await chat.client.press(chat.user_id, sent.message_id, text=label)
        )
        assert answer["show_alert"] is True
        assert answer["text"] == "У вас нет права создавать поручения."
    async with session_factory() as session:
        assert (await session.scalars(select(Assignment))).all() == []


async def test_role_is_rechecked_at_every_step(new_chat, session_factory) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    await open_form(chat)
    await chat.send("Проверить подвал", expect="Кому поручить")
    async with session_factory() as session:
        await staff.set_roles(session, Actor.system(), org.controller_id, ["executor"])
        await session.commit()

    reply = await chat.send("петрова")
    assert reply["text"] == "У вас нет права создавать поручения."
    assert MENU_ITEM not in keyboard_texts(reply)
    assert "не понял" in (await chat.send("петрова"))["text"]  # the draft is gone


async def reach_card(chat: Chat) -> dict:
    """Text → search «петрова» → in a week → no files → normal priority → the confirmation card."""
    await open_form(chat)
    await chat.send("Проверить подвал", expect="Кому поручить")
    found = await chat.send("петрова", expect="Найдено: 1")
    await chat.press(found, "👤 Петрова Анна Сергеевна · Отдел ЖКХ")
    calendar = await chat.reply("Выберите срок")
    week = next(b for b in keyboard_texts(calendar) if b.startswith("Через рабочую неделю"))  # dated label
    await chat.press(calendar, week)
    await chat.press(await chat.reply("приложите фотографии"), "Пропустить")
    await chat.press(await chat.reply("Приоритет?"), "Обычный")
    return await chat.reply("проверьте перед созданием")


async def test_cancel_on_the_card(new_chat, session_factory) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    card = await reach_card(chat)
    await chat.press(card, "✖ Отменить")
    reply = await chat.reply("Действие отменено.")
    assert MENU_ITEM in keyboard_texts(reply)
    async with session_factory() as session:
        assert (await session.scalars(select(Assignment))).all() == []


async def test_executor_deactivated_before_create_is_chosen_again(new_chat, session_factory) -> None:
    org = await make_org(session_factory, new_chat)
    chat = org.controller
    card = await reach_card(chat)
    async with session_factory() as session:
        await staff.set_active(session, Actor.system(), org.executor_id, False)
        await session.commit()

    await chat.press(card, "✅ Создать")
    await chat.reply("Выбранный исполнитель больше не может получать поручения. Выберите заново.")
    picker = await chat.reply("Кому поручить")
    await chat.press(picker, "🏢 Отдел ЖКХ")
    people = await chat.reply("выберите исполнителя")
    assert "👤 Петрова Анна Сергеевна" not in keyboard_texts(people)
    await chat.press(people, "👤 Сидоров Пётр Ильич")
    card = await chat.reply("проверьте перед созданием")  # straight back to the card
    await chat.press(card, "✅ Создать")
    await chat.reply("создано")
    assert (await only_assignment(session_factory)).executor_id == org.head_id


async def test_linking_an_appeal_by_the_number_shown_everywhere(
    new_chat, session_factory, bot_settings: Settings
) -> None:
    """Issue #12: «2026-000004» as shown on the appeal, «4/2026» or «000004» of this year link it."""
    org = await make_org(session_factory, new_chat)
    async with session_factory() as session:
        result = await register_appeal(
            session,
            AppealInput(channel="paper", text="Не горит фонарь", contact=ContactInput(name="Кузнецова")),
            actor=Actor.system("test"),
            files_dir=bot_settings.files_dir,
        )
        await session.commit()
        number, seq, year = result.appeal.reg_number, result.appeal.reg_seq, result.appeal.reg_year
        appeal_id = result.appeal.id
    chat = org.controller
    await open_form(chat)
    await chat.send("Заменить фонарь", expect="Кому поручить")
    found = await chat.send("петрова")
    await chat.press(found, "👤 Петрова Анна Сергеевна · Отдел ЖКХ")
    await chat.press(await chat.reply("Выберите срок"), "Завтра 18:00")
    await chat.press(await chat.reply("приложите фотографии"), "Пропустить")
    await chat.press(await chat.reply("Приоритет?"), "Обычный")
    card = await chat.reply("проверьте перед созданием")

    await chat.press(card, "🔗 Привязать обращение")
    prompt = await chat.reply("номер обращения")
    assert f"{year}-000004" in prompt["text"]  # the example is in the shown format
    refused = await chat.send(f"{year}-000099")
    assert refused["text"] == f"Обращения с номером {year}-000099 нет."
    assert (await chat.send("фонарь"))["text"].startswith("Введите номер обращения, например")
    for typed in (f"{seq}/{year}", f"{seq:06d}", f"№ {number}"):
        card = await chat.send(typed, expect="проверьте перед созданием")
        assert f"Обращение: {number}" in card["text"], typed
        await chat.press(card, "🔗 Привязать обращение")
        await chat.reply("номер обращения")
    card = await chat.send(number, expect="проверьте перед созданием")
    await chat.press(card, "✅ Создать")
    await chat.reply("создано")
    assignment = await only_assignment(session_factory)
    assert assignment.appeal_id == appeal_id
