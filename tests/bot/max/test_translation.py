"""Unit tests of the MAX translation: updates, keyboards, formatting and methods (no server)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetChatMemberCount, SendMessage
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LoginUrl,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.max.formatting import split_text, to_max_html
from bot.max.keyboards import keyboard_attachment
from bot.max.methods import target, text_and_format
from bot.max.refs import MemoryRefs
from bot.max.session import MaxSession
from bot.max.updates import parse_vcf, translate_update
from services.messengers import max_address

USER = {
    "user_id": 42,
    "first_name": "Мария",
    "last_name": None,
    "name": "Мария",
    "username": None,
    "is_bot": False,
}
BOT = {
    "user_id": 9,
    "first_name": "Поручено",
    "name": "Поручено",
    "username": "porucheno_bot",
    "is_bot": True,
}


def message(mid: str = "mid.1", text: str | None = "Привет", attachments: list[Any] | None = None) -> dict:
    return {
        "sender": USER,
        "recipient": {"chat_id": 777, "chat_type": "dialog", "user_id": None},
        "timestamp": 1_700_000_000_000,
        "body": {"mid": mid, "seq": 1, "text": text, "attachments": attachments, "markup": None},
    }


def created(msg: dict) -> dict:
    return {"update_type": "message_created", "timestamp": 1, "user_locale": "ru", "message": msg}


async def translate(raw: dict, refs: MemoryRefs | None = None):
    counter = itertools.count(1)
    return await translate_update(raw, refs or MemoryRefs(), lambda: next(counter))


def image(n: int) -> dict:
    return {"type": "image", "payload": {"photo_id": n, "token": f"t{n}", "url": f"http://x/{n}.png"}}


async def test_text_message_from_a_dialog() -> None:
    [update] = await translate(created(message()))
    msg = update.message
    assert msg is not None and msg.text == "Привет"
    assert msg.chat.id == msg.from_user.id == max_address(42) and msg.chat.type == "private"
    assert msg.from_user.language_code == "ru" and msg.message_id == 1


async def test_one_image_is_a_photo_with_caption() -> None:
    refs = MemoryRefs()
    [update] = await translate(created(message(text="Двор", attachments=[image(1)])), refs)
    msg = update.message
    assert msg.caption == "Двор" and msg.text is None and msg.media_group_id is None
    info = await refs.file(msg.photo[-1].file_id)
    assert info is not None and info.token == "t1" and info.url == "http://x/1.png"


async def test_images_and_a_file_in_one_message_are_an_album() -> None:
    file = {
        "type": "file",
        "payload": {"url": "http://x/a.pdf", "token": "f"},
        "filename": "a.pdf",
        "size": 9,
    }
    updates = await translate(created(message(text="Смотрите", attachments=[image(1), image(2), file])))
    assert [bool(u.message.photo) for u in updates] == [True, True, False]
    assert {u.message.media_group_id for u in updates} == {"mid.1"}
    assert [u.message.caption for u in updates] == ["Смотрите", None, None]
    doc = updates[2].message.document
    assert doc.file_name == "a.pdf" and doc.file_size == 9 and doc.mime_type == "application/pdf"
    assert len({u.update_id for u in updates}) == 3


async def test_contact_user_id_only_from_max_info() -> None:
    vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Мария\r\nTEL;TYPE=cell:+7 (999) 000-11-22\r\nEND:VCARD"
    own = {"type": "contact", "payload": {"vcf_info": vcf, "max_info": USER}}
    forged = {"type": "contact", "payload": {"vcf_info": vcf, "max_info": None}}
    [update] = await translate(created(message(text=None, attachments=[own])))
    assert update.message.contact.phone_number == "+79990001122"
    assert update.message.contact.user_id == update.message.from_user.id
    [update] = await translate(created(message(mid="mid.2", text=None, attachments=[forged])))
    assert update.message.contact.user_id is None and update.message.contact.first_name == "Мария"
    assert parse_vcf("TEL:8 800 1\n") == ("+88001", None)


async def test_location_and_sticker() -> None:
    location = {"type": "location", "latitude": 55.75, "longitude": 37.61}
    [update] = await translate(created(message(text=None, attachments=[location])))
    assert update.message.location.latitude == 55.75
    sticker = {"type": "sticker", "payload": {"url": "http://x/s", "code": "abc"}}
    [update] = await translate(created(message(mid="mid.3", text=None, attachments=[sticker])))
    assert update.message.sticker is not None and update.message.text is None


async def test_bot_started_is_start_with_payload() -> None:
    raw = {"update_type": "bot_started", "timestamp": 1000, "chat_id": 5, "user": USER, "payload": "inv_x"}
    [update] = await translate(raw)
    assert update.message.text == "/start inv_x" and update.message.chat.id == max_address(42)
    [update] = await translate({**raw, "payload": None})
    assert update.message.text == "/start"
    assert await translate({"update_type": "bot_stopped", "chat_id": 5, "user": USER}) == []


async def test_callback_carries_the_bot_message() -> None:
    refs = MemoryRefs()
    bot_message = {
        **message(mid="mid.bot", text="Выберите"),
        "sender": BOT,
        "recipient": {"chat_id": 777, "chat_type": "dialog", "user_id": 42},
    }
    bot_message["body"]["attachments"] = [
        {
            "type": "inline_keyboard",
            "payload": {"buttons": [[{"type": "callback", "text": "A", "payload": "a"}]]},
        }
    ]
    raw = {
        "update_type": "message_callback",
        "timestamp": 1,
        "callback": {"timestamp": 1, "callback_id": "cb1", "payload": "lang:en", "user": USER},
        "message": bot_message,
    }
    [update] = await translate(raw, refs)
    query = update.callback_query
    assert query.id == "cb1" and query.data == "lang:en" and query.from_user.id == max_address(42)
    assert query.message.chat.id == max_address(42) and query.message.from_user.is_bot
    assert await refs.mid(query.message.message_id) == "mid.bot"
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "a"


def test_inline_keyboard() -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Да", callback_data="yes"),
                InlineKeyboardButton(text="Сайт", url="https://a"),
            ],
            [InlineKeyboardButton(text="Вход", login_url=LoginUrl(url="https://login"))],
            [InlineKeyboardButton(text="Поиск", switch_inline_query="x")],
        ]
    )
    rows = keyboard_attachment(markup)["payload"]["buttons"]
    assert rows == [
        [
            {"type": "callback", "text": "Да", "payload": "yes"},
            {"type": "link", "text": "Сайт", "url": "https://a"},
        ],
        [{"type": "link", "text": "Вход", "url": "https://login"}],
    ]


def test_reply_keyboard_rows_are_split() -> None:
    markup = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=str(i)) for i in range(9)],
            [
                KeyboardButton(text="📱", request_contact=True),
                KeyboardButton(text="📍", request_location=True),
                KeyboardButton(text="a"),
                KeyboardButton(text="b"),
            ],
        ]
    )
    rows = keyboard_attachment(markup)["payload"]["buttons"]
    assert [len(row) for row in rows] == [7, 2, 3, 1]
    assert rows[0][0] == {"type": "message", "text": "0"}
    assert rows[2][0]["type"] == "request_contact" and rows[2][1]["type"] == "request_geo_location"
    assert keyboard_attachment(ReplyKeyboardRemove()) is None


def test_html_is_reduced_to_what_max_knows() -> None:
    source = (
        "<b>Ж</b> <strong>s</strong> <i>к</i> <u>п</u> <s>з</s> <code>1 &lt; 2</code> "
        '<a href="https://x?a=1&amp;b=2">ссылка</a> <blockquote>цитата</blockquote> '
        '<tg-spoiler>тайна</tg-spoiler> <span class="tg-spoiler">ещё</span> &amp;'
    )
    assert to_max_html(source) == (
        "<b>Ж</b> <strong>s</strong> <i>к</i> <u>п</u> <s>з</s> <code>1 &lt; 2</code> "
        '<a href="https://x?a=1&amp;b=2">ссылка</a> цитата тайна ещё &amp;'
    )


def test_split_keeps_lines_and_reopens_tags() -> None:
    text = "\n".join(f"строка {i}" for i in range(1000))
    pieces = split_text(text, 4000)
    assert all(len(p) <= 4000 for p in pieces) and "\n".join(pieces) == text
    html = "<b>" + "\n".join("x" * 50 for _ in range(200)) + "</b>"
    pieces = split_text(html, 4000, html=True)
    assert len(pieces) > 1 and all(p.startswith("<b>") and p.endswith("</b>") for p in pieces)
    assert split_text("короткий") == ["короткий"]


def test_targets_and_formats() -> None:
    method = SendMessage(chat_id=max_address(42), text="x")
    assert target(method, max_address(42)) == {"user_id": 42}
    assert target(method, max_address(-100)) == {"chat_id": -100}
    with pytest.raises(TelegramBadRequest):
        target(method, 12345)  # a Telegram chat
    bot = Bot("1:x")
    assert text_and_format(bot, "<b>a</b>", "HTML") == ("<b>a</b>", "html")
    assert text_and_format(bot, "<b>a</b>", None) == ("<b>a</b>", None)


async def test_unsupported_methods_are_bad_requests() -> None:
    session = MaxSession("token", MemoryRefs(), api_url="http://127.0.0.1:9")
    bot = Bot("1:x", session=session)
    with pytest.raises(TelegramBadRequest, match="not supported in MAX"):
        await bot(GetChatMemberCount(chat_id=max_address(1)))
    assert "token" not in repr(session)
    await session.close()
