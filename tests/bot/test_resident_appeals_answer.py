"""After registration: the status change and the clerk's final answer reach the resident through the
outbox; the answer's «1–5» buttons record one rating; nobody else can rate; the card shows it all."""

from __future__ import annotations

from datetime import timedelta

from models import User, utcnow
from porucheno.i18n import gettext
from porucheno.settings import Settings
from services import staff
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.appeals.workflow import AppealAssignment, answer_appeal, create_assignment_from_appeal
from services.audit import Actor
from services.notify import NoticeContext
from tests.bot.appeals_support import MINE, appeals_of, buttons
from tests.bot.assignments_support import outbox_fixture, press_data  # noqa: F401 - fixture

ANSWER = "Контейнерная площадка очищена, график вывоза мусора восстановлен."


async def _register(session_factory, settings: Settings, telegram_id: int) -> tuple[int, str, int]:
    """An appeal from this Telegram user (the conversation itself is tested elsewhere) and a clerk."""
    async with session_factory() as session:
        result = await register_appeal(
            session,
            AppealInput(
                channel="telegram",
                text="Не вывозят мусор во дворе дома 5 по ул. Ленина.",
                contact=ContactInput(name="Анна", telegram_id=telegram_id),
                external_id=f"tg:{telegram_id}:test",
            ),
            actor=Actor(telegram_id=telegram_id),
            files_dir=settings.files_dir,
        )
        clerk = await staff.create_user(
            session, Actor.system(), full_name="Смирнова Елена Андреевна", roles=("clerk",)
        )
        await session.commit()
        return result.appeal.id, result.appeal.reg_number, clerk.id


async def test_answer_arrives_and_is_rated_once(new_chat, outbox, sandbox, session_factory, settings) -> None:
    chat = await new_chat("Анна")
    await chat.send("/start", expect="Здравствуйте")
    appeal_id, number, clerk_id = await _register(session_factory, settings, chat.user_id)
    ctx = NoticeContext.from_settings(settings)

    # An assignment takes the appeal into work: the resident is told, and the notice opens the card.
    async with session_factory() as session:
        clerk = await session.get(User, clerk_id)
        assert clerk is not None
        await create_assignment_from_appeal(
            session,
            appeal_id,
            AppealAssignment(deadline=utcnow() + timedelta(days=3), executor_id=clerk_id),
            actor=clerk,
            notify=ctx,
        )
        await session.commit()
    in_work = await chat.reply(number)
    assert "🛠" in in_work["text"]
    await chat.press(in_work, gettext("ru", "Open the appeal"))
    card = await chat.reply(f"Обращение № {number}")
    assert "Статус: в работе" in card["text"] and not buttons(card)

    async with session_factory() as session:
        clerk = await session.get(User, clerk_id)
        assert clerk is not None
        # The assignment is still open: answering needs the explicit, audited override.
        await answer_appeal(
            session, appeal_id, text=ANSWER, actor=clerk, notify=ctx, override_reason="Ответ по графику"
        )
        await session.commit()
    answer = await chat.reply(ANSWER)
    assert number in answer["text"] and list(buttons(answer)) == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]

    pressed = await chat.press(answer, "5⭐")
    assert (await chat.callback_answer(pressed))["text"] == "Спасибо за оценку!"
    await chat.reply("Ваша оценка ответа на обращение")
    rated = next(
        m for m in await chat.client.bot_messages(chat.user_id) if m["message_id"] == answer["message_id"]
    )
    assert not buttons(rated)  # the buttons are gone with the rating
    [appeal] = await appeals_of(session_factory)
    assert appeal.rating == 5

    # A repeated press (an old client still shows the buttons) and a stranger's forged one: refused.
    again = press_data(sandbox, chat, answer["message_id"], f"apl:rate:{appeal_id}:1")
    assert (await chat.callback_answer(again))["text"] == gettext("ru", "You have already rated this answer.")
    stranger = await new_chat("Олег")
    greeting = await stranger.send("/start", expect="Здравствуйте")
    forged = press_data(sandbox, stranger, greeting["message_id"], f"apl:rate:{appeal_id}:1")
    assert (await stranger.callback_answer(forged))["text"] == "Обращение не найдено."
    forged = press_data(sandbox, stranger, greeting["message_id"], f"apl:open:{appeal_id}")
    assert (await stranger.callback_answer(forged))["text"] == "Обращение не найдено."
    assert (await appeals_of(session_factory))[0].rating == 5

    # «My appeals»: the status, and the card with the answer and the rating.
    listing = await chat.send(MINE, expect="дан ответ")
    await chat.press(listing, f"✅ №{number}")
    card = await chat.reply(ANSWER)
    assert "Статус: дан ответ" in card["text"] and "Ваша оценка ответа: 5 из 5" in card["text"]
    assert not buttons(card)
