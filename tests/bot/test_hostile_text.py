"""Control characters from Telegram never reach the database: a resident whose name, messages and
file name carry NUL, a bell, an ANSI escape and DEL writes an appeal as usual, and what is stored
(and echoed back) is the cleaned text. On PostgreSQL a NUL used to end the update in an error."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import TelegramAccount
from sandbox.runner import RunningSandbox
from tests.bot.appeals_support import (  # noqa: F401 - fixtures
    DONE,
    NEXT,
    REG_NUMBER,
    SEND,
    SKIP,
    appeals_of,
    catalog_fixture,
    files_of,
    give_name,
    open_form,
    wait_after,
)
from tests.bot.assignments_support import PDF, press_data

DIRTY = "\x00\x07\x1b[1m\x7f"


async def test_an_appeal_with_control_characters_is_registered_clean(
    new_chat, catalog, sandbox: RunningSandbox, session_factory
) -> None:
    chat = await new_chat(f"Мария{DIRTY}")
    topics = await open_form(chat, "Выберите тему")
    await chat.press(topics, "Благоустройство")
    await chat.reply("Опишите проблему")
    text = f"Во дворе{DIRTY} не вывозят мусор.\r\nВторая\x00 неделя."
    clean = "Во дворе[1m не вывозят мусор.\nВторая неделя."
    progress = await chat.send(text, expect="Символов в тексте")
    assert f"Символов в тексте: {len(clean)}" in progress["text"]
    await chat.press(progress, NEXT)
    await chat.reply("Где это?")
    await chat.send(f"ул. Ленина,{DIRTY} 5", expect="Адрес: ул. Ленина,[1m 5")
    await chat.reply("Приложите фото или документы")

    # A document whose name carries a NUL (the sandbox client would refuse to send it; a user can).
    state = sandbox.state
    record = state.find_chat(chat.user_id)
    assert record is not None
    stored = state.store_file(PDF, "document", "ак\x00т\x1b.pdf", "application/pdf")
    sent = state.user_message(
        record, state.users[chat.user_id], {"document": stored.to_media(), "caption": None}, files=[stored]
    )
    progress = await wait_after(chat, sent.message_id, "Приложено файлов: 1 из 10")
    await chat.press(progress, DONE)
    await give_name(chat)
    ask = await chat.reply("Как с вами связаться?")
    await chat.press(ask, SKIP)
    summary = await chat.reply("проверьте перед отправкой")
    assert clean in summary["text"] and "\x00" not in summary["text"]
    await chat.press(summary, SEND)
    done = await chat.reply("Ваше обращение зарегистрировано")
    number = re.search(rf"Регистрационный номер: ({REG_NUMBER})", done["text"])
    assert number is not None

    [appeal] = await appeals_of(session_factory)
    assert appeal.reg_number == number.group(1)
    assert appeal.text == clean and appeal.address == "ул. Ленина,[1m 5"
    assert [f.original_name for f in await files_of(session_factory, appeal.id)] == ["акт.pdf"]
    async with session_factory() as session:
        account = await session.scalar(select(TelegramAccount).where(TelegramAccount.id == chat.user_id))
    assert account is not None and account.first_name == "Мария[1m"

    # A forged button press with control characters in its data is answered like any stale one.
    query = press_data(sandbox, chat, done["message_id"], "ap:\x00\x07")
    answer = await chat.callback_answer(query)
    assert answer["answered"] and "\x00" not in (answer.get("text") or "")
    await chat.send("/start", expect="Здравствуйте")


def test_the_check_reaches_nested_and_unknown_fields() -> None:
    """The middleware checks the parsed update, not a dump of it: a dirty string in a quoted message
    or in a field this aiogram release does not know yet still marks the update for cleaning."""
    from aiogram.types import Update

    from bot.middlewares.clean_text import _all_clean

    def update(**message: object) -> Update:
        chat = {"id": 5, "type": "private", "first_name": "Анна"}
        base = {"message_id": 1, "date": 1_700_000_000, "chat": chat, "text": "Добрый день\tи\nвсё"}
        return Update.model_validate({"update_id": 1, "message": {**base, **message}})

    assert _all_clean(update())
    assert not _all_clean(update(text="a" + DIRTY))
    assert not _all_clean(
        update(
            reply_to_message={"message_id": 0, "date": 0, "chat": {"id": 5, "type": "private"}, "text": DIRTY}
        )
    )
    assert not _all_clean(update(future_field={"label": ["ok", DIRTY]}))
    assert not _all_clean(update(entities=[{"type": "text_link", "offset": 0, "length": 1, "url": DIRTY}]))
