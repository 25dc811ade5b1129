"""The QA walk-through of «Write an appeal», as a resident does it: the full name is asked (59-FZ
art. 7) and checked, offered back for one tap from the person's own record only, and the appeal is
filed under it; the own phone shared with the button reaches the profile, a typed one does not and
the bot says so; a typed address is matched to the house register (several houses: a choice; not in
the register: kept as typed); «Other» is the last topic; a caption sent with a file is kept."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Building, Category, Correspondent
from porucheno.settings import Settings
from services.appeals import categories as appeal_categories
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    ASK_NAME,
    DONE,
    NEXT,
    SEND,
    SKIP,
    appeals_of,
    buttons,
    catalog_fixture,
    files_of,
    give_name,
    open_form,
)
from tests.bot.assignments_support import PNG_1
from tests.bot.conftest import Chat, keyboard_texts

AS_TYPED = "Оставить, как я написал"


async def to_name_step(chat: Chat, text: str, *, address: str | None = None) -> dict:  # type: ignore[type-arg]
    """Topic, text, address (typed, or skipped), no files: the full-name prompt."""
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.press(await chat.send(text, expect="Символов в тексте"), NEXT)
    ask = await chat.reply("Где это?")
    if address is None:
        await chat.press(ask, SKIP)
    else:
        await chat.send(address, expect="Адрес:")
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    return await chat.reply(ASK_NAME)


async def finish(chat: Chat, contact_button: str = SKIP) -> dict:  # type: ignore[type-arg]
    """Contacts (skipped or done), the summary, «Send»: the summary is returned."""
    await chat.press(await chat.reply("Как с вами связаться?"), contact_button)
    summary = await chat.reply("проверьте перед отправкой")
    await chat.press(summary, SEND)
    await chat.reply("Ваше обращение зарегистрировано")
    return summary


async def profile_text(chat: Chat) -> str:
    return str((await chat.send("Профиль", expect="Ваш профиль"))["text"])


async def test_full_name_is_asked_checked_kept_and_offered_back(
    new_chat, catalog, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await new_chat("Житель Иван")
    ask = await to_name_step(chat, "Не вывозят мусор", address="Ленина 5")
    assert not buttons(ask)  # nothing known yet: nothing to offer

    for typed, why in (
        ("12345", "В имени не бывает цифр"),
        ("Иванов", "и фамилию, и имя"),
        ("Иванов И. И.", "не инициалами"),
        ("Иванов <script>", "только буквы"),
        ("Иванов " + "Иван" * 40, "не больше 150 символов"),
    ):
        refused = await chat.send(typed, expect=why)
        assert ASK_NAME in refused["text"], typed
    await chat.send("иванов  иван иванович", expect="ФИО: Иванов Иван Иванович")

    # The own phone through Telegram's button: added to the appeal and to the profile.
    await chat.reply("Как с вами связаться?")
    await chat.client.send_contact(chat.user_id, "+79007000001", "Я")
    saved = await chat.reply("номер телефона добавлен к обращению и сохранён в вашем профиле")
    assert "Телефон: +79007000001" in saved["text"]
    await chat.press(saved, DONE)
    summary = await chat.reply("проверьте перед отправкой")
    assert "ФИО: Иванов Иван Иванович" in summary["text"]
    assert "Адрес: ул. Ленина, 5" in summary["text"]  # the register's spelling of «Ленина 5»
    await chat.press(summary, SEND)
    await chat.reply("Ваше обращение зарегистрировано")
    assert "Телефон: +79007000001" in await profile_text(chat)

    [first] = await appeals_of(session_factory)
    assert (first.address, first.building_id) == ("ул. Ленина, 5", catalog.building_id)
    async with session_factory() as session:
        record = await session.get(Correspondent, first.correspondent_id)
        assert record is not None and record.name == "Иванов Иван Иванович"  # not «Житель Иван»

    # The next appeal offers the name for one tap; the phone is already known.
    ask = await to_name_step(chat, "Снова не вывозят мусор")
    assert list(buttons(ask)) == ["✅ Иванов Иван Иванович"]
    await chat.press(ask, "✅ Иванов Иван Иванович")
    await chat.reply("ФИО: Иванов Иван Иванович")
    summary = await finish(chat, DONE)
    assert "ФИО: Иванов Иван Иванович" in summary["text"]
    second = (await appeals_of(session_factory))[-1]
    assert second.correspondent_id == first.correspondent_id


async def test_name_filed_from_the_messenger_is_replaced_and_not_offered(
    new_chat, catalog, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    chat = await new_chat("Житель Иван")
    await chat.send("/start", expect="Здравствуйте")
    async with session_factory() as session:  # an appeal of the old bot, filed under the profile name
        old = await register_appeal(
            session,
            AppealInput(
                channel="telegram",
                text="Старое обращение",
                contact=ContactInput(name="Житель Иван", telegram_id=chat.user_id),
            ),
            actor=Actor(telegram_id=chat.user_id),
            files_dir=settings.files_dir,
        )
        await session.commit()
    ask = await to_name_step(chat, "Сломана скамейка")
    assert not buttons(ask)  # «Житель Иван» is the messenger's name, not one the person gave
    await chat.send("Петров Пётр", expect="ФИО: Петров Пётр")
    await chat.reply("Как с вами связаться?")
    await chat.client.send_contact(chat.user_id, "+79007000003", "Я")
    await chat.press(await chat.reply("сохранён в вашем профиле"), DONE)
    await chat.press(await chat.reply("проверьте перед отправкой"), SEND)
    await chat.reply("Ваше обращение зарегистрировано")
    new = (await appeals_of(session_factory))[-1]
    assert new.correspondent_id == old.appeal.correspondent_id
    async with session_factory() as session:
        record = await session.get(Correspondent, new.correspondent_id)
        assert record is not None and record.name == "Петров Пётр"

    # Someone who merely typed that person's phone is offered only the name they gave themselves.
    stranger = await new_chat("Сосед")
    ask = await to_name_step(stranger, "Шумят ночью")
    assert not buttons(ask)
    await stranger.send("Сидоров Сидор", expect="ФИО: Сидоров Сидор")
    await stranger.reply("Как с вами связаться?")
    typed = await stranger.send("89007000003", expect="добавлен к этому обращению")
    await stranger.press(typed, DONE)
    await stranger.press(await stranger.reply("проверьте перед отправкой"), SEND)
    await stranger.reply("Ваше обращение зарегистрировано")
    ask = await to_name_step(stranger, "Опять шумят")
    assert list(buttons(ask)) == ["✅ Сидоров Сидор"]
    assert "Петров Пётр" not in str(await stranger.client.bot_messages(stranger.user_id))


async def test_typed_phone_stays_with_the_appeal_only(new_chat, catalog) -> None:
    chat = await new_chat("Ольга")
    await to_name_step(chat, "Не горит фонарь")
    await give_name(chat, "Смирнова Ольга")
    typed = await chat.send("+7 900 700-00-02", expect="добавлен к этому обращению")
    assert "не сохраняется" in typed["text"] and "Телефон: +79007000002" in typed["text"]
    await chat.press(typed, DONE)
    summary = await chat.reply("проверьте перед отправкой")
    assert "Телефон: +79007000002" in summary["text"]
    await chat.press(summary, SEND)
    await chat.reply("Ваше обращение зарегистрировано")
    assert "Телефон: —" in await profile_text(chat)


async def test_typed_address_is_matched_to_the_register(
    new_chat, catalog, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        session.add(
            Building(street="ул. Ленина", street_key="ленина", house="5к1", house_key="5к1", house_number=5)
        )
        await session.commit()
    chat = await new_chat("Анна")
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.press(await chat.send("Яма у подъезда", expect="Символов в тексте"), NEXT)
    await chat.reply("Где это?")

    # A typo: the register's houses with that number are offered, and «keep it as typed».
    choice = await chat.send("Ленена 5", expect="Это один из этих адресов из реестра?")
    assert keyboard_texts(choice) == ["ул. Ленина, 5", "ул. Ленина, 5к1", AS_TYPED]
    await chat.press(choice, "ул. Ленина, 5к1")
    await chat.reply("Адрес: ул. Ленина, 5к1")
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    await give_name(chat, "Кузнецова Анна Сергеевна")
    await chat.press(await chat.reply("Как с вами связаться?"), SKIP)
    summary = await chat.reply("проверьте перед отправкой")
    assert "Адрес: ул. Ленина, 5к1" in summary["text"]

    async def change_address(summary: dict, typed: str) -> dict:  # type: ignore[type-arg]
        await chat.press(summary, "✏️ Изменить")
        await chat.press(await chat.reply(), "Адрес")
        await chat.reply("Где это?")
        return await chat.send(typed)

    # Not in the register: taken as typed.
    assert "Адрес: Садовая 12" in (await change_address(summary, "Садовая 12"))["text"]
    summary = await chat.reply("проверьте перед отправкой")
    assert "Адрес: Садовая 12" in summary["text"]
    # A house the register does not have, next to ones it has: the resident keeps it as typed.
    choice = await change_address(summary, "Ленина 5а")
    assert keyboard_texts(choice) == ["ул. Ленина, 5", "ул. Ленина, 5к1", AS_TYPED]
    await chat.press(choice, AS_TYPED)
    summary = await chat.reply("проверьте перед отправкой")
    assert "Адрес: Ленина 5а" in summary["text"]
    await chat.press(summary, SEND)
    await chat.reply("Ваше обращение зарегистрировано")
    [appeal] = await appeals_of(session_factory)
    assert (appeal.address, appeal.building_id) == ("Ленина 5а", None)


async def test_other_is_the_last_topic(new_chat, catalog, session_factory) -> None:
    async with session_factory() as session:
        session.add_all(
            [
                Category(code="roads", name_ru="Дороги и тротуары", name_en="Roads"),
                Category(code="other", name_ru="Другое", name_en="Other"),
                Category(code="housing", name_ru="ЖКХ и отопление", name_en="Housing"),
            ]
        )
        await session.commit()
    chat = await new_chat("Борис")
    topics = await open_form(chat, "Выберите тему")
    assert keyboard_texts(topics) == ["Благоустройство", "Дороги и тротуары", "ЖКХ и отопление", "Другое"]
    async with session_factory() as session:  # the same rule wherever topics are listed, in English too
        offered = await appeal_categories.offered(session, staff=False, locale="en")
    assert [c.name_en for c in offered] == ["Housing", "Public spaces", "Roads", "Other"]


async def test_caption_with_a_file_is_kept(new_chat, catalog, session_factory) -> None:
    chat = await new_chat("Вера")
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.press(await chat.send("Разбит тротуар", expect="Символов в тексте"), NEXT)
    await chat.press(await chat.reply("Где это?"), SKIP)
    await chat.reply("Приложите фото или документы")
    await chat.client.send_photo(chat.user_id, PNG_1, "pit.png", caption="Глубина ямы около 20 см")
    progress = await chat.reply("Приложено файлов: 1 из 10")
    assert "Подпись добавлена к тексту обращения" in progress["text"]
    # A refused file's caption is kept too: it is what the resident wrote.
    await chat.client.send_document(
        chat.user_id, b"MZ\x90\x00" + bytes(200), "act.pdf", caption="Акт осмотра"
    )
    refused = await chat.reply("Такой тип файла не принимается")
    assert "Подпись добавлена к тексту обращения" in refused["text"]
    await chat.press(refused, DONE)
    await give_name(chat, "Орлова Вера")
    summary = await finish(chat)
    assert "Глубина ямы около 20 см" in summary["text"] and "Акт осмотра" in summary["text"]
    [appeal] = await appeals_of(session_factory)
    assert appeal.text == "Разбит тротуар\n\nГлубина ямы около 20 см\n\nАкт осмотра"
    assert len(await files_of(session_factory, appeal.id)) == 1
