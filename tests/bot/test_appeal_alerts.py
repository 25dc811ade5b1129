"""Clerks hear of new appeals in their scope: a resident writes through the bot, the roads clerk's
Telegram shows the alert with the number, channel, topic, text, address and the panel link, and the
housing clerk's does not."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Category
from models.enums import Role
from services import staff
from services.audit import Actor
from tests.bot.appeals_support import NEXT, REG_NUMBER, SEND, SKIP, give_name, open_form
from tests.bot.assignments_support import outbox_fixture  # noqa: F401 - the real sender as a fixture
from tests.bot.conftest import keyboard_texts

ROADS_CLERK, HOUSING_CLERK = 730_000_001, 730_000_002


async def test_new_appeal_reaches_the_clerk_in_scope_only(
    new_chat, client, session_factory: async_sessionmaker[AsyncSession], outbox
) -> None:  # type: ignore[no-untyped-def]
    sys = Actor.system("test")
    async with session_factory() as session:
        roads = await staff.create_department(session, sys, "Дорожный отдел")
        housing = await staff.create_department(session, sys, "Отдел ЖКХ")
        for name, dept, tg in (("Дорожник", roads, ROADS_CLERK), ("Жилищник", housing, HOUSING_CLERK)):
            await staff.create_user(
                session, sys, full_name=name, roles=[Role.CLERK], department_id=dept.id, telegram_id=tg
            )
        session.add(Category(code="roads", name_ru="Дороги", name_en="Roads", department_id=roads.id))
        await session.commit()
    for tg, name in ((ROADS_CLERK, "Дорожник"), (HOUSING_CLERK, "Жилищник")):
        await client.register_user(user_id=tg, first_name=name, language_code="ru")

    resident = await new_chat("Анна")
    topics = await open_form(resident, "Выберите тему")
    await resident.press(topics, "Дороги")
    await resident.reply("Опишите проблему")
    progress = await resident.send("Глубокая яма на проезжей части", expect="Символов в тексте")
    await resident.press(progress, NEXT)
    await resident.reply("Где это?")
    files = await resident.send("ул. Садовая, 12", expect="Приложите фото или документы")
    await resident.press(files, next(b for b in keyboard_texts(files) if b in (SKIP, "✅ Готово")))
    await give_name(resident)
    ask = await resident.reply("Как с вами связаться?")
    await resident.press(ask, SKIP)
    summary = await resident.reply("проверьте перед отправкой")
    await resident.press(summary, SEND)
    done = await resident.reply("Ваше обращение зарегистрировано")
    number = re.search(rf"Регистрационный номер: ({REG_NUMBER})", done["text"])
    assert number is not None

    alert = await client.wait_for(ROADS_CLERK, contains="Новое обращение", timeout=10)
    text = alert["text"]
    assert f"Новое обращение № {number.group(1)}" in text
    for part in ("Канал: Телеграм-бот", "Тема: Дороги", "Адрес: ул. Садовая, 12", "Глубокая яма"):
        assert part in text
    assert re.search(r"В панели: http://\S+/appeals/\d+", text)
    # The housing clerk's chat stays silent about it.
    housing = await client.bot_messages(HOUSING_CLERK)
    assert not [m for m in housing if "Новое обращение" in (m.get("text") or "")]
