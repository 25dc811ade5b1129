"""Hostile letters in a real IMAP mailbox (Dovecot): control characters are cleaned, oversized parts
dropped with a note, and a letter that cannot be registered goes to the quarantine while the cursor
moves on; a clerk sees it in the panel, downloads it and retries it once the cause is gone."""

from __future__ import annotations

import base64
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from models import Appeal, AuditEvent, Correspondent, MailboxCursor, MailQuarantine
from porucheno.settings import Settings
from services.mail import intake, parse
from tests.mail.conftest import ImapServer, letter
from tests.mail.test_imap_intake import PDF, _appeals, _files, _poller
from tests.web.conftest import IGNORE_SESSION_KEY_WARNING, csrf_of, login, make_user

pytestmark = pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING)


def _word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def hostile_letter(*attachments: tuple[str, bytes]) -> bytes:
    """Control characters where a mail client can put them: encoded words in the subject and the
    sender's name, a base64 body, an RFC 2231 file name; and a raw bell in the address."""
    parts = [
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _b64("Во дворе\x00 яма.\r\nПрошу\x7f заделать.\x1b[0m".encode())
    ]
    for disposition, data in attachments:
        parts.append(
            "--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; {disposition}\r\n\r\n" + _b64(data)
        )
    name, subject = _word("Мария\x1b[31m Сидорова\x00"), _word("Яма\x00 во дворе\x07")
    head = (
        f"From: {name} <maria\x07@example.ru>\r\n"
        "To: appeals@city.example\r\n"
        f"Subject: {subject}\r\n"
        "Message-ID: <hostile-1@example.ru>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
    )
    return (head + "\r\n".join(parts) + "\r\n--b1--\r\n").encode()


async def test_control_characters_are_cleaned_and_big_parts_dropped_with_a_note(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parse, "MAX_PART_BYTES", 4096)  # the real cap is 20 MB; the rule is the same
    raw = hostile_letter(
        ("filename*=utf-8''%D0%B0%D0%BA%00%D1%82%1B.pdf", PDF),
        ('filename="big.pdf"', PDF + b"%" * 8192),
    )
    imap_server.append(mailbox, raw)
    result = await _poller(session_factory, settings, imap_server, mailbox).poll()
    assert (result.registered, result.failed, result.quarantined) == (1, 0, 0)

    [appeal] = await _appeals(session_factory)
    assert appeal.subject == "Яма во дворе"
    assert appeal.text == (
        "Во дворе яма.\nПрошу заделать.[0m\n\n"
        "[Части письма сверх допустимого размера не сохранены: big.pdf (8 KB).]"
    )
    assert appeal.reply_to == "maria@example.ru"
    assert [f.original_name for f in await _files(session_factory, appeal.id)] == ["акт.pdf"]
    async with session_factory() as session:
        person = await session.get(Correspondent, appeal.correspondent_id)
    assert person is not None and (person.name, person.email) == ("Мария[31m Сидорова", "maria@example.ru")


async def test_a_poisoned_letter_is_quarantined_and_later_letters_are_registered(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_register = intake.register_appeal

    async def register(session, data, **kwargs):  # type: ignore[no-untyped-def]
        if "Ядовитое" in (data.subject or "") or "Ядовитое" in data.text:
            raise RuntimeError("storage refused the letter")
        return await real_register(session, data, **kwargs)

    monkeypatch.setattr(intake, "register_appeal", register)
    poison = letter(subject="Ядовитое", body="Второе", message_id="<poison@example.ru>")
    imap_server.append(mailbox, letter(subject="До", body="Первое"), poison)
    poller = _poller(session_factory, settings, imap_server, mailbox)
    assert (await poller.poll()).failed == 1  # a passing fault gets the usual retries first
    assert (await poller.poll()).failed == 1
    third = await poller.poll()
    assert (third.quarantined, third.failed) == (1, 0)
    imap_server.append(mailbox, letter(subject="После", body="Третье"))
    fourth = await poller.poll()
    assert (fourth.registered, fourth.failed, fourth.quarantined, fourth.duplicates) == (1, 0, 0, 0)
    assert [a.subject for a in await _appeals(session_factory)] == ["До", "После"]
    async with session_factory() as session:
        cursor = await session.scalar(select(MailboxCursor))
        [item] = (await session.scalars(select(MailQuarantine))).all()
    assert cursor is not None and cursor.last_uid == 3  # past the poisoned letter
    assert (item.uid, item.status, item.error_class, item.subject) == (
        2,
        "pending",
        "RuntimeError",
        "Ядовитое",
    )
    assert b"<poison@example.ru>" in item.raw

    # The clerk's side: the appeals list links the quarantine, the letter can be downloaded, and a
    # retry fails while the cause is there and registers the letter once it is gone.
    await make_user(session_factory, "clerk", "clerk-password-1", ["clerk"])
    await make_user(session_factory, "worker", "worker-password-1", ["executor"])
    app = create_admin_app(settings, session_factory)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        await login(client, "worker", "worker-password-1")
        assert (await client.get("/appeals/quarantine")).status == 403
        assert (await client.get(f"/appeals/quarantine/{item.id}/letter.eml")).status == 403
        await client.post("/logout", data={"csrf_token": csrf_of(await (await client.get("/")).text())})

        await login(client, "clerk", "clerk-password-1")
        appeals_page = await (await client.get("/appeals")).text()
        assert re.search(
            r'id="mail-quarantine" href="/appeals/quarantine">Карантин почты \(1\)', appeals_page
        )
        listing = await (await client.get("/appeals/quarantine")).text()
        assert f'href="/appeals/quarantine/{item.id}"' in listing and "RuntimeError" in listing
        page = await client.get(f"/appeals/quarantine/{item.id}")
        html = await page.text()
        assert "Ядовитое" in html and "storage refused the letter" in html
        download = await client.get(f"/appeals/quarantine/{item.id}/letter.eml")
        assert download.status == 200 and await download.read() == item.raw
        assert "attachment" in download.headers["Content-Disposition"]

        token = csrf_of(html)
        response = await client.post(f"/appeals/quarantine/{item.id}/retry", data={"csrf_token": token})
        assert response.status == 200
        assert "Письмо по-прежнему не удаётся зарегистрировать (RuntimeError)" in await response.text()

        monkeypatch.setattr(intake, "register_appeal", real_register)  # the cause is fixed
        response = await client.post(f"/appeals/quarantine/{item.id}/retry", data={"csrf_token": token})
        html = await response.text()
        assert response.status == 200 and "Ожидает решения" not in html
        number = re.search(r"Обращение (\d{4}-\d{6}) зарегистрировано", html)
        assert number, html
        assert 'id="appeal-link"' in html and 'id="action-retry"' not in html
        response = await client.post(f"/appeals/quarantine/{item.id}/dismiss", data={"csrf_token": token})
        assert "По этому письму уже принято решение" in await response.text()

    async with session_factory() as session:
        poisoned = await session.scalar(select(Appeal).where(Appeal.subject == "Ядовитое"))
        item = await session.get(MailQuarantine, item.id)
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "mail_quarantine")
                .order_by(AuditEvent.id)
            )
        ).all()
    assert poisoned is not None and poisoned.reg_number == number.group(1) and poisoned.text == "Второе"
    assert item is not None and (item.status, item.appeal_id, item.attempts) == ("registered", poisoned.id, 2)
    assert actions == ["mail_quarantined", "mail_quarantine_retry_failed", "mail_quarantine_retried"]


async def test_a_clerk_dismisses_a_quarantined_letter(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def refuse(session, data, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("never")

    monkeypatch.setattr(intake, "register_appeal", refuse)
    imap_server.append(mailbox, letter(subject="Спам\x07", body="Купите"))
    poller = _poller(session_factory, settings, imap_server, mailbox)
    for _ in range(intake.MAX_LETTER_FAILURES):
        await poller.poll()
    async with session_factory() as session:
        [item] = (await session.scalars(select(MailQuarantine))).all()
    await make_user(session_factory, "clerk", "clerk-password-1", ["clerk"])
    async with TestClient(
        TestServer(create_admin_app(settings, session_factory), host="127.0.0.1")
    ) as client:
        await login(client, "clerk", "clerk-password-1")
        token = csrf_of(await (await client.get(f"/appeals/quarantine/{item.id}")).text())
        response = await client.post(
            f"/appeals/quarantine/{item.id}/dismiss", data={"csrf_token": token, "reason": "Спам\x00"}
        )
        html = await response.text()
        assert "Письмо отклонено" in html and 'id="action-dismiss"' not in html
        listing = await (await client.get("/appeals/quarantine")).text()
        assert 'id="quarantine-empty"' in listing
    async with session_factory() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "mail_quarantine_dismissed")
        )
        item = await session.get(MailQuarantine, item.id)
    assert event is not None and event.reason == "Спам" and event.actor_user_id is not None
    assert item is not None and item.status == "dismissed" and item.resolved_by_id == event.actor_user_id


async def test_a_letter_over_the_size_cap_is_not_downloaded_and_the_cursor_moves_on(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
) -> None:
    huge = letter(subject="Огромное", body="x" * 64 * 1024, message_id="<huge@example.ru>")
    imap_server.append(mailbox, huge, letter(subject="Обычное", body="Короткое"))
    poller = _poller(session_factory, settings, imap_server, mailbox)
    poller.max_letter_bytes = 16 * 1024  # the real cap is about 68 MB; the rule is the same
    result = await poller.poll()
    assert (result.registered, result.quarantined, result.failed) == (1, 1, 0)
    assert [a.subject for a in await _appeals(session_factory)] == ["Обычное"]
    async with session_factory() as session:
        cursor = await session.scalar(select(MailboxCursor))
        [item] = (await session.scalars(select(MailQuarantine))).all()
    assert cursor is not None and cursor.last_uid == 2
    # Only the header block was fetched and kept: the clerk sees who wrote and why it was held back.
    assert (item.uid, item.error_class, item.subject) == (1, "LetterTooLarge", "Огромное")
    assert item.error_message is not None and "16384" in item.error_message
    assert b"Message-ID: <huge@example.ru>" in item.raw and b"xxxx" not in item.raw
    assert len(item.raw) < 4096
