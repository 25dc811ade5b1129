"""Assignment notices land in the outbox in the recipient's language, once per event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage, utcnow
from models.enums import Role
from services import staff
from services.assignments import commands, reports
from services.assignments.lifecycle import Action
from services.audit import Actor
from services.notify import NoticeContext

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _outbox(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_cards_buttons_languages_and_report_files(session: AsyncSession, tmp_path: Path) -> None:
    sys = Actor.system("t")
    boss = await staff.create_user(
        session, sys, full_name="Кузнецова О. В.", roles=[Role.CONTROLLER], telegram_id=501
    )
    ex = await staff.create_user(session, sys, full_name="Popov", telegram_id=502)
    ex.locale = "en"
    ctx = NoticeContext()
    a = await commands.create(
        session,
        boss,
        commands.NewAssignment(
            title="Убрать <снег>", deadline=utcnow() + timedelta(days=1), executor_id=ex.id
        ),
        notify=ctx,
    )
    [card] = await _outbox(session)
    assert card.chat_id == 502
    assert "New assignment" in card.payload["text"] and "Убрать &lt;снег&gt;" in card.payload["text"]
    buttons = [b["callback_data"] for row in card.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [f"asg:ack:{a.id}", f"asg:decline:{a.id}", f"asg:ext:{a.id}", f"asg:comment:{a.id}"]

    await commands.transition(session, ex, a.id, Action.ACKNOWLEDGE, notify=ctx)
    ack = (await _outbox(session))[-1]
    assert ack.chat_id == 501 and "Исполнитель принял поручение" in ack.payload["text"]

    draft = await reports.open_draft(session, ex, a.id)
    await reports.add_file(session, ex, draft.id, tmp_path, PNG, filename="a.png", telegram_file_id="F1")
    await reports.add_file(
        session, ex, draft.id, tmp_path, PNG + b"1", filename="b.png", telegram_file_id="F2"
    )
    await reports.set_text(session, ex, draft.id, "Done")
    await reports.submit(session, ex, draft.id, notify=ctx)
    album, review = (await _outbox(session))[-2:]
    # By the messenger's file id when it fits the chat, else from disk: both are carried.
    assert album.method == "sendMediaGroup"
    assert [(m["media"]["file_id"], m["media"]["filename"]) for m in album.payload["media"]] == [
        ("F1", "a.png"),
        ("F2", "b.png"),
    ]
    assert album.priority < review.priority  # the files go out before the card with the buttons
    review_buttons = [
        b["callback_data"] for row in review.payload["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert review_buttons[:2] == [f"asg:accept:{a.id}", f"asg:return:{a.id}"]
    assert "Отчёт: Done" in review.payload["text"]

    await commands.transition(session, boss, a.id, Action.RETURN, reason="Нужно фото крыльца", notify=ctx)
    back = (await _outbox(session))[-1]
    assert back.chat_id == 502 and "returned for rework" in back.payload["text"]
    assert "Нужно фото крыльца" in back.payload["text"]
