"""Uploads, albums, getFile and downloads in both directions, including Telegram's size limits."""

from __future__ import annotations

import os
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge
from aiogram.types import BufferedInputFile, InputMediaDocument, InputMediaPhoto

from sandbox.client import SandboxClient

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
MB = 1024 * 1024


async def bot_download(bot: Bot, file_id: str) -> bytes:
    file = await bot.get_file(file_id)
    assert file.file_path
    buffer = await bot.download_file(file.file_path)
    assert buffer is not None
    return buffer.read()


async def test_send_document_and_photo_round_trip(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    payload = os.urandom(300_000)
    doc = await bot.send_document(user["id"], BufferedInputFile(payload, "отчёт.pdf"), caption="Отчёт")
    assert doc.document is not None and doc.document.file_name == "отчёт.pdf"
    assert doc.document.mime_type == "application/pdf"
    assert await bot_download(bot, doc.document.file_id) == payload

    photo = await bot.send_photo(user["id"], BufferedInputFile(PNG_1x1, "dot.png"))
    assert photo.photo is not None and (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    assert await bot_download(bot, photo.photo[-1].file_id) == PNG_1x1

    # Re-sending by file_id needs no upload; the transcript exposes download URLs for the page/tests.
    await bot.send_document(user["id"], doc.document.file_id)
    transcript = await client.transcript(user["id"])
    assert [m["kind"] for m in transcript] == ["document", "photo", "document"]
    assert await client.download(transcript[0]["media"][0]["url"]) == payload


async def test_media_group_with_attach_references(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    first, second = os.urandom(1000), os.urandom(2000)
    messages = await bot.send_media_group(
        user["id"],
        media=[
            InputMediaDocument(
                media=BufferedInputFile(first, "a.txt"), caption="<b>Файлы</b>", parse_mode="HTML"
            ),
            InputMediaDocument(media=BufferedInputFile(second, "b.txt")),
        ],
    )
    assert len(messages) == 2
    assert messages[0].media_group_id and messages[0].media_group_id == messages[1].media_group_id
    assert messages[0].caption == "Файлы"
    assert [await bot_download(bot, m.document.file_id) for m in messages if m.document] == [first, second]
    with pytest.raises(TelegramBadRequest, match="wrong number of media"):
        await bot.send_media_group(
            user["id"], media=[InputMediaPhoto(media=BufferedInputFile(PNG_1x1, "x.png"))]
        )
    stats = await client.stats()
    assert stats["chats"][str(user["id"])]["sent"] == 2  # an album counts each item


async def test_user_files_are_downloadable_by_bot(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    document = os.urandom(50_000)
    await client.send_document(user["id"], document, "акт.docx", caption="Акт")
    await client.send_album(user["id"], [(PNG_1x1, "1.png"), (PNG_1x1 + b"\0", "2.png")])
    await client.send_location(user["id"], 55.75, 37.62)
    await client.send_contact(user["id"], "+79001234567", "Анна")
    await client.send_voice(user["id"])
    await client.send_sticker(user["id"])
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    assert len(messages) == 7
    doc_msg, photo_a, photo_b, location, contact, voice, sticker = messages
    assert doc_msg.caption == "Акт" and doc_msg.document is not None
    assert doc_msg.document.file_name == "акт.docx"  # a Cyrillic name survives the upload
    assert await bot_download(bot, doc_msg.document.file_id) == document
    assert photo_a.media_group_id and photo_a.media_group_id == photo_b.media_group_id
    assert photo_b.photo is not None and await bot_download(bot, photo_b.photo[-1].file_id) == PNG_1x1 + b"\0"
    assert location.location is not None and location.location.latitude == 55.75
    assert contact.contact is not None and contact.contact.phone_number == "+79001234567"
    assert voice.voice is not None and sticker.sticker is not None
    assert messages[0].from_user is not None and messages[0].from_user.username == "anna"


async def test_get_file_refuses_files_over_20_mb(
    bot: Bot, client: SandboxClient, user: dict[str, Any]
) -> None:
    await client.send_document(user["id"], b"\0" * (20 * MB + 1), "big.zip")
    await client.send_document(user["id"], b"\1" * (20 * MB), "limit.zip")
    big, limit = [u.message.document for u in await bot.get_updates() if u.message and u.message.document]
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(big.file_id)
    assert (await bot.get_file(limit.file_id)).file_size == 20 * MB


async def test_upload_over_50_mb_is_413(bot: Bot, client: SandboxClient, user: dict[str, Any]) -> None:
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_document(user["id"], BufferedInputFile(b"\0" * (50 * MB + 1), "huge.bin"))
    assert await client.transcript(user["id"]) == []
