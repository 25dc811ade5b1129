"""«Report an outage» into the dispatcher's queue, and «Still not restored» under the restoration
notice the outbox delivers."""

from __future__ import annotations

from models.enums import SignalStatus
from services.outages.signals import signal_queue
from tests.bot.conftest import keyboard_texts
from tests.bot.residents_support import deliver, follow, outage_from_signals, resolve, seed_town, signals_of


async def _queue(session_factory) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return [
            (
                g.resource,
                g.building.street + ", " + g.building.house if g.building else g.address_text,
                g.count,
            )
            for g in await signal_queue(session)
        ]


async def test_report_then_still_not_restored(new_chat, bot, session_factory) -> None:
    town = await seed_town(session_factory)
    chat = await new_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await follow(session_factory, chat.user_id, town.b["lenina5"])

    await chat.press(menu, "Сообщить об отключении")
    resources = await chat.reply("Что отключено?")
    assert keyboard_texts(resources)[:2] == ["🚰 холодная вода", "♨️ горячая вода"]
    await chat.press(resources, "♨️ горячая вода")
    mine = await chat.reply("Или выберите один из ваших адресов")
    await chat.press(mine, "ул. Ленина, 5")
    ask = await chat.reply("Адрес: ул. Ленина, 5")
    assert keyboard_texts(ask) == ["Без комментария", "Отмена"]
    card = await chat.send("С утра нет, второй подъезд", expect="Проверьте сообщение")
    assert card["text"] == (
        "Проверьте сообщение\nЧто отключено: ♨️ горячая вода\nАдрес: ул. Ленина, 5\n"
        "Комментарий: С утра нет, второй подъезд"
    )
    await chat.press(card, "✅ Отправить")
    thanks = await chat.reply("Спасибо!")
    [signal] = await signals_of(session_factory, chat.user_id)
    assert f"Ваше сообщение № {signal.id} передано в единую дежурно-диспетчерскую службу" in thanks["text"]
    assert "Сообщить об отключении" in keyboard_texts(thanks)  # the main menu is back
    assert signal.text == "С утра нет, второй подъезд"
    assert await _queue(session_factory) == [("hot_water", "ул. Ленина, 5", 1)]

    # The dispatcher opens an outage from the report and later resolves it; the outbox delivers.
    outage_id = await outage_from_signals(session_factory, town, [signal.id])
    await resolve(session_factory, town, outage_id)
    await deliver(bot, session_factory)
    notice = await chat.reply("Подача восстановлена: горячая вода")
    assert keyboard_texts(notice) == ["❗ Всё ещё нет"]

    query_id = await chat.press(notice, "❗ Всё ещё нет")
    assert (await chat.callback_answer(query_id))["text"] == "Передано диспетчеру."
    back = await chat.reply("Сожалеем, что подача ещё не восстановлена.")
    assert f"№ {signal.id} (♨️ горячая вода, ул. Ленина, 5)" in back["text"]
    query_id = await chat.press(notice, "❗ Всё ещё нет")  # a double press changes nothing
    assert (await chat.callback_answer(query_id))["text"] == "Ваше сообщение уже у диспетчера."
    [signal] = await signals_of(session_factory, chat.user_id)
    assert (signal.status, signal.reopened_count) == (SignalStatus.NEW, 1)
    assert await _queue(session_factory) == [("hot_water", "ул. Ленина, 5", 1)]
    replies = [m for m in await chat.client.bot_messages(chat.user_id) if "Сожалеем" in (m.get("text") or "")]
    assert len(replies) == 1


async def test_report_unknown_address_without_comment_and_stale_buttons(new_chat, session_factory) -> None:
    await seed_town(session_factory)
    chat = await new_chat()
    menu = await chat.send("/start", expect="Здравствуйте")
    await chat.press(menu, "Сообщить об отключении")
    resources = await chat.reply("Что отключено?")
    await chat.press(resources, "💡 электроэнергия")
    await chat.reply("По какому адресу?")
    unknown = await chat.send("Заречная 14")
    assert unknown["text"].startswith("Адреса «Заречная 14» нет в реестре домов.")
    await chat.press(unknown, "📨 Отправить адрес как есть")
    ask = await chat.reply("Адрес: Заречная 14 (как указано вами)")
    await chat.press(ask, "Без комментария")
    card = await chat.reply("Проверьте сообщение")
    assert "Комментарий: —" in card["text"]
    await chat.press(card, "✅ Отправить")
    await chat.reply("Спасибо!")
    assert await _queue(session_factory) == [("electricity", "Заречная 14", 1)]

    # Sent: the card and the resource list lost their buttons; an offer left behind is outdated.
    assert keyboard_texts(card) and not keyboard_texts(
        await chat.client.wait_for(
            chat.user_id, lambda m: m["message_id"] == card["message_id"], after_message_id=0
        )
    )
    query_id = await chat.press(unknown, "📨 Отправить адрес как есть")
    answer = await chat.callback_answer(query_id)
    assert answer["text"] == "Эта кнопка устарела. Пожалуйста, воспользуйтесь актуальным меню."
    assert len(await signals_of(session_factory, chat.user_id)) == 1

    # Cancel from the card.
    await chat.press(menu, "Сообщить об отключении")
    await chat.press(await chat.reply("Что отключено?"), "🔥 отопление")
    await chat.reply("По какому адресу?")
    await chat.send("Ленина 7", expect="Адрес: ул. Ленина, 7")
    card = await chat.send("Холодные батареи", expect="Проверьте сообщение")
    await chat.press(card, "✖ Отменить")
    assert (await chat.reply("Сообщение отменено."))["text"] == "Сообщение отменено."
    assert len(await signals_of(session_factory, chat.user_id)) == 1
