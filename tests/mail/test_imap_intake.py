"""Letters in a real IMAP mailbox (Dovecot) become appeals exactly once, whatever happens."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Appeal, AuditEvent, Correspondent, MailboxCursor, StoredFile
from models.db import create_engine, create_session_factory
from porucheno.settings import Settings
from services import files
from services.files import file_path
from services.mail.intake import MailPoller
from services.notify import NoticeContext
from tests.mail.conftest import ImapServer, letter, message_id_of

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def _b(text: str) -> bytes:
    return b"=?utf-8?b?" + base64.b64encode(text.encode()) + b"?="


def _poller(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, server: ImapServer, mailbox: str
) -> MailPoller:
    return MailPoller(
        session_factory, server.config(mailbox), files_dir=settings.files_dir, notify=NoticeContext()
    )


async def _appeals(session_factory: async_sessionmaker[AsyncSession]) -> list[Appeal]:
    async with session_factory() as session:
        return list((await session.scalars(select(Appeal).order_by(Appeal.id))).all())


async def _files(session_factory: async_sessionmaker[AsyncSession], appeal_id: int) -> list[StoredFile]:
    async with session_factory() as session:
        query = select(StoredFile).where(StoredFile.appeal_id == appeal_id).order_by(StoredFile.id)
        return list((await session.scalars(query)).all())


async def test_letters_become_appeals_with_sender_subject_text_and_files(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
) -> None:
    plain = letter(
        subject="Яма во дворе дома № 5 по ул. Ленина",
        body="Здравствуйте! Во дворе глубокая яма.\nПрошу заделать.",
    )
    html_only = letter(
        subject="Не горит фонарь",
        body=None,
        html="<html><head><style>p{color:red}</style></head><body><p>Не горит <b>фонарь</b>"
        " у подъезда&nbsp;2.</p><ul><li>с понедельника</li><li>каждый вечер</li></ul></body></html>",
        sender="Мария Сидорова <maria@example.ru>",
    )
    with_files = letter(subject="Фото и заявление", body="Прикладываю фото и заявление.")
    with_files.add_attachment(PDF, maintype="application", subtype="pdf", filename="Заявление.pdf")
    with_files.add_attachment(_png(), maintype="image", subtype="png", filename="фото ямы.png")
    auto_reply = letter(subject="Автоответ", body="Я в отпуске", headers={"Auto-Submitted": "auto-replied"})
    bounce = letter(
        subject="Undelivered Mail Returned to Sender", body="550 no such user", sender="MAILER-DAEMON@mx.ru"
    )
    again = letter(subject="Повторно о яме", body="Яму так и не заделали.", sender="ivan.petrov@example.ru")
    original = letter(
        subject="Протечка крыши", body="Течёт крыша в кв. 12.", sender="Жилец <flat12@example.ru>"
    )
    original.add_attachment(PDF, maintype="application", subtype="pdf", filename="акт.pdf")
    forwarded = letter(
        subject="Fwd: Протечка крыши", body="Пересылаю по подведомственности.", sender="uk@city.ru"
    )
    forwarded.add_attachment(original)
    imap_server.append(mailbox, plain, html_only, with_files, auto_reply, bounce, again, forwarded)
    poller = _poller(session_factory, settings, imap_server, mailbox)

    result = await poller.poll()

    assert (result.registered, result.skipped, result.failed) == (5, 2, 0)
    first, lamp, files_appeal, second, fwd = await _appeals(session_factory)
    assert first.channel == "email" and first.subject == "Яма во дворе дома № 5 по ул. Ленина"
    assert first.text == "Здравствуйте! Во дворе глубокая яма.\nПрошу заделать."
    assert first.external_id == message_id_of(plain) and first.reply_to == "ivan.petrov@example.ru"
    assert first.reg_number
    assert lamp.text == "Не горит фонарь у подъезда 2.\n\n- с понедельника\n- каждый вечер"
    stored = await _files(session_factory, files_appeal.id)
    assert [(f.original_name, f.mime_type) for f in stored] == [
        ("Заявление.pdf", "application/pdf"),
        ("фото ямы.png", "image/png"),
    ]
    assert file_path(settings.files_dir, stored[0]).read_bytes() == PDF
    # A forwarded letter is read like the rest and also kept whole.
    assert fwd.text == "Пересылаю по подведомственности.\n\nТечёт крыша в кв. 12."
    assert [(f.original_name, f.mime_type) for f in await _files(session_factory, fwd.id)] == [
        ("forwarded-2.eml", "application/octet-stream"),
        ("акт.pdf", "application/pdf"),
    ]
    async with session_factory() as session:
        ivan = await session.get(Correspondent, first.correspondent_id)
        skipped = await session.scalar(
            select(func.count()).where(AuditEvent.action == "mail_auto_reply_skipped")
        )
    # The same resident writing twice (the second time without a name) is one correspondent.
    assert second.correspondent_id == first.correspondent_id == files_appeal.correspondent_id
    assert ivan is not None and ivan.email == "ivan.petrov@example.ru" and ivan.name == "Иван Петров"
    assert lamp.correspondent_id != first.correspondent_id
    assert skipped == 2

    again_result = await poller.poll()
    assert (again_result.registered, again_result.duplicates) == (0, 0)
    assert len(await _appeals(session_factory)) == 5
    assert all("\\Seen" not in flags for flags in imap_server.flags(mailbox))


async def test_damaged_and_empty_letters_are_registered_and_kept_raw(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 4096)  # a 20 MB attachment, scaled down
    too_big = letter(subject="Большой скан", body="Скан заявления во вложении.")
    too_big.add_attachment(PDF + b"0" * 5000, maintype="application", subtype="pdf", filename="скан.pdf")
    too_big.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="run.exe")
    too_big.add_attachment(_png(), maintype="image", subtype="png", filename="фото.png")
    damaged = (
        b"From: " + _b("Пётр Иванов") + b" <petr@example.ru>\r\n"
        b"Subject: " + _b("Сломанная кодировка") + b"\r\n"
        b"Message-ID: <damaged-1@example.ru>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=x-unknown-cyr\r\n\r\n"
        b"\xcf\xf0\xee\xf8\xf3 hello \xef\xee\xec\xee\xf7\xfc\r\n"
        b"--b1\r\nContent-Type: image/jpeg; name=photo.jpg\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=photo.jpg\r\n\r\n/9j/4AAQSk!!ZJRgABA*\r\n"
        b"--b1--\r\n"
    )
    subject_only = letter(subject="Прошу перезвонить", body="")
    totally_empty = b"From: anon@example.ru\r\nMessage-ID: <empty-1@example.ru>\r\n\r\n"
    imap_server.append(mailbox, damaged, subject_only, totally_empty, too_big)

    result = await _poller(session_factory, settings, imap_server, mailbox).poll()

    assert (result.registered, result.failed) == (4, 0)
    broken, call_me, empty, big = await _appeals(session_factory)
    assert broken.subject == "Сломанная кодировка"
    assert "hello" in broken.text and "\ufffd" in broken.text  # best-effort, visibly lossy
    assert broken.text.endswith("[Часть письма не удалось прочитать: оригинал приложен без изменений.]")
    raw_files = await _files(session_factory, broken.id)
    assert {f.mime_type for f in raw_files} == {"application/octet-stream"}
    kept = b"".join(file_path(settings.files_dir, f).read_bytes() for f in raw_files)
    assert b"\xcf\xf0\xee\xf8\xf3 hello" in kept and b"/9j/4AAQSk!!ZJRgABA*" in kept
    assert call_me.text == "Прошу перезвонить"
    assert empty.text == "[В письме нет текста: оно приложено целиком в файле letter.eml.]"
    [eml] = await _files(session_factory, empty.id)
    assert eml.original_name == "letter.eml"
    assert file_path(settings.files_dir, eml).read_bytes().replace(b"\r\n", b"\n") == totally_empty.replace(
        b"\r\n", b"\n"
    )

    assert big.text == (
        "Скан заявления во вложении.\n\n[Не приняты вложения: скан.pdf (Файл больше 20 МБ.); "
        "run.exe (Такой тип файла не принимается: пришлите фото, PDF или офисные документы.).]"
    )
    assert [f.original_name for f in await _files(session_factory, big.id)] == ["фото.png"]


async def test_restart_and_new_uidvalidity_create_no_duplicates(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
) -> None:
    a, b, c, d = (letter(subject=f"Обращение {n}", body=f"Текст {n}") for n in "abcd")
    imap_server.append(mailbox, a, b)
    assert (await _poller(session_factory, settings, imap_server, mailbox).poll()).registered == 2

    # A restart: a new engine and a new poller on the same database.
    engine = create_engine(settings.database_url)
    try:
        restarted = _poller(create_session_factory(engine), settings, imap_server, mailbox)
        assert (await restarted.poll()).registered == 0
        imap_server.append(mailbox, c)
        result = await restarted.poll()
        assert (result.registered, result.duplicates) == (1, 0)  # only the new letter is read

        # The folder is rebuilt (new UIDVALIDITY) holding the same letters and one more.
        imap_server.recreate(mailbox)
        imap_server.append(mailbox, a, b, c, d)
        result = await restarted.poll()
        assert (result.registered, result.duplicates) == (1, 3)
    finally:
        await engine.dispose()

    assert [x.subject for x in await _appeals(session_factory)] == [f"Обращение {n}" for n in "abcd"]
    async with session_factory() as session:
        cursor = await session.scalar(select(MailboxCursor))
        changed = await session.scalar(select(func.count()).where(AuditEvent.action == "uidvalidity_changed"))
    assert cursor is not None and cursor.last_uid == 4 and changed == 1


async def test_a_failing_letter_neither_blocks_others_nor_gets_lost(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.mail import intake

    real_parse = intake.parse_letter

    def parse(raw: bytes):  # type: ignore[no-untyped-def]
        if b"<poison@example.ru>" in raw:
            raise RuntimeError("parser bug")
        return real_parse(raw)

    monkeypatch.setattr(intake, "parse_letter", parse)
    before = letter(subject="До", body="Первое")
    poison = letter(subject="Ядовитое", body="Второе", message_id="<poison@example.ru>")
    after = letter(subject="После", body="Третье")
    imap_server.append(mailbox, before, poison, after)
    poller = MailPoller(
        session_factory,
        imap_server.config(mailbox, mark_seen=True),
        files_dir=settings.files_dir,
        notify=NoticeContext(),
    )

    first = await poller.poll()
    assert (first.registered, first.failed) == (2, 1)
    # Taken-in letters are marked read (optional, cosmetic); the failing one is still unread.
    assert ["\\Seen" in flags for flags in imap_server.flags(mailbox)] == [True, False, True]
    second = await poller.poll()  # retried; the letter after it is recognised, not doubled
    assert (second.registered, second.failed, second.duplicates) == (0, 1, 1)
    third = await poller.poll()  # the last try keeps it whole, so nothing is lost
    assert (third.kept_raw, third.duplicates) == (1, 1)
    assert (await poller.poll()).kept_raw == 0

    appeals = await _appeals(session_factory)
    assert [a.subject for a in appeals] == ["До", "После", None]
    assert appeals[2].text == "[Письмо не удалось обработать: оно приложено целиком в файле letter.eml.]"
    [eml] = await _files(session_factory, appeals[2].id)
    assert eml.original_name == "letter.eml"
    assert b"<poison@example.ru>" in file_path(settings.files_dir, eml).read_bytes()
