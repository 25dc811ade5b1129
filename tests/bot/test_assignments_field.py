"""The field card (issue #12, item 4): an executor's card brings the appeal's place and the return
history; «📂 Files and location» sends the appeal's photos as one album, its documents as documents,
the assignment's own files and a map pin — and never the correspondent's personal data."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from models import StoredFile, User
from porucheno.settings import Settings
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.assignments import commands, reports
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.files import FileOrigin, store_file
from tests.bot.assignments_support import (  # noqa: F401 - fixtures
    PDF,
    buttons,
    create_assignment,
    outbox_fixture,
    town_fixture,
)
from tests.services.appeals_helpers import PNG

PNG_B = PNG[:-12] + b"\x00" * 4 + PNG[-12:]  # a second, different image


async def _appeal_with_files(session_factory, settings: Settings) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        result = await register_appeal(
            session,
            AppealInput(
                channel="telegram",
                text="Во дворе яма, машины бьют колёса",
                subject="Яма во дворе",
                address="ул. Ленина, 5",
                latitude=55.7512,
                longitude=37.6184,
                contact=ContactInput(name="Смирнова Алла", phone="+79161234567", email="alla@example.org"),
            ),
            actor=Actor.system("test"),
            files_dir=settings.files_dir,
        )
        appeal = result.appeal
        for data, name in ((PNG, "яма-1.png"), (PNG_B, "яма-2.png"), (PDF, "схема.pdf")):
            await store_file(
                session, settings.files_dir, data, filename=name, origin=FileOrigin(appeal_id=appeal.id)
            )
        await session.commit()
        return appeal.id


async def _link(session_factory, aid: int, appeal_id: int, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        a = await commands.load(session, aid)
        a.appeal_id = appeal_id
        await store_file(
            session,
            settings.files_dir,
            PDF + b"%plan",
            filename="план работ.pdf",
            origin=FileOrigin(assignment_id=aid),
        )
        await session.commit()


async def _returned_once(session_factory, town, aid: int) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        executor = await session.get(User, town.executor.id)
        controller = await session.get(User, town.controller.id)
        assert executor is not None and controller is not None
        await commands.transition(session, executor, aid, Action.ACKNOWLEDGE)
        draft = await reports.open_draft(session, executor, aid)
        await reports.set_text(session, executor, draft.id, "Засыпал щебнем")
        await reports.submit(session, executor, draft.id)
        await commands.transition(
            session, controller, aid, Action.RETURN, reason="Нужен асфальт, не щебень", notify=town.ctx
        )
        await session.commit()


async def test_field_card_with_album_documents_and_pin(town, session_factory, settings) -> None:
    ex = town.executor.chat
    appeal_id = await _appeal_with_files(session_factory, settings)
    aid = await create_assignment(session_factory, town, "Заделать яму во дворе")
    await _link(session_factory, aid, appeal_id, settings)
    await _returned_once(session_factory, town, aid)
    await ex.reply(f"Поручение №{aid}")
    returned = await ex.reply("Поручение возвращено на доработку")
    assert "📂 Материалы и место" in buttons(returned)  # the notice offers the materials too
    assert "Адрес: ул. Ленина, 5" in returned["text"]

    listing = await ex.send("Мои поручения", expect="Мои поручения")
    await ex.press(listing, next(label for label in buttons(listing) if label.startswith(f"№{aid}")))
    card = await ex.reply("Карточка поручения")
    text = card["text"]
    assert "Обращение: " in text and "Тема: Яма во дворе" in text and "Адрес: ул. Ленина, 5" in text
    assert "Файлы: фото 2, документов 2" in text
    assert "Последняя причина возврата: Нужен асфальт, не щебень" in text
    assert "Возвратов на доработку: 1" in text and "Кузнецова Ольга Викторовна: Нужен асфальт" in text
    for private in ("Смирнова", "+7916", "alla@example.org"):
        assert private not in text
    assert "📂 Материалы и место" in buttons(card)

    before = len(await ex.client.bot_messages(ex.user_id))
    await ex.press(card, "📂 Материалы и место")
    summary = await ex.reply("Материалы поручения")
    assert "Адрес: ул. Ленина, 5" in summary["text"] and "Смирнова" not in summary["text"]
    sent = (await ex.client.bot_messages(ex.user_id))[before:]
    photos = [m for m in sent if m["kind"] == "photo"]
    assert (
        len(photos) == 2
        and photos[0]["media_group_id"]
        and {p["media_group_id"] for p in photos} == {photos[0]["media_group_id"]}
    )
    documents = sorted(m["media"][0]["file_name"] for m in sent if m["kind"] == "document")
    assert documents == ["план работ.pdf", "схема.pdf"]
    pin = next(m for m in sent if m["kind"] == "location")
    assert (
        abs(pin["location"]["latitude"] - 55.7512) < 1e-4
        and abs(pin["location"]["longitude"] - 37.6184) < 1e-4
    )
    # The album came before the pin and the summary: the chat reads top to bottom.
    kinds = [m["kind"] for m in sent]
    assert kinds.index("location") > kinds.index("photo") and kinds[-1] == "text"

    # Uploaded once from storage: the next sending goes by Telegram's file ids.
    async with session_factory() as session:
        ids = (
            await session.scalars(select(StoredFile.telegram_file_id).where(StoredFile.report_id.is_(None)))
        ).all()
    assert all(ids)
    # Refreshing the card (a press on it) does not send the media again.
    await ex.press(card, "💬 Комментарий")
    await ex.reply("Напишите комментарий")
    await asyncio.sleep(0.3)
    after = (await ex.client.bot_messages(ex.user_id))[before + len(sent) :]
    assert all(m["kind"] == "text" for m in after)


async def test_field_card_without_materials_has_no_button(town, session_factory) -> None:
    ex = town.executor.chat
    aid = await create_assignment(session_factory, town)
    await ex.reply(f"Поручение №{aid}")
    listing = await ex.send("Мои поручения", expect="Мои поручения")
    await ex.press(listing, next(label for label in buttons(listing) if label.startswith(f"№{aid}")))
    card = await ex.reply("Карточка поручения")
    assert "📂 Материалы и место" not in buttons(card) and "Обращение:" not in card["text"]
