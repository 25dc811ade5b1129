"""The outage's record through the bot: the cause, the informant and the responsible organisation off
the preview (its people get the card), news for residents from the card (the subscribers receive
it, the card lists it), and a resident subscribing to a house with an outage in effect is told at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Department, DispatchUpdate, Organisation, Outage, TelegramAccount
from models.enums import InformantKind, OrganisationKind, Role, UpdateKind, UpdatePublish
from services import staff
from services.audit import Actor
from services.telegram_accounts import TelegramProfile, touch_account
from tests.bot.conftest import Chat
from tests.bot.dispatch_support import Town, buttons, notices_of, town_fixture  # noqa: F401 - fixtures

MEMBER_TG = 740_000_001
NEWCOMER_TG = 740_000_002


async def _organisation(town: Town, session_factory) -> Chat:
    """«Водоканал» with one person reachable in Telegram."""
    async with session_factory() as session:
        dept = Department(name="МУП «Водоканал»")
        session.add(dept)
        await session.flush()
        session.add(
            Organisation(
                name="МУП «Водоканал»",
                short_name="Водоканал",
                kind=OrganisationKind.SUPPLIER,
                department_id=dept.id,
            )
        )
        user = await staff.create_user(
            session,
            Actor.system(),
            full_name="Сидоров Олег Иванович",
            roles=(Role.EXECUTOR,),
            department_id=dept.id,
            telegram_id=MEMBER_TG,
        )
        account = await touch_account(
            session, TelegramProfile(id=MEMBER_TG, chat_id=MEMBER_TG, first_name="Олег")
        )
        account.user_id = user.id
        await session.commit()
    await town.dispatcher.client.register_user(user_id=MEMBER_TG, first_name="Олег", language_code="ru")
    return Chat(town.dispatcher.client, MEMBER_TG)


async def test_cause_organisation_and_news_through_the_bot(town: Town, session_factory) -> None:
    member = await _organisation(town, session_factory)
    d = town.dispatcher
    ask = await d.send("Новое отключение", expect="аварийное или плановое")
    await d.press(ask, "⚠️ Аварийное отключение")
    await d.press(await d.reply("Что отключено?"), "🚰 холодная вода")
    await d.reply("Напишите название улицы")
    await d.send("Ленина", expect="ул. Ленина")
    picker = await d.send("1, 3", expect="ул. Ленина")
    await d.press(picker, "➡️ Готово, далее")
    await d.press(await d.reply("Когда началось"), "Сейчас")
    await d.press(await d.reply("Когда ожидается восстановление?"), "Пока неизвестно")
    await d.press(await d.reply("Опишите отключение"), "Без описания")
    preview = await d.reply("проверьте перед публикацией")

    # The optional screen off the preview: the cause typed, the informant and the organisation picked.
    await d.press(preview, "🧾 Причина / кто сообщил / организация")
    screen = await d.reply("Причина, кто сообщил, организация")
    assert "Пока ничего не указано." in screen["text"]
    screen = await d.send("Порыв водовода Ø300 на ул. Ленина", expect="Причина: Порыв водовода")
    await d.press(screen, "Житель")
    screen = await d.reply("Кто сообщил: Житель")
    await d.press(screen, "✍️ Кто именно: имя, телефон")
    await d.reply("Напишите имя, телефон или организацию сообщившего.")
    screen = await d.send("Иванова, кв. 12", expect="Кто сообщил: Житель — Иванова, кв. 12")
    assert "Причина: Порыв водовода" in screen["text"]  # the cause stays
    await d.press(screen, "🏢 Ответственная организация")
    orgs = await d.reply("Какая организация восстанавливает подачу?")
    assert buttons(orgs) == ["Водоканал", "✖ Без организации", "‹ Назад"]
    await d.press(orgs, "Водоканал")
    screen = await d.reply("Ответственная организация: Водоканал")
    await d.press(screen, "‹ К предпросмотру")
    preview = await d.reply("проверьте перед публикацией")
    assert "Причина: Порыв водовода Ø300 на ул. Ленина" in preview["text"]
    assert (
        "Кто сообщил: Житель — Иванова, кв. 12" in preview["text"]
        and "Ответственная организация: Водоканал" in preview["text"]
    )
    await d.press(preview, "📢 Опубликовать")
    await d.reply("Уведомлений жителям поставлено в очередь: 2")
    await town.deliver(3)  # two residents and the organisation's card

    card_for_org = await member.reply("холодная вода (отключение №")
    assert "ул. Ленина, 1" in card_for_org["text"] and buttons(card_for_org) == ["✅ Принять", "📝 Доложить"]
    async with session_factory() as session:
        outage = (await session.scalars(select(Outage))).one()
        assert outage.cause == "Порыв водовода Ø300 на ул. Ленина"
        assert outage.informant_kind == InformantKind.RESIDENT and outage.informant_text == "Иванова, кв. 12"
        assert outage.responsible_organisation_id

    # News for residents from the card, with the expected end left as it is.
    card = await d.send("Активные отключения", expect="Активные отключения")
    await d.press(card, next(b for b in buttons(card) if f"№{outage.id}" in b))
    card = await d.reply(f"Отключение №{outage.id}")
    assert "Ответственная организация: Водоканал (ещё не принято в работу)" in card["text"]
    await d.press(card, "📢 Новости для жителей")
    await d.reply("Напишите новость для жителей")
    ask = await d.send(
        "Бригада на месте, цистерна с водой у дома 3.", expect="Изменилось ли ожидаемое окончание?"
    )
    await d.press(ask, "Оставить окончание без изменений")
    await d.reply("Новость опубликована.")
    card = await d.reply("Уведомлений жителям поставлено в очередь: 2")
    assert "📢 Бригада на месте, цистерна с водой у дома 3." in card["text"]
    await town.deliver(2)
    for name in ("lenina1", "lenina3"):
        got = await notices_of(town.residents[name])
        assert len(got) == 2 and "Бригада на месте, цистерна с водой у дома 3." in got[1], name
        assert "Ваши адреса: ул. Ленина" in got[1], name  # their own houses, not the outage's list
    assert await notices_of(town.residents["mira4"]) == []
    async with session_factory() as session:
        update = (
            await session.scalars(select(DispatchUpdate).where(DispatchUpdate.kind == UpdateKind.PROGRESS))
        ).one()
        assert update.publish == UpdatePublish.PUBLISHED and update.outage_id == outage.id

    # A resident subscribing to Ленина 3 now hears of the outage and the news in the same reply.
    client = d.client
    await client.register_user(user_id=NEWCOMER_TG, first_name="Новосёл", language_code="ru")
    newcomer = Chat(client, NEWCOMER_TG)
    await newcomer.send("/start")
    await newcomer.send("Мои адреса", expect="Чтобы добавить адрес")
    reply = await newcomer.send("Ленина 3", expect="Готово!")
    text = reply["text"]
    assert "Отключения по этому адресу сейчас:" in text and "холодная вода" in text
    assert "Ожидаемое окончание: пока неизвестно" in text
    assert "Последние новости" in text and "Бригада на месте, цистерна с водой у дома 3." in text
    async with session_factory() as session:
        assert await session.get(TelegramAccount, NEWCOMER_TG) is not None

    # A house with nothing going on: just the confirmation.
    await newcomer.send("Мои адреса", expect="Чтобы добавить адрес")
    reply = await newcomer.send("Мира 4", expect="Готово!")
    assert "Отключения по этому адресу" not in reply["text"]

    # The supply came back a little earlier: the dispatcher gives the actual time.
    card = await d.send("Активные отключения", expect="Активные отключения")
    await d.press(card, next(b for b in buttons(card) if f"№{outage.id}" in b))
    card = await d.reply(f"Отключение №{outage.id}")
    await d.press(card, "✅ Подача восстановлена")
    ask = await d.reply("Подача восстановлена по всем адресам")
    assert buttons(ask) == ["✅ Да, восстановлено", "🕑 Восстановлено раньше: указать время", "‹ Назад"]
    await d.press(ask, "🕑 Восстановлено раньше: указать время")
    await d.reply("Когда фактически восстановлена подача")
    await d.send("31.12.2099 10:00", expect="не может быть в будущем")
    started = town.ctx.local(outage.starts_at)
    await d.send(
        (started - timedelta(hours=2)).strftime("%d.%m.%Y %H:%M"),
        expect="Окончание не может быть раньше начала.",
    )
    moment = started.strftime("%d.%m.%Y %H:%M")
    await d.send(moment, expect=f"Подача восстановлена: {moment}.")
    card = await d.reply("Статус: подача восстановлена")
    assert f"Восстановлено: {moment}" in card["text"]
    async with session_factory() as session:
        resolved = await session.get(Outage, outage.id)
        assert resolved is not None and resolved.ended_at == outage.starts_at
