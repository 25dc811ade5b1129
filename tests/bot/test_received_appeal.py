"""A channel whose appeals a clerk registers by hand (59-FZ art. 8 p. 2): the resident is told the
appeal was received and by when it will be registered — not that it is registered, and not an
answer date, which is counted from registration."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ChannelRegime
from models.enums import AppealRegime, AppealStatus
from services.work_calendar.clock import WorkCalendar
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    NEXT,
    SEND,
    SKIP,
    appeals_of,
    catalog_fixture,
    give_name,
    open_form,
)

MOSCOW = ZoneInfo("Europe/Moscow")  # the tests' configured zone (tests/conftest.py)


async def test_the_resident_is_told_the_appeal_waits_for_registration(
    new_chat, catalog, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s:
        s.add(ChannelRegime(channel="telegram", regime=AppealRegime.MESSAGE, manual_registration=True))
        await s.commit()
    chat = await new_chat("Ольга")
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    progress = await chat.send("Не горит фонарь у подъезда дома 3.", expect="Символов в тексте")
    await chat.press(progress, NEXT)
    await chat.press(await chat.reply("Где это?"), SKIP)
    await chat.press(await chat.reply("Приложите фото или документы"), SKIP)
    await give_name(chat)
    await chat.press(await chat.reply("Как с вами связаться?"), SKIP)
    await chat.press(await chat.reply("проверьте перед отправкой"), SEND)
    done = await chat.reply("Ваше обращение получено")

    [appeal] = await appeals_of(session_factory)
    assert appeal.status == AppealStatus.RECEIVED and appeal.regime == AppealRegime.MESSAGE
    assert appeal.registration_due_at is not None and appeal.received_at is not None
    # 3 days (59-FZ art. 8) on the production calendar: the last day is a working day, at most the
    # 4th local day; only a term lying wholly inside long holidays ends after them.
    calendar = WorkCalendar(MOSCOW)
    last_day = appeal.registration_due_at.astimezone(MOSCOW).date()
    assert appeal.registration_due_at > appeal.received_at and calendar.is_working_day(last_day)
    holiday_in_term = not all(
        calendar.is_working_day(appeal.received_at.astimezone(MOSCOW).date() + timedelta(days=n))
        for n in (1, 2, 3)
    )
    assert appeal.registration_due_at - appeal.received_at <= timedelta(days=4) or holiday_in_term
    assert appeal.reg_number in done["text"]
    assert re.search(r"будет зарегистрировано до \d\d\.\d\d\.\d{4}", done["text"])
    assert "зарегистрировано." not in done["text"].split("\n")[0]
    assert "Срок ответа" not in done["text"] and "Ответ будет дан до" not in done["text"]
