"""An organisation's person receives an incident, takes it, reports with a photo and the expected
restoration time; the residents of the house hear of it after the dispatcher's approval, or at once
when the organisation publishes directly."""

from __future__ import annotations

from sqlalchemy import select

from models import DispatchUpdate, Incident, StoredFile
from models.enums import IncidentStatus, PublishMode, UpdatePublish
from porucheno.settings import Settings
from services.files import file_path
from tests.bot.dispatch_support import Town, buttons, notices_of, town_fixture  # noqa: F401 - fixtures
from tests.bot.partners_support import PNG, PNG_2, Partners, partners_fixture  # noqa: F401 - fixtures

TEXT = "Бригада на месте, меняем задвижку на вводе"


async def _card(partners: Partners) -> dict:
    card = await partners.member.reply("Передано вашей организации")
    assert "💧 Порыв водопровода № " in card["text"] and "Место: ул. Ленина, 1" in card["text"]
    assert buttons(card) == ["✅ Принять", "📝 Доложить"]
    return card


async def _report(partners: Partners, card: dict, *, album: bool = False) -> dict:
    """The member takes the card, reports with a photo (or an album of two) and «+2 h» for residents;
    the final answer."""
    m = partners.member
    query = await m.press(card, "✅ Принять")
    assert (await m.callback_answer(query))["text"] == "Принято в работу."
    taken = await m.reply("Принято в работу: Сидоров Пётр Ильич")
    assert taken["message_id"] == card["message_id"] and taken["edited"]
    assert buttons(taken) == ["📝 Доложить"]

    await m.press(taken, "📝 Доложить")
    await m.reply("Напишите одним сообщением, что сделано или обнаружено")
    ask = await m.send(TEXT, expect="Текст сохранён.")
    assert buttons(ask) == ["✅ Готово", "✖ Отменить"]
    if album:
        await m.client.send_album(m.user_id, [(PNG, "valve.png"), (PNG_2, "well.png")])
        ask = await m.reply("Альбом получен, приложено файлов: 2.")
        assert "Приложено файлов: 2." in ask["text"]
    else:
        await m.client.send_photo(m.user_id, PNG, "valve.png")
        ask = await m.reply("Файл приложен.")
        assert "Приложено файлов: 1." in ask["text"]
    await m.press(ask, "✅ Готово")
    ask = await m.reply("Когда ожидается восстановление?")
    assert buttons(ask)[:3] == ["+1 ч", "+2 ч", "+4 ч"] and "🤷 Не знаю" in buttons(ask)
    await m.press(ask, "+2 ч")
    await m.reply("Ожидаемое восстановление:")
    ask = await m.reply("Для кого доклад?")
    await m.press(ask, "👥 Для жителей")
    return await m.reply("Доклад отправлен")


async def _resident_sees_the_update(partners: Partners, incident_id: int) -> None:
    town = partners.town
    async with town.session_factory() as session:
        incident = await session.get(Incident, incident_id)
        assert incident is not None and incident.expected_end_at is not None
        assert incident.status == IncidentStatus.IN_WORK and incident.acknowledged_at is not None
        when = town.ctx.format_dt(incident.expected_end_at)
    got = await notices_of(town.residents["lenina1"])
    assert len(got) == 1, got
    notice = got[0]
    assert notice.startswith("ℹ️ Обновление: 💧 Порыв водопровода № ")
    assert TEXT in notice and f"Ожидаемое восстановление: {when}" in notice and "Сообщает: Уют" in notice
    assert await notices_of(town.residents["lenina3"]) == []  # another house


async def test_approved_by_the_dispatcher(partners: Partners, settings: Settings) -> None:
    town = partners.town
    incident_id = await partners.incident_at("ул. Ленина 1")
    await town.deliver(1)  # the card to the УК's one person; none to another organisation's
    card = await _card(partners)
    assert await notices_of(partners.stranger) == []

    menu = await partners.member.send("/menu", expect="меню")
    assert "Работа организации" in [b["text"] for row in menu["reply_markup"]["keyboard"] for b in row]
    staff_menu = await town.executor.send("/menu", expect="меню")
    assert "Работа организации" not in [
        b["text"] for row in staff_menu["reply_markup"]["keyboard"] for b in row
    ]

    done = await _report(partners, card)
    assert "Отправлено диспетчеру на проверку" in done["text"] and "Приложено файлов: 1." in done["text"]
    await town.deliver(2)  # the approval card to both dispatchers
    assert await notices_of(town.residents["lenina1"]) == []  # nothing before the approval

    d = town.dispatcher
    card = await d.reply("Доклад для жителей: 💧 Порыв водопровода")
    assert (
        "От: УК «Уют»" in card["text"]
        and TEXT in card["text"]
        and "Ожидаемое восстановление:" in card["text"]
    )
    assert buttons(card) == ["📢 Опубликовать жителям", "🗄 Оставить в журнале"]
    query = await d.press(card, "📢 Опубликовать жителям")
    assert (await d.callback_answer(query))["text"] == "Опубликовано жителям."
    decided = await d.reply("Опубликовано жителям: Морозов Денис Олегович")
    assert decided["message_id"] == card["message_id"] and not buttons(decided)
    assert "Уведомлений жителям поставлено в очередь: 1." in decided["text"]

    # The other dispatcher, a moment later: already decided, and their copy says by whom.
    second = partners.second_dispatcher
    late = await second.reply("Доклад для жителей")
    query = await second.press(late, "🗄 Оставить в журнале")
    answer = await second.callback_answer(query)
    assert answer["text"] == "Уже решено." and answer["show_alert"]
    shown = await second.reply("Опубликовано жителям: Морозов Денис Олегович")
    assert shown["message_id"] == late["message_id"] and not buttons(shown)

    await town.deliver(2)  # the resident, and the member told of the decision
    await _resident_sees_the_update(partners, incident_id)
    told = await partners.member.reply("Диспетчер опубликовал ваш доклад жителям")
    assert TEXT in told["text"]

    async with town.session_factory() as session:
        update = (await session.scalars(select(DispatchUpdate).where(DispatchUpdate.text == TEXT))).one()
        assert update.publish == UpdatePublish.PUBLISHED and update.decided_by_id == town.dispatcher_id
        stored = (
            await session.scalars(select(StoredFile).where(StoredFile.dispatch_update_id == update.id))
        ).all()
    assert [(f.mime_type, f.uploaded_by_user_id) for f in stored] == [("image/png", partners.member_id)]
    assert file_path(settings.files_dir, stored[0]).read_bytes() == PNG


async def test_published_directly(partners: Partners) -> None:
    town = partners.town
    await partners.set_mode(PublishMode.DIRECT)
    incident_id = await partners.incident_at("ул. Ленина 1")
    await town.deliver(1)
    done = await _report(partners, await _card(partners), album=True)
    assert "Опубликовано жителям. Уведомлений поставлено в очередь: 1." in done["text"]
    assert "Приложено файлов: 2." in done["text"]
    await town.deliver(1)
    await _resident_sees_the_update(partners, incident_id)
    assert await notices_of(town.dispatcher) == []  # nothing to approve


async def test_the_work_list_and_a_note_for_the_dispatcher_only(partners: Partners) -> None:
    town, m = partners.town, partners.member
    empty = await m.send("Работа организации", expect="ничего не передано")
    assert "«Уют»" in empty["text"]
    await partners.incident_at("ул. Ленина 1")
    await town.deliver(1)
    await m.reply("Передано вашей организации")
    await m.send("Работа организации", expect="Передано «Уют» и не закрыто: 1.")
    card = await m.reply("Передано вашей организации: 💧 Порыв водопровода")
    assert buttons(card) == ["✅ Принять", "📝 Доложить"]
    await m.press(card, "📝 Доложить")
    await m.reply("Напишите одним сообщением")
    # A photo with a caption before any text: the caption is the report's text.
    await m.client.send_photo(m.user_id, PNG, "well.png", caption="Обследовали, течь в колодце")
    ask = await m.reply("Подпись к фото принята как текст доклада.")
    assert "Приложено файлов: 1." in ask["text"]
    # Over the Bot API's 20 MB download limit: refused before downloading, the report goes on.
    await m.client.send_document(m.user_id, b"%PDF-1.4\n" + bytes(21 * 1024 * 1024), "scheme.pdf")
    refused = await m.reply("больше 20 МБ")
    assert "Приложено файлов: 1." in refused["text"] and buttons(refused) == ["✅ Готово", "✖ Отменить"]
    hint = await m.send("Ещё текст", expect="Жду фото или сканы.")
    await m.press(hint, "✅ Готово")
    ask = await m.reply("Когда ожидается восстановление?")
    await m.press(ask, "🤷 Не знаю")
    ask = await m.reply("Для кого доклад?")
    await m.press(ask, "🔒 Только диспетчеру")
    done = await m.reply("Доклад отправлен")
    assert "жителям не публикуется" in done["text"] and "Приложено файлов: 1." in done["text"]
    async with town.session_factory() as session:
        note = (
            await session.scalars(
                select(DispatchUpdate).where(DispatchUpdate.text == "Обследовали, течь в колодце")
            )
        ).one()
        assert note.publish == UpdatePublish.INTERNAL and note.expected_end_at is None
    await town.deliver(0)
    assert await notices_of(town.residents["lenina1"]) == []
    assert await notices_of(town.dispatcher) == []
