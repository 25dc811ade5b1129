"""A dispatcher in MAX announces a planned outage for a street; the subscribers of those houses hear
of it in their own messenger (MAX or Telegram, one outbox sender each), a resident who blocked the
bot in MAX counts as not delivered, and the dispatcher's preview in MAX is edited with the progress."""

from __future__ import annotations

from aiogram import Bot
from sqlalchemy import func, select

from models import Building, Outage, OutboxMessage, TelegramAccount
from models.enums import OutageStatus, OutboxStatus, Role
from porucheno.settings import Settings
from scheduler import jobs
from services import staff
from services.addresses import import_buildings
from services.audit import Actor
from services.messengers import Messenger
from services.notify import NoticeContext
from services.outages import subscriptions
from services.telegram_accounts import TelegramProfile, touch_account
from tests.bot.dispatch_support import eventually
from tests.bot.max.e2e_support import bind_in_max, labels, sender, text_of

REGISTRY_CSV = (
    "Улица;Дом;Тип объекта;Название\n"
    + "".join(f"ул. Ленина;{h};;\n" for h in ("1", "3", "5"))
    + "ул. Мира;2;;\n"
)
NOTICE = "♨️ 🛠 Плановое отключение: горячая вода"


async def test_outage_from_max_reaches_both_messengers(
    new_max_chat,
    new_chat,
    max_client,
    bot: Bot,
    max_bot: Bot,
    session_factory,
    settings: Settings,
) -> None:
    async with session_factory() as session:
        dispatcher = await staff.create_user(
            session, Actor.system(), full_name="Морозов Денис Олегович", roles=(Role.DISPATCHER,)
        )
        await import_buildings(session, REGISTRY_CSV.encode(), actor=Actor.system("test"), filename="t.csv")
        houses = {f"{b.street} {b.house}": b.id for b in (await session.scalars(select(Building))).all()}
        await session.commit()
    d = await new_max_chat("Денис")
    await bind_in_max(session_factory, d, dispatcher.id)

    # Residents: three in MAX on ул. Ленина (one will block the bot), one in MAX on ул. Мира, one
    # in Telegram on ул. Ленина. A MAX user must have opened the bot before it may write to him.
    follows = {
        "max1": "ул. Ленина 1",
        "max3": "ул. Ленина 3",
        "blocker": "ул. Ленина 5",
        "mira": "ул. Мира 2",
    }
    residents = {}
    for name in follows:
        chat = await new_max_chat(name)
        await chat.start(expect="Здравствуйте")
        residents[name] = chat
    tg = await new_chat("Телеграм")
    async with session_factory() as session:
        await touch_account(
            session, TelegramProfile(id=tg.user_id, chat_id=tg.user_id, first_name="Телеграм")
        )
        for name, house in follows.items():
            await subscriptions.subscribe(session, residents[name].user_id, houses[house])
        await subscriptions.subscribe(session, tg.user_id, houses["ул. Ленина 3"])
        await session.commit()

    # The outage conversation in MAX: menu buttons, callbacks, typed street and times.
    menu = await d.send("/menu", expect="меню")
    assert "Новое отключение" in labels(menu)
    await d.press(menu, "Новое отключение")
    ask = await d.reply("аварийное или плановое")
    await d.press(ask, "🛠 Плановое отключение")
    ask = await d.reply("Что отключено?")
    assert "♨️ горячая вода" in labels(ask)
    await d.press(ask, "♨️ горячая вода")
    await d.reply("Напишите название улицы")
    picker = await d.send("Ленена", expect="ул. Ленина")
    assert "На этой улице выбрано: 0 из 3" in text_of(picker)
    assert labels(picker)[:3] == ["1", "3", "5"]
    await d.press(picker, "☑️ Вся улица")
    picker = await d.reply("выбрано: 3 из 3")
    assert picker["edited"]
    await d.press(picker, "➡️ Готово, далее")
    await d.reply("Когда началось (начнётся) отключение?")
    start = await d.send("завтра 9:00", expect="Начало:")
    assert text_of(start).endswith("09:00")
    ask = await d.reply("Когда ожидается восстановление?")
    await d.press(ask, "+8 ч")
    await d.reply("Опишите отключение для жителей")
    preview = await d.send("Замена запорной арматуры", expect="проверьте перед публикацией")
    assert "ул. Ленина: 1, 3, 5" in text_of(preview)
    assert "Подписчиков к оповещению: 4" in text_of(preview)
    assert labels(preview)[0] == "📢 Опубликовать"

    await d.press(preview, "📢 Опубликовать")
    progress = await d.reply("опубликовано")
    assert progress["mid"] == preview["mid"] and progress["edited"]
    assert "📤 Оповещение жителей: отправлено 0 из 4" in text_of(progress)
    await d.reply("Уведомлений жителям поставлено в очередь: 4")

    async def queued() -> bool:
        async with session_factory() as session:
            count = await session.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        return (count or 0) >= 4

    await eventually(queued)
    # The resident blocks the bot in MAX after the notices were queued: the send is refused.
    await max_client.block(residents["blocker"].native_id)

    ctx = NoticeContext.from_settings(settings)
    tg_sender = sender(bot, session_factory, settings, Messenger.TELEGRAM)
    max_sender = sender(max_bot, session_factory, settings, Messenger.MAX)
    assert await jobs.outage_progress(session_factory, ctx) == 1
    for _ in range(3):
        await tg_sender.drain()
        await max_sender.drain()
        await jobs.outage_progress(session_factory, ctx)
    final = await d.client.wait_for(d.native_id, contains="Оповещение завершено", since_version=0)
    assert final["mid"] == preview["mid"] and final["edited"]
    assert text_of(final).endswith("📬 Оповещение завершено: доставлено 3, не доставлено 1")
    assert [m for m in await max_client.bot_messages(d.native_id) if m["mid"] == preview["mid"]]

    # Each subscriber of ул. Ленина heard once, in his own messenger; ул. Мира heard nothing.
    for name in ("max1", "max3"):
        got = [text_of(m) for m in await max_client.bot_messages(residents[name].native_id)]
        notices = [t for t in got if t.startswith(NOTICE)]
        assert len(notices) == 1, (name, got)
    assert not [m for m in await max_client.bot_messages(residents["mira"].native_id) if NOTICE in text_of(m)]
    assert not [
        m for m in await max_client.bot_messages(residents["blocker"].native_id) if NOTICE in text_of(m)
    ]
    tg_got = [m["text"] or "" for m in await tg.client.bot_messages(tg.user_id)]
    assert len(tg_got) == 1 and tg_got[0].startswith(NOTICE)

    async with session_factory() as session:
        outage = (await session.scalars(select(Outage))).one()
        assert outage.status == OutageStatus.PLANNED
        blocked = await session.get(TelegramAccount, residents["blocker"].user_id)
        assert blocked is not None and blocked.blocked_at is not None
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.method == "sendMessage"))
        ).all()
        by_status = sorted(r.status for r in rows)
        edits = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.method == "editMessageText"))
        ).all()
    assert by_status.count(OutboxStatus.SENT) == 3 and len(rows) == 4
    assert {e.status for e in edits} == {OutboxStatus.SENT} and len(edits) == 2
