"""An assignment's whole life in MAX: the executor binds through an invite deep link, acknowledges,
reports with two photos and a PDF in ONE MAX message, is returned, reports again and is accepted;
an extension of the deadline is asked and approved."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from models import Assignment, AssignmentReport, AuditEvent, ExtensionRequest, StoredFile, User, utcnow
from models.enums import Role
from porucheno.settings import Settings
from services import staff
from services.assignments.deadline_rules import quick_pick
from services.audit import Actor
from services.notify import NoticeContext
from services.work_calendar.clock import WorkCalendar
from tests.bot.assignments_support import PDF, PNG_1, PNG_2, create_assignment, stored_bytes
from tests.bot.max.e2e_support import attachments, bind_in_max, labels, max_outbox_fixture, text_of  # noqa: F401
from tests.bot.max_support import MaxChat


async def _people(session_factory, new_max_chat, settings: Settings):  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        housing = await staff.create_department(session, Actor.system(), "Отдел ЖКХ")
        controller = await staff.create_user(
            session,
            Actor.system(),
            full_name="Кузнецова Ольга Викторовна",
            roles=(Role.CONTROLLER,),
            department_id=housing.id,
        )
        executor = await staff.create_user(
            session,
            Actor.system(),
            full_name="Попов Игорь Петрович",
            roles=(Role.EXECUTOR,),
            department_id=housing.id,
        )
        await session.commit()
    ctl, ex = await new_max_chat("Ольга"), await new_max_chat("Игорь")
    greeting = await bind_in_max(session_factory, ex, executor.id)
    assert "Готово, Попов Игорь Петрович!" in text_of(greeting)
    assert "Мои поручения" in labels(greeting)
    await bind_in_max(session_factory, ctl, controller.id)
    town = SimpleNamespace(
        controller=SimpleNamespace(id=controller.id),
        executor=SimpleNamespace(id=executor.id),
        ctx=NoticeContext.from_settings(settings),
    )
    return town, ctl, ex


async def _start_report(chat: MaxChat, card: dict, text: str) -> dict:
    await chat.press(card, "📎 Отчитаться")
    await chat.reply("Опишите в сообщении, что сделано")
    preview = await chat.send(text, expect="Текст сохранён.")
    assert f"Текст: {text}" in text_of(preview)
    assert labels(preview) == ["📤 Отправить", "➕ Добавить ещё", "✖️ Отменить"]
    return preview


async def test_assignment_life_in_max(
    new_max_chat, max_client, max_outbox, session_factory, settings: Settings
) -> None:
    town, ctl, ex = await _people(session_factory, new_max_chat, settings)
    async with session_factory() as session:
        executor = await session.get(User, town.executor.id)
        assert executor is not None and executor.telegram_id == ex.user_id
    aid = await create_assignment(session_factory, town)  # type: ignore[arg-type]

    card = await ex.reply(f"Поручение №{aid}")
    assert text_of(card).startswith("Новое поручение")
    assert labels(card) == ["✅ Принять", "↩️ Отклонить", "⏳ Продлить срок", "💬 Комментарий"]

    pressed = await ex.press(card, "✅ Принять")
    answer = await ex.callback_answer(pressed["callback_id"])
    assert "Принято к исполнению" in str(answer)
    card = await ex.reply("Вы приняли поручение к исполнению")
    assert card["edited"] and "Статус: принято" in text_of(card)
    assert "📎 Отчитаться" in labels(card)
    await ctl.reply("Исполнитель принял поручение")

    # An extension of the deadline, asked by the executor and approved by the controller.
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None
        first_deadline = a.deadline
    await ex.press(card, "⏳ Продлить срок")
    ask = await ex.reply("Выберите новый срок ниже")
    await ex.press(ask, next(label for label in labels(ask) if label.startswith("+3 рабочих дня")))
    await ex.reply("Почему нужно больше времени")
    await ex.send("Ждём поставку реагентов", expect="Запрос отправлен")
    request = await ctl.reply("Запрос на продление срока")
    assert "Причина: Ждём поставку реагентов" in text_of(request)
    await ctl.press(request, "✅ Одобрить")
    approved = await ctl.reply("✅ Одобрено: новый срок")
    assert approved["mid"] == request["mid"] and not labels(approved)
    await ex.reply("Продление срока одобрено")
    async with session_factory() as session:
        a = await session.get(Assignment, aid)
        assert a is not None and a.deadline == quick_pick(
            first_deadline, 3, now=utcnow(), calendar=WorkCalendar(town.ctx.tz)
        )

    # The report: a text, then two photos and a PDF in ONE MAX message.
    card = await ex.client.wait_for(ex.native_id, contains="Статус: принято", since_version=0)
    await _start_report(ex, card, "Двор очищен, снег вывезен")
    await ex.send_media(images=[(PNG_1, "before.png"), (PNG_2, "after.png")], files=[(PDF, "akt.pdf")])
    preview = await ex.reply("Файлы (3):")
    assert "akt.pdf — 1 КБ" in text_of(preview)
    pressed = await ex.press(preview, "📤 Отправить")
    await ex.callback_answer(pressed["callback_id"])
    await ex.reply("Я сообщу решение контролёра")

    # The controller gets the photos and the PDF as MAX attachments, then the card with buttons.
    review = await ctl.reply("Поступил отчёт на проверку")
    assert "Отчёт: Двор очищен, снег вывезен" in text_of(review)
    assert labels(review)[:2] == ["✅ Принять работу", "↩️ Вернуть на доработку"]
    got = await max_client.bot_messages(ctl.native_id)
    images = [a for m in got for a in attachments(m, "image")]
    files = [(m, a) for m in got for a in attachments(m, "file")]
    assert [await max_client.download(a["payload"]["url"]) for a in images] == [PNG_1, PNG_2]
    assert len(files) == 1 and files[0][1]["filename"] == "akt.pdf"
    assert await max_client.download(files[0][1]["payload"]["url"]) == PDF
    assert got.index(files[0][0]) < got.index(review)

    # Return with a comment.
    await ctl.press(review, "↩️ Вернуть на доработку")
    await ctl.reply("Что нужно доработать")
    done = await ctl.send("Нет фото крыльца", expect="Исполнитель получил ваш комментарий")
    assert text_of(done).startswith(f"Поручение №{aid} возвращено на доработку")
    back = await ex.reply("Поручение возвращено на доработку")
    assert "Причина: Нет фото крыльца" in text_of(back)

    # The second report, then acceptance.
    await _start_report(ex, back, "Крыльцо тоже очищено")
    await ex.send_media(images=[(PNG_1 + b"porch", "porch.png")])
    preview = await ex.reply("Файлы (1):")
    await ex.press(preview, "📤 Отправить")
    await ex.reply("Я сообщу решение контролёра")
    review = await ctl.reply("Отчёт: Крыльцо тоже очищено")
    pressed = await ctl.press(review, "✅ Принять работу")
    await ctl.callback_answer(pressed["callback_id"])
    accepted = await ctl.reply("Отчёт принят: поручение исполнено")
    assert accepted["mid"] == review["mid"] and "Статус: исполнено" in text_of(accepted)
    assert not labels(accepted)
    await ex.reply("Отчёт принят: поручение исполнено")

    async with session_factory() as session:
        assignment = await session.get(Assignment, aid)
        assert assignment is not None and assignment.status == "done" and assignment.returns_count == 1
        first, second = (
            await session.scalars(
                select(AssignmentReport)
                .where(AssignmentReport.assignment_id == aid)
                .order_by(AssignmentReport.id)
            )
        ).all()
        assert (first.status, first.review_comment) == ("returned", "Нет фото крыльца")
        assert second.status == "accepted"
        stored = (
            await session.scalars(
                select(StoredFile).where(StoredFile.report_id == first.id).order_by(StoredFile.id)
            )
        ).all()
        second_files = (
            await session.scalars(select(StoredFile).where(StoredFile.report_id == second.id))
        ).all()
        extensions = (await session.scalars(select(ExtensionRequest.status))).all()
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "assignment", AuditEvent.entity_id == aid)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [f.mime_type for f in stored] == ["image/png", "image/png", "application/pdf"]
    assert [stored_bytes(settings, f.storage_path) for f in stored] == [PNG_1, PNG_2, PDF]
    assert [stored_bytes(settings, f.storage_path) for f in second_files] == [PNG_1 + b"porch"]
    assert list(extensions) == ["approved"]
    assert [x for x in actions if x != "extend"][:2] == ["created", "acknowledge"]
    assert [x for x in actions if x in ("submit", "return", "accept")] == [
        "submit",
        "return",
        "submit",
        "accept",
    ]
